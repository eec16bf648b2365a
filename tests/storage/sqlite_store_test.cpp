#include "storage/sqlite_store.hpp"

#include "storage/async_store.hpp"
#include "support/temp_folder.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace nudgebot;
using namespace nudgebot::storage;

namespace {

struct temp_dir {
    test::temp_folder folder{"nudgebot-store"};
    fs::path path = folder.path();
    std::string db() const { return folder.file("nudgebot.db"); }
};

std::string file_bytes(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every byte nudgebot left on disk for this database: the file, its WAL and shared memory.
std::string all_bytes(const std::string& db)
{
    std::string out;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        if (fs::exists(db + suffix)) out += file_bytes(db + suffix);
    return out;
}

user_key alice{core::platform::discord, core::user_id{"700000000000000001"}};
user_key bob{core::platform::discord, core::user_id{"700000000000000002"}};
server_key guild{core::platform::discord, core::server_id{"800000000000000001"}};

}  // namespace

TEST_CASE("A new database is migrated to the latest schema version", "[storage][migrations]")
{
    temp_dir dir;
    {
        sqlite_store s(dir.db());
        CHECK(s.schema_version() == sqlite_store::latest_schema_version());
    }
    sqlite_store again(dir.db());   // reopening applies nothing twice
    CHECK(again.schema_version() == sqlite_store::latest_schema_version());
}

TEST_CASE("A database at version 1 gains the later tables and keeps its rows", "[storage][migrations]")
{
    temp_dir dir;
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(dir.db().c_str(), &db) == SQLITE_OK);
        // Version 1 exactly as it shipped, with one opted-in user.
        const char* v1 =
            "CREATE TABLE users (platform TEXT NOT NULL, user TEXT NOT NULL, enabled INTEGER NOT NULL,"
            " style TEXT NOT NULL, crisis_card INTEGER NOT NULL, muted TEXT NOT NULL DEFAULT '',"
            " PRIMARY KEY (platform, user));"
            "CREATE TABLE servers (platform TEXT NOT NULL, server TEXT NOT NULL, sensitivity TEXT NOT NULL,"
            " crisis_scope TEXT NOT NULL, alerts_channel TEXT, PRIMARY KEY (platform, server));"
            "CREATE TABLE server_channels (platform TEXT NOT NULL, server TEXT NOT NULL, channel TEXT NOT NULL,"
            " watched INTEGER NOT NULL, PRIMARY KEY (platform, server, channel));"
            "CREATE TABLE server_disabled_packs (platform TEXT NOT NULL, server TEXT NOT NULL, pack TEXT NOT NULL,"
            " PRIMARY KEY (platform, server, pack));"
            "CREATE TABLE counters (day INTEGER NOT NULL, platform TEXT NOT NULL, server TEXT NOT NULL,"
            " category TEXT NOT NULL, rule TEXT NOT NULL, outcome TEXT NOT NULL, count INTEGER NOT NULL,"
            " PRIMARY KEY (platform, server, day, category, rule, outcome));"
            "INSERT INTO users VALUES('discord','42',1,'direct',1,'');"
            "PRAGMA user_version=1;";
        REQUIRE(sqlite3_exec(db, v1, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    sqlite_store s(dir.db());
    CHECK(s.schema_version() == 4);
    auto c = s.get_consent({core::platform::discord, core::user_id{"42"}});
    REQUIRE(c);
    CHECK(c->enabled);
    CHECK(c->style == style::direct);
    CHECK(s.add_notice(alice, "dms_closed"));
    CHECK(s.put_state(core::platform::discord, "commands_hash", "abc"));
}

TEST_CASE("A database from a newer nudgebot is refused with a clear error", "[storage][migrations]")
{
    temp_dir dir;
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(dir.db().c_str(), &db) == SQLITE_OK);
        sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
        sqlite3_close(db);
    }
    CHECK_THROWS_WITH(sqlite_store(dir.db()), Catch::Contains("newer than this nudgebot"));
    CHECK_THROWS_WITH(make_store("postgres://nudgebot@/none?host=/nonexistent-socket-dir"), Catch::Contains("cannot connect"));
    CHECK_THROWS_WITH(make_store("mysql://x"), Catch::Contains("unknown scheme"));
    CHECK_THROWS_WITH(make_store("sqlite:" + (dir.path / "no/such/dir/x.db").string()),
                      Catch::Contains("cannot open"));
}

