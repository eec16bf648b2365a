#include "platforms/discord/rest.hpp"

#include "core/metrics.hpp"

#include "platforms/discord/commands_json.hpp"
#include "platforms/discord/harness.hpp"
#include "support/temp_folder.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include <unistd.h>

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

core::private_message note(std::string text = "a suggestion")
{
    core::private_message m;
    m.text = std::move(text);
    m.buttons = {{"nudge:helpful:1", "Helpful", core::button_style::primary},
                 {"nudge:stop:1", "Stop these", core::button_style::danger}};
    return m;
}

core::reply_handle handle(std::string id = "1100")
{
    return core::reply_handle{core::platform::discord, std::move(id), "interaction-token",
                              std::chrono::steady_clock::now()};
}

std::vector<fake_request> requests_to(const fake_discord& fake, std::string_view method, std::string_view prefix)
{
    std::vector<fake_request> out;
    for (auto& r : fake.rest_requests())
        if (r.method == method && r.target.rfind(prefix, 0) == 0) out.push_back(r);
    return out;
}

struct outcomes {
    std::vector<core::delivery_outcome> got;
    core::delivery_callback collect()
    {
        return [this](core::delivery_outcome o) { got.push_back(o); };
    }
    std::size_t count(core::delivery_outcome o) const { return std::count(got.begin(), got.end(), o); }
};

}  // namespace

TEST_CASE("REST requests carry the bot token, the DiscordBot user agent and reuse one connection",
          "[discord][rest]")
{
    harness h;
    outcomes out;
    for (int i = 0; i < 3; ++i) h.bot->post_to_channel(core::server_id("1"), core::channel_id("123"), note(), out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 3; }));
    CHECK(out.count(core::delivery_outcome::delivered) == 3);
    auto posts = requests_to(h.fake, "POST", "/api/v10/channels/123/messages");
    REQUIRE(posts.size() == 3);
    CHECK(posts[0].headers["authorization"] == std::string("Bot ") + test_token);
    CHECK(posts[0].headers["user-agent"].rfind("DiscordBot (", 0) == 0);
    auto body = json::parse(posts[0].body);
    CHECK(body["allowed_mentions"]["parse"] == json::array());
    CHECK(body["components"][0]["components"][1]["custom_id"] == "nudge:stop:1");
    CHECK(body["components"][0]["components"][1]["style"] == 4);
    CHECK(body.contains("flags") == false);
}

TEST_CASE("A DM opens the DM channel, then posts the message with no mentions and at most 2000 characters",
          "[discord][rest][dm]")
{
    harness h;
    outcomes out;
    h.bot->send_private(core::user_id("42"), core::server_id("1"), core::channel_id("2"), note(std::string(2500, 'k')),
                        out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 1; }));
    CHECK(out.got[0] == core::delivery_outcome::delivered);
    auto open = requests_to(h.fake, "POST", "/api/v10/users/@me/channels");
    REQUIRE(open.size() == 1);
    CHECK(json::parse(open[0].body)["recipient_id"] == "42");
    auto msg = requests_to(h.fake, "POST", "/api/v10/channels/dm-42/messages");
    REQUIRE(msg.size() == 1);
    auto body = json::parse(msg[0].body);
    CHECK(body["content"].get<std::string>().size() == 2000);
    CHECK(body["allowed_mentions"]["parse"].empty());

    // The DM channel is remembered: a second DM does not open it again.
    h.bot->send_private(core::user_id("42"), core::server_id("1"), core::channel_id("2"), note(), out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 2; }));
    CHECK(h.fake.count_rest("POST", "/api/v10/users/@me/channels") == 1);
}

TEST_CASE("A user with DMs closed (50007) is recorded once, reported undeliverable and not retried",
          "[discord][rest][dm]")
{
    harness h;
    h.fake.on_rest([](const fake_request& r) -> std::optional<fake_response> {
        if (r.target == "/api/v10/channels/dm-77/messages")
            return fake_response{403, R"({"message":"Cannot send messages to this user","code":50007})", {}, 0ms, false};
        return std::nullopt;
    });
    outcomes out;
    for (std::size_t i = 0; i < 3; ++i) {
        h.bot->send_private(core::user_id("77"), core::server_id("1"), core::channel_id("2"), note(), out.collect());
        REQUIRE(h.run_until([&] { return out.got.size() == i + 1; }));
    }
    CHECK(out.count(core::delivery_outcome::undeliverable) == 3);
    CHECK(h.fake.count_rest("POST", "/api/v10/channels/dm-77/messages") == 1);
}

