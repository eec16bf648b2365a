// Start-up load of a 10,000-member server: open the SQLite store (migrations checked), read every
// consent row and the server settings, and build the in-RAM maps the event router keeps.
// Target (issue 4): ≤ 50 ms. Usage: store_bench [members=10000] [runs=7]
#include "storage/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <unordered_map>
#include <vector>

using namespace nudgebot;

int main(int argc, char** argv)
{
    const int members = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 7;
    auto dir = std::filesystem::temp_directory_path() / ("nudgebot-store-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto path = (dir / "bench.db").string();
    {
        storage::sqlite_store migrate(path);   // creates the schema
    }
    {
        // Set-up only: one transaction through SQLite directly (each production write is its own
        // durable transaction, which would make set-up take half a minute of fsyncs).
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "INSERT INTO users(platform, user, enabled, style, crisis_card, muted) VALUES('discord',?1,?2,?3,1,?4)", -1, &st, nullptr);
        for (int i = 0; i < members; ++i) {
            auto id = std::to_string(700000000000000000LL + i);
            sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(st, 2, i % 3 != 0);
            sqlite3_bind_text(st, 3, i % 2 ? "direct" : "gentle", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, i % 10 == 0 ? "own_heated" : "", -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        storage::sqlite_store s(path);
        storage::server_settings set;
        for (int i = 0; i < 50; ++i) set.channels[std::to_string(900000000000000000LL + i)] = i % 5 != 0;
        set.disabled_packs = {"kindness"};
        s.put_settings({core::platform::discord, core::server_id{"800000000000000001"}}, set);
    }
    std::vector<double> ms;
    std::size_t loaded = 0;
    for (int r = 0; r < runs; ++r) {
        auto start = std::chrono::steady_clock::now();
        auto s = storage::make_store("sqlite:" + path);
        std::unordered_map<std::string, storage::consent> consents;
        for (auto& [user, c] : s->load_consents(core::platform::discord)) consents.emplace("discord:" + user.str(), std::move(c));
        std::unordered_map<std::string, storage::server_settings> settings;
        for (auto& [server, set] : s->load_settings(core::platform::discord)) settings.emplace("discord:" + server.str(), std::move(set));
        auto end = std::chrono::steady_clock::now();
        loaded = consents.size();
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("store_bench: %zu consents + settings loaded; median %.2f ms, max %.2f ms over %d runs (target <= 50 ms)\n",
                loaded, ms[ms.size() / 2], ms.back(), runs);
    std::filesystem::remove_all(dir);
    return ms[ms.size() / 2] <= 50.0 ? 0 : 1;
}