TEST_CASE("Watching one channel explicitly turns the server into allow-list mode", "[storage]")
{
    server_settings set;
    CHECK(set.watches(core::channel_id{"any"}));
    set.channels["quiet"] = false;
    CHECK_FALSE(set.watches(core::channel_id{"quiet"}));
    CHECK(set.watches(core::channel_id{"other"}));
    set.channels["help"] = true;
    CHECK(set.watches(core::channel_id{"help"}));
    CHECK_FALSE(set.watches(core::channel_id{"other"}));
}

TEST_CASE("forget-me leaves no byte of the user's id in the database files", "[storage][privacy]")
{
    temp_dir dir;
    const std::string forgotten = "733311112222333344";
    user_key who{core::platform::discord, core::user_id{forgotten}};
    { sqlite_store create(dir.db()); }
    {
        // Enough other users that the primary-key index has interior pages; one transaction, as
        // 3000 durable commits would take seconds of fsync.
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(dir.db().c_str(), &db) == SQLITE_OK);
        std::string sql = "BEGIN;";
        for (int i = 0; i < 3000; ++i)
            sql += "INSERT INTO users VALUES('discord','9" + std::to_string(100000000 + i) + "',1,'gentle',1,'');";
        sql += "COMMIT;";
        REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    {
        sqlite_store s(dir.db());
        REQUIRE(s.put_consent(who, consent{true, style::direct, true, {"targeted"}}));
        REQUIRE(s.add_notice(who, "dms_closed"));
        REQUIRE(all_bytes(dir.db()).find(forgotten) != std::string::npos);
        REQUIRE(s.forget_user(who));
        CHECK_FALSE(s.get_consent(who));
        CHECK(s.take_notices(who).empty());
        CHECK(all_bytes(dir.db()).find(forgotten) == std::string::npos);
        CHECK(s.load_consents(core::platform::discord).size() == 3000);
    }
    CHECK(all_bytes(dir.db()).find(forgotten) == std::string::npos);
}

TEST_CASE("The async store runs jobs off the caller's thread and posts results back", "[storage][async]")
{
    temp_dir dir;
    std::mutex m;
    std::vector<std::function<void()>> posted;
    auto post = [&](std::function<void()> f) {
        std::lock_guard lock(m);
        posted.push_back(std::move(f));
    };
    async_store as(make_store("sqlite:" + dir.db()), post);
    auto caller = std::this_thread::get_id();
    std::thread::id worker;
    bool stored = false;
    as.submit(
        [&](store& s) {
            worker = std::this_thread::get_id();
            return s.put_consent(alice, consent{true, style::gentle, true, {}});
        },
        [&](bool ok) { stored = ok; });
    counter_key k{1, core::platform::discord, "g", "conflict", "r", "delivered"};
    as.count(k);
    as.count(k, 2);
    as.wait_idle();
    CHECK(worker != caller);
    CHECK_FALSE(stored);   // not yet: the completion waits for the caller's executor
    {
        std::lock_guard lock(m);
        REQUIRE(posted.size() == 1);
        posted[0]();
    }
    CHECK(stored);
    auto rows = as.call([](store& s) { return s.counts(core::platform::discord, "g", 0, 10); });
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].count == 3);
    // call() returns as soon as its job has set the result; the worker marks itself idle just after.
    as.wait_idle();
    CHECK(as.pending() == 0);
}

TEST_CASE("The async store reports itself slow while a long job runs", "[storage][async]")
{
    temp_dir dir;
    async_store as(make_store("sqlite:" + dir.db()), [](std::function<void()> f) { f(); });
    CHECK_FALSE(as.slow());
    std::atomic<bool> release{false};
    as.submit([&](store&) {
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(as.slow());
    release = true;
    as.wait_idle();
}