TEST_CASE("A route 429 with retry_after makes the client wait and it never exceeds the advertised limit",
          "[discord][rest][ratelimit]")
{
    harness h;
    // The fake enforces 2 requests per 300 ms window on the route and starts with one 429.
    struct state {
        std::mutex m;
        std::vector<std::chrono::steady_clock::time_point> accepted;
        std::chrono::steady_clock::time_point window_start{};
        int used = 0;
        int violations = 0;
        bool first = true;
        std::chrono::steady_clock::time_point blocked_until{};
    };
    auto st = std::make_shared<state>();
    h.fake.on_rest([st](const fake_request& r) -> std::optional<fake_response> {
        if (r.target != "/api/v10/channels/555/messages") return std::nullopt;
        std::lock_guard lock(st->m);
        auto now = r.at;
        if (st->first) {
            st->first = false;
            st->blocked_until = now + 250ms;
            return fake_response{429,
                                 R"({"message":"You are being rate limited.","retry_after":0.25,"global":false})",
                                 {{"X-RateLimit-Bucket", "abc123"}, {"Retry-After", "1"}, {"X-RateLimit-Scope", "user"}},
                                 0ms,
                                 false};
        }
        if (now < st->blocked_until) ++st->violations;
        if (now - st->window_start >= 300ms) {
            st->window_start = now;
            st->used = 0;
        }
        if (++st->used > 2) ++st->violations;
        auto reset_after = std::chrono::duration<double>(300ms - (now - st->window_start)).count();
        char reset[32];
        std::snprintf(reset, sizeof reset, "%.3f", reset_after);
        return fake_response{200,
                             R"({"id":"1"})",
                             {{"X-RateLimit-Bucket", "abc123"},
                              {"X-RateLimit-Limit", "2"},
                              {"X-RateLimit-Remaining", std::to_string(2 - st->used)},
                              {"X-RateLimit-Reset-After", reset}},
                             0ms,
                             false};
    });
    outcomes out;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 6; ++i)
        h.bot->post_to_channel(core::server_id("1"), core::channel_id("555"), note(), out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 6; }, 8000ms));
    CHECK(out.count(core::delivery_outcome::delivered) == 6);
    std::lock_guard lock(st->m);
    CHECK(st->violations == 0);
    // 250 ms for the 429, then three windows of two.
    CHECK(std::chrono::steady_clock::now() - start >= 250ms + 600ms);
    CHECK(h.fake.count_rest("POST", "/api/v10/channels/555/messages") == 7);
}

TEST_CASE("A global 429 holds every route for retry_after", "[discord][rest][ratelimit]")
{
    harness h;
    auto first = std::make_shared<std::atomic<bool>>(true);
    h.fake.on_rest([first](const fake_request& r) -> std::optional<fake_response> {
        if (first->exchange(false))
            return fake_response{429, R"({"message":"You are being rate limited.","retry_after":0.3,"global":true})",
                                 {{"X-RateLimit-Global", "true"}, {"X-RateLimit-Scope", "global"}}, 0ms, false};
        return std::nullopt;
    });
    outcomes out;
    auto& answered_429 = core::metrics::global().counter("discord_rest_responses_total", {{"status", "429"}});
    const auto before = answered_429.value();
    h.bot->post_to_channel(core::server_id("1"), core::channel_id("601"), note(), out.collect());
    // Until the client has read the 429 (not only until the fake sent it): a request sent before
    // that cannot know of the hold, and under load the second message went out then.
    REQUIRE(h.run_until([&] { return answered_429.value() == before + 1; }));
    auto limited_at = h.fake.rest_requests().at(0).at;
    h.bot->post_to_channel(core::server_id("1"), core::channel_id("602"), note(), out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 2; }));
    auto reqs = h.fake.rest_requests();
    REQUIRE(reqs.size() == 3);
    CHECK(reqs[1].at - limited_at >= 290ms);
    CHECK(reqs[2].at - limited_at >= 290ms);
}

