// Two nudgebot processes' worth of bots (each `nudgebot run`'s whole wiring, 2 of 4 Discord shards
// each, chosen with shards.ids) against one fake Discord and one real PostgreSQL server: what one
// person tells one process, the other honours within a second.
#include "app/wiring.hpp"

#include "app/e2e_world.hpp"
#include "support/postgres_server.hpp"

using namespace nudgebot;
using namespace nudgebot::e2e;

namespace {

const person alice{"900000000000000021", "alice"};
const person sentinel{"900000000000000099", "sentinel"};
const std::string hostile = "you ALWAYS break the build, are you even trying??";   // written for this test
constexpr const char* token_env = "SHARED_E2E_DISCORD_TOKEN";

// One fake Discord (4 shards) and two bots on one PostgreSQL database.
class two_bots {
public:
    explicit two_bots(const std::string& store_url) : fake(options())
    {
        for (int b = 0; b < 2; ++b) {
            std::string text = R"({
              "rules": {"dir": ")" NUDGEBOT_SOURCE_DIR R"(/rules/en"},
              "storage": {"url": ")" + store_url + R"("},
              "nudges": {"cooldown_minutes": 0, "daily_cap": 2},
              "log": {"level": "info"},
              "ops": {"listen": "127.0.0.1:0"},
              "platforms": {"discord": {
                "enabled": true, "token_env": ")" + std::string(token_env) + R"(",
                "api_base": ")" + fake.api_base() + R"(",
                "gateway_url": ")" + fake.gateway_url() + R"(",
                "shards": {"count": 4, "ids": [)" + std::to_string(2 * b) + ", " + std::to_string(2 * b + 1) + R"(]}
              }}
            })";
            core::diagnostics diags;
            auto cfg = app::parse_config(text, "/nonexistent/config.json", diags);
            INFO(diags.to_string());
            REQUIRE(cfg);
            std::ostringstream err;
            bots[b] = app::bot::create(*cfg, err, hooks());
            INFO(err.str());
            REQUIRE(bots[b]);
        }
        for (int b = 0; b < 2; ++b) runners[b] = std::thread([this, b] { bots[b]->run(); });
        // Every shard identified and the command set registered (once per process).
        REQUIRE(eventually([&] { return fake.identifies() >= 4; }, 10000ms));
        REQUIRE(eventually([&] { return fake.count_rest("PUT", "/api/v10/applications/") >= 2; }, 10000ms));
        for (const auto& f : fake.received())
            if (f.op == 2) shard_connection[f.payload["d"]["shard"][0].get<int>()] = f.connection;
    }
    ~two_bots()
    {
        for (int b = 0; b < 2; ++b) {
            if (bots[b]) bots[b]->stop();
            if (runners[b].joinable()) runners[b].join();
        }
    }

    static test::fake_discord_options options()
    {
        test::fake_discord_options o;
        o.shards = 4;
        return o;
    }
    static app::wiring_hooks hooks()
    {
        app::wiring_hooks h;
        h.getenv = [](const std::string& name) -> std::optional<std::string> {
            if (name == token_env) return std::string("shared-e2e-token.never-in-logs");
            return std::nullopt;
        };
        h.tune_discord = [](discord::settings& s) {
            s.identify_interval = 20ms;
            s.reconnect.base = 50ms;
        };
        return h;
    }

    // The gateway connection of a shard of bot b (0 or 1); each bot has two shards.
    int connection(int b, int which = 0) const { return shard_connection.at(2 * b + which); }

    std::string command(int b, const person& who, const std::string& sub)
    {
        auto id = std::to_string(1300000000000000000ULL + ++counter);
        json d{{"id", id},
               {"type", 2},
               {"token", "tok-" + id},
               {"application_id", fake.options().app_id},
               {"guild_id", world::guild},
               {"channel_id", "1100000000000000001"},
               {"member", {{"user", {{"id", who.id}, {"username", who.name}}}, {"permissions", "0"}}},
               {"data", {{"id", "1"}, {"name", "nudge"}, {"type", 1},
                         {"options", json::array({{{"type", 1}, {"name", sub}, {"options", json::array()}}})}}}};
        fake.dispatch("INTERACTION_CREATE", d, connection(b, static_cast<int>(counter % 2)));
        return id;
    }

    std::string answer(const std::string& interaction, std::chrono::milliseconds t = 5000ms)
    {
        const std::string callback = "/api/v10/interactions/" + interaction + "/tok-" + interaction + "/callback";
        const std::string edit = "/tok-" + interaction + "/messages/@original";
        std::string out;
        eventually(
            [&] {
                for (const auto& r : fake.rest_requests()) {
                    auto body = json::parse(r.body, nullptr, false);
                    if (!body.is_object()) continue;
                    if (r.method == "POST" && r.target.rfind(callback, 0) == 0 && body.value("type", 0) == 4)
                        out = body["data"].value("content", std::string());
                    else if (r.method == "PATCH" && r.target.find(edit) != std::string::npos)
                        out = body.value("content", std::string());
                    if (!out.empty()) return true;
                }
                return false;
            },
            t);
        return out;
    }

    // A heated message by `who` in a channel of its own (so per-channel rates never interfere).
    void say_heated(int b, const person& who)
    {
        auto id = std::to_string(1200000000000000000ULL + ++counter);
        json d{{"id", id},
               {"channel_id", std::to_string(1110000000000000000ULL + counter)},
               {"guild_id", world::guild},
               {"author", {{"id", who.id}, {"username", who.name}}},
               {"member", {{"nick", nullptr}, {"roles", json::array()}}},
               {"content", hostile},
               {"timestamp", discord_timestamp()},
               {"mentions", json::array()},
               {"type", 0}};
        fake.dispatch("MESSAGE_CREATE", d, connection(b, static_cast<int>(counter % 2)));
    }

    // Everything bot b does for the events so far has happened (its strand and its store queue are
    // FIFO: the sentinel's status answer comes after them), plus a grace for the REST calls.
    void settle(int b)
    {
        REQUIRE_FALSE(answer(command(b, sentinel, "status")).empty());
        std::this_thread::sleep_for(150ms);
    }

    std::size_t dms_to(const person& who) const
    {
        return fake.count_rest("POST", "/api/v10/channels/dm-" + who.id + "/messages");
    }

    // How long until bot b's `/nudge status` for `who` contains `expected` (polled).
    std::chrono::milliseconds until_status(int b, const person& who, const std::string& expected)
    {
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 100; ++i) {
            if (answer(command(b, who, "status")).find(expected) != std::string::npos) break;
            std::this_thread::sleep_for(20ms);
        }
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    }

    log_capture logs;
    test::fake_discord fake;
    std::unique_ptr<app::bot> bots[2];
    std::thread runners[2];
    std::map<int, int> shard_connection;
    std::uint64_t counter = 0;
};

}  // namespace

