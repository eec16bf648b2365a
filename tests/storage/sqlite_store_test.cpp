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
    CHECK(s.schema_version() == 2);
    auto c = s.get_consent({core::platform::discord, core::user_id{"42"}});
    REQUIRE(c);
    CHECK(c->enabled);
    CHECK(c->style == style::direct);
    CHECK(s.add_notice(alice, "dms_closed"));
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
    CHECK_THROWS_WITH(make_store("postgres://x"), Catch::Contains("PostgreSQL storage is not available"));
    CHECK_THROWS_WITH(make_store("mysql://x"), Catch::Contains("unknown scheme"));
    CHECK_THROWS_WITH(make_store("sqlite:" + (dir.path / "no/such/dir/x.db").string()),
                      Catch::Contains("cannot open"));
}

TEST_CASE("Consent is stored per platform and user and read back unchanged", "[storage]")
{
    temp_dir dir;
    auto s = make_store("sqlite:" + dir.db());
    CHECK_FALSE(s->get_consent(alice));
    consent c;
    c.enabled = true;
    c.style = style::direct;
    c.crisis_card_welcome = false;
    c.muted = {"own_heated", "targeted"};
    REQUIRE(s->put_consent(alice, c));
    CHECK(s->get_consent(alice) == c);
    // Same id on another platform is another person.
    CHECK_FALSE(s->get_consent({core::platform::slack, alice.user}));
    c.enabled = false;
    c.muted.clear();
    REQUIRE(s->put_consent(alice, c));
    CHECK(s->get_consent(alice) == c);
    REQUIRE(s->put_consent(bob, consent{true, style::gentle, true, {}}));
    auto all = s->load_consents(core::platform::discord);
    CHECK(all.size() == 2);
    CHECK(s->load_consents(core::platform::mattermost).empty());
}

TEST_CASE("Server settings round-trip, including watched channels, packs and alerts", "[storage]")
{
    temp_dir dir;
    sqlite_store s(dir.db());
    CHECK_FALSE(s.get_settings(guild));
    server_settings set;
    set.channels = {{"c1", true}, {"c2", false}};
    set.sensitivity = "high";
    set.disabled_packs = {"distress"};
    set.crisis = crisis_scope::everyone;
    set.alerts_channel = core::channel_id{"mods"};
    REQUIRE(s.put_settings(guild, set));
    CHECK(s.get_settings(guild) == set);
    set.channels.erase("c1");
    set.alerts_channel.reset();
    set.disabled_packs.clear();
    REQUIRE(s.put_settings(guild, set));
    CHECK(s.get_settings(guild) == set);
    auto all = s.load_settings(core::platform::discord);
    REQUIRE(all.size() == 1);
    CHECK(all[0].second == set);
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

TEST_CASE("Counters add up per day, category, rule and outcome", "[storage][counters]")
{
    temp_dir dir;
    sqlite_store s(dir.db());
    counter_key k{20450, core::platform::discord, "g", "conflict", "conflict.you_always", "delivered"};
    counter_key other = k;
    other.outcome = "suppressed:cooldown";
    REQUIRE(s.add_counts({{k, 2}, {other, 1}}));
    REQUIRE(s.add_counts({{k, 3}}));
    auto rows = s.counts(core::platform::discord, "g", 20440, 20450);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].key.outcome == "delivered");
    CHECK(rows[0].count == 5);
    CHECK(rows[1].count == 1);
    CHECK(s.counts(core::platform::discord, "g", 20451, 20460).empty());
    CHECK(s.counts(core::platform::discord, "h", 0, 30000).empty());
}

TEST_CASE("A pending notice is returned once and then gone", "[storage]")
{
    temp_dir dir;
    sqlite_store s(dir.db());
    REQUIRE(s.add_notice(alice, "dms_closed"));
    REQUIRE(s.add_notice(alice, "dms_closed"));
    CHECK(s.take_notices(alice) == std::vector<std::string>{"dms_closed"});
    CHECK(s.take_notices(alice).empty());
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

TEST_CASE("An opt-in acknowledged just before SIGKILL is there after restart", "[storage][durability]")
{
    temp_dir dir;
    int ack[2];
    REQUIRE(::pipe(ack) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ack[0]);
        try {
            sqlite_store s(dir.db());
            bool ok = s.put_consent(alice, consent{true, style::direct, true, {}});
            char c = ok ? '1' : '0';
            // The acknowledgement; the parent kills us the moment it reads it.
            (void)!::write(ack[1], &c, 1);
            for (;;) ::pause();
        } catch (...) {
            ::_exit(3);
        }
    }
    ::close(ack[1]);
    char c = 0;
    REQUIRE(::read(ack[0], &c, 1) == 1);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(ack[0]);
    REQUIRE(c == '1');
    CHECK(WIFSIGNALED(status));
    sqlite_store reopened(dir.db());
    auto got = reopened.get_consent(alice);
    REQUIRE(got);
    CHECK(got->enabled);
    CHECK(got->style == style::direct);
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