TEST_CASE("A 401 stops the adapter and every later REST call without a storm", "[discord][rest]")
{
    harness h;
    h.fake.on_rest([](const fake_request&) -> std::optional<fake_response> {
        return fake_response{401, R"({"message":"401: Unauthorized","code":0})", {}, 0ms, false};
    });
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.bot->status().finished; }));
    CHECK(h.bot->status().exit_code == 1);
    CHECK(h.bot->status().rest_breaker_open);
    outcomes out;
    for (int i = 0; i < 20; ++i)
        h.bot->post_to_channel(core::server_id("1"), core::channel_id("9"), note(), out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 20; }));
    CHECK(out.count(core::delivery_outcome::failed) == 20);
    CHECK(h.fake.rest_requests().size() == 1);
    CHECK(h.fake.connections() == 0);
    CHECK(h.logs.str().find("401") != std::string::npos);
}

TEST_CASE("Too many 403 answers open the circuit breaker", "[discord][rest]")
{
    harness h({}, [](discord::settings& s) { s.invalid_request_limit = 5; });
    h.fake.on_rest([](const fake_request&) -> std::optional<fake_response> {
        return fake_response{403, R"({"message":"Missing Access","code":50001})", {}, 0ms, false};
    });
    outcomes out;
    for (std::size_t i = 0; i < 12; ++i) {
        h.bot->post_to_channel(core::server_id("1"), core::channel_id("9"), note(), out.collect());
        REQUIRE(h.run_until([&] { return out.got.size() == i + 1; }));
    }
    CHECK(h.fake.rest_requests().size() == 5);
    CHECK(h.bot->status().rest_breaker_open);
}

TEST_CASE("An interaction is answered within the deadline while a slow DM is queued", "[discord][rest][interaction]")
{
    harness h;
    h.fake.on_rest([](const fake_request& r) -> std::optional<fake_response> {
        if (r.target == "/api/v10/users/@me/channels")
            return fake_response{200, R"({"id":"9988","type":1})", {}, 1500ms, false};
        return std::nullopt;
    });
    outcomes dm, answer;
    h.bot->send_private(core::user_id("88"), core::server_id("1"), core::channel_id("2"), note(), dm.collect());
    h.run_for(20ms);
    auto asked = std::chrono::steady_clock::now();
    h.bot->answer_privately(handle("1200"), note("only you can see this"), answer.collect());
    REQUIRE(h.run_until([&] { return answer.got.size() == 1; }));
    CHECK(std::chrono::steady_clock::now() - asked < 500ms);
    CHECK(answer.got[0] == core::delivery_outcome::delivered);
    CHECK(dm.got.empty());
    auto cb = requests_to(h.fake, "POST", "/api/v10/interactions/1200/interaction-token/callback");
    REQUIRE(cb.size() == 1);
    auto body = json::parse(cb[0].body);
    CHECK(body["type"] == 4);
    CHECK(body["data"]["flags"] == 64);
    REQUIRE(h.run_until([&] { return dm.got.size() == 1; }));
    CHECK(dm.got[0] == core::delivery_outcome::delivered);
}

TEST_CASE("A deferred interaction is answered by editing the original response", "[discord][rest][interaction]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());   // the application id comes with READY
    outcomes out;
    auto reply = handle("1300");
    h.bot->defer(reply);
    h.bot->answer_privately(reply, note("done thinking"), out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 1; }));
    CHECK(out.got[0] == core::delivery_outcome::delivered);
    auto cb = requests_to(h.fake, "POST", "/api/v10/interactions/1300/");
    REQUIRE(cb.size() == 1);
    auto body = json::parse(cb[0].body);
    CHECK(body["type"] == 5);
    CHECK(body["data"]["flags"] == 64);
    auto edit = requests_to(h.fake, "PATCH", "/api/v10/webhooks/" + h.fake.options().app_id +
                                                 "/interaction-token/messages/@original");
    CHECK(edit.size() == 1);
}

TEST_CASE("An interaction older than the 3 s deadline is not answered", "[discord][rest][interaction]")
{
    harness h;
    outcomes out;
    auto reply = handle("1400");
    reply.received_at -= 4s;
    h.bot->answer_privately(reply, note(), out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 1; }));
    CHECK(out.got[0] == core::delivery_outcome::failed);
    CHECK(h.fake.rest_requests().empty());
}