TEST_CASE("Two processes sharing PostgreSQL agree on consent, caps and forget-me within a second",
          "[app][e2e][postgres][shared]")
{
    NUDGEBOT_POSTGRES_OR_SKIP(pg);
    auto url = pg->fresh_url();
    REQUIRE_FALSE(url.empty());
    two_bots w(url);
    REQUIRE(w.shard_connection.size() == 4);

    // alice opts in through process 0; process 1 knows within a second.
    REQUIRE(w.answer(w.command(0, alice, "on")).find("on") != std::string::npos);
    auto seen = w.until_status(1, alice, "Suggestions: on");
    CHECK(seen < 1000ms);
    REQUIRE(w.answer(w.command(1, alice, "status")).find("Suggestions: on") != std::string::npos);

    // Daily cap 2, no cooldown: four heated messages, two through each process, bring two nudges
    // in all (each process alone would allow two).
    w.say_heated(0, alice);
    w.settle(0);
    w.say_heated(1, alice);
    w.settle(1);
    w.say_heated(0, alice);
    w.say_heated(1, alice);
    w.settle(0);
    w.settle(1);
    CHECK(w.dms_to(alice) == 2);

    // alice says /nudge off through process 1: process 0 stops too, within a second.
    REQUIRE_FALSE(w.answer(w.command(1, alice, "off")).empty());
    CHECK(w.until_status(0, alice, "Suggestions: off") < 1000ms);

    // forget-me through process 0: process 1 forgets her, and no row names her.
    REQUIRE_FALSE(w.answer(w.command(0, alice, "forget-me")).empty());
    CHECK(w.until_status(1, alice, "stores nothing about you") < 1000ms);
    auto db = test::postgres_server::database_of(url);
    std::string rows;
    REQUIRE(pg->psql(db,
                     "SELECT (SELECT count(*) FROM users WHERE \"user\"='" + alice.id +
                         "') + (SELECT count(*) FROM claims WHERE \"user\"='" + alice.id +
                         "') + (SELECT count(*) FROM notices WHERE \"user\"='" + alice.id + "');",
                     &rows));
    CHECK(rows.find('0') == 0);
}

TEST_CASE("With two processes on PostgreSQL, /nudge off in one stops nudges from both", "[app][e2e][postgres][shared]")
{
    NUDGEBOT_POSTGRES_OR_SKIP(pg);
    auto url = pg->fresh_url();
    REQUIRE_FALSE(url.empty());
    two_bots w(url);
    REQUIRE(w.answer(w.command(0, alice, "on")).find("on") != std::string::npos);
    CHECK(w.until_status(1, alice, "Suggestions: on") < 1000ms);
    w.say_heated(1, alice);   // the other process nudges her: it knows she opted in
    w.settle(1);
    REQUIRE(w.dms_to(alice) == 1);
    REQUIRE_FALSE(w.answer(w.command(0, alice, "off")).empty());
    // A second later neither process nudges her.
    std::this_thread::sleep_for(1000ms);
    w.say_heated(0, alice);
    w.say_heated(1, alice);
    w.settle(0);
    w.settle(1);
    CHECK(w.dms_to(alice) == 1);
}