TEST_CASE("Command registration runs once across reconnects and restarts", "[discord][rest][commands]")
{
    temp_folder dir("nudgebot-discord-test");
    auto state = dir.file("state.json");
    auto with_state = [&](discord::settings& s) { s.state_file = state; };
    {
        harness h({}, with_state);
        h.bot->use_nudgebot_commands();
        REQUIRE(h.start_and_wait_ready());
        REQUIRE(h.run_until([&] { return h.bot->status().commands_registered; }));
        auto puts = requests_to(h.fake, "PUT", "/api/v10/applications/" + h.fake.options().app_id + "/commands");
        REQUIRE(puts.size() == 1);
        auto body = json::parse(puts[0].body);
        CHECK(body.is_array());
        // Reconnects with a resume and with a brand-new session (a second READY) register nothing.
        h.fake.send_op(7, nullptr);
        REQUIRE(h.run_until([&] { return h.fake.resumes() == 1; }));
        h.fake.send_op(9, false);
        REQUIRE(h.run_until([&] { return h.count<core::session_ready>() == 2; }));
        h.run_for(50ms);
        CHECK(h.fake.count_rest("PUT", "/api/v10/applications/") == 1);
    }
    {
        // A restart with the same command set: the state file says nothing changed.
        harness h({}, with_state);
        h.bot->use_nudgebot_commands();
        REQUIRE(h.start_and_wait_ready());
        REQUIRE(h.run_until([&] { return h.bot->status().commands_registered; }));
        CHECK(h.fake.count_rest("PUT", "/api/v10/applications/") == 0);
    }
    {
        // Moving to a development guild is a different scope: registered once, in the guild.
        harness h({}, [&](discord::settings& s) {
            s.state_file = state;
            s.dev_guild_id = "300000000000000001";
        });
        h.bot->use_nudgebot_commands();
        REQUIRE(h.start_and_wait_ready());
        REQUIRE(h.run_until([&] { return h.bot->status().commands_registered; }));
        CHECK(h.fake.count_rest("PUT", "/api/v10/applications/" + h.fake.options().app_id +
                                           "/guilds/300000000000000001/commands") == 1);
    }
}

TEST_CASE("The command set becomes Discord commands with MANAGE_GUILD for moderator commands",
          "[discord][commands]")
{
    auto j = discord::to_discord_commands(core::nudgebot_commands());
    REQUIRE(j.is_array());
    bool saw_admin = false, saw_message = false;
    for (const auto& c : j) {
        if (c["name"] == "nudge-admin") {
            saw_admin = true;
            CHECK(c["default_member_permissions"] == "32");
            CHECK(c["type"] == 1);
        }
        if (c["type"] == 3) {
            saw_message = true;
            CHECK(c["name"] == "Suggest a kind reply");
            CHECK(!c.contains("description"));
        }
        if (c["name"] == "nudge") CHECK(!c.contains("default_member_permissions"));
    }
    CHECK(saw_admin);
    CHECK(saw_message);
    auto global = discord::command_set_hash(j, std::nullopt);
    CHECK(global.size() == 64);
    CHECK(global == discord::command_set_hash(j, std::nullopt));
    CHECK(global != discord::command_set_hash(j, std::string("1")));
}

TEST_CASE("A 5xx answer or a dropped connection is retried, then the message is delivered", "[discord][rest]")
{
    harness h;
    auto calls = std::make_shared<std::atomic<int>>(0);
    h.fake.on_rest([calls](const fake_request&) -> std::optional<fake_response> {
        int n = calls->fetch_add(1);
        if (n == 0) return fake_response{502, R"({"message":"bad gateway"})", {}, 0ms, false};
        if (n == 1) return fake_response{200, "", {}, 0ms, true};   // TCP closed without an answer
        return std::nullopt;
    });
    outcomes out;
    h.bot->post_to_channel(core::server_id("1"), core::channel_id("321"), note(), out.collect());
    REQUIRE(h.run_until([&] { return out.got.size() == 1; }));
    CHECK(out.got[0] == core::delivery_outcome::delivered);
    CHECK(h.fake.count_rest("POST", "/api/v10/channels/321/messages") == 3);
}
