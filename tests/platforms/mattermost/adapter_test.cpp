#include "platforms/mattermost/adapter.hpp"

#include "platforms/mattermost/harness.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <catch2/catch.hpp>

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("The Mattermost adapter connects with the bot token, learns its connection id and reports DMs as the "
          "delivery path",
          "[mattermost][socket]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    CHECK(h.fake.connection_targets().at(0) == "/api/v4/websocket");
    auto ready = h.all<core::session_ready>().at(0);
    CHECK(ready.where == core::platform::mattermost);
    CHECK(ready.bot_user.str() == h.fake.options().bot_user);
    CHECK_FALSE(h.bot->status().ephemeral_allowed);
    CHECK(h.bot->status().connection_id.starts_with("conn1"));
    CHECK(h.logs.str().find("nudges are sent as DMs") != std::string::npos);
    auto me = h.fake.calls("GET", "/api/v4/users/me");
    REQUIRE(me.size() == 1);
    CHECK(me[0].authorization == "Bearer " + h.fake.options().token);
}

TEST_CASE("The Mattermost adapter can authenticate with an authentication_challenge instead of the header",
          "[mattermost][socket]")
{
    mm_harness h({}, [](mattermost::settings& s) { s.authentication_challenge = true; });
    REQUIRE(h.start_and_wait_ready());
    auto frames = h.fake.received();
    REQUIRE(frames.size() >= 1);
    CHECK(frames[0]["action"] == "authentication_challenge");
    CHECK(frames[0]["seq"] == 1);
    CHECK(frames[0]["data"]["token"] == h.fake.options().token);
}

TEST_CASE("posted events carry the post as JSON inside JSON and become messages; bots and system posts are skipped",
          "[mattermost][socket]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    auto root = h.post(mm_user("alice"), "the root");
    h.fake.post_event("posted", root);
    auto reply = h.post(mm_user("bob"), "a reply", root["id"]);
    h.fake.post_event("posted", reply, mm_team, json::array({mm_user("alice"), "not-an-id"}));
    auto from_bot = h.post(mm_user("hook"), "beep");
    from_bot["props"] = {{"from_bot", "true"}};
    h.fake.post_event("posted", from_bot);
    auto system = h.post(mm_user("carol"), "carol joined");
    system["type"] = "system_join_channel";
    h.fake.post_event("posted", system);
    h.fake.post_event("posted", h.post(h.fake.options().bot_user, "my own nudge"));
    auto edited = reply;
    edited["message"] = "a calmer reply";
    edited["edit_at"] = 1767225609999;
    h.fake.post_event("post_edited", edited);
    h.fake.post_event("post_deleted", root);
    REQUIRE(h.run_until([&] { return h.all<core::message_deleted>().size() == 1; }));
    auto created = h.all<core::message_created>();
    REQUIRE(created.size() == 2);
    const auto& m = created[1].message;
    CHECK(m.where == core::platform::mattermost);
    CHECK(m.server.str() == mm_team);
    CHECK(m.channel.str() == mm_channel);
    CHECK(m.author.str() == mm_user("bob"));
    CHECK(m.text == "a reply");
    REQUIRE(m.reply_to);
    CHECK(m.reply_to->str() == root["id"].get<std::string>());
    REQUIRE(m.mentions.size() == 1);
    CHECK(m.mentions[0].str() == mm_user("alice"));
    REQUIRE(h.all<core::message_edited>().size() == 1);
    CHECK(h.all<core::message_edited>()[0].message.text == "a calmer reply");
}

TEST_CASE("A posted event whose inner post is not JSON is skipped and counted, and the stream goes on",
          "[mattermost][socket]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    auto inner = metric("mattermost_socket_errors_total", {{"kind", "inner_json"}});
    auto malformed = metric("mattermost_socket_errors_total", {{"kind", "malformed"}});
    h.fake.send_event({{"event", "posted"}, {"data", {{"post", "{\"id\": \"x\", broken"}, {"team_id", mm_team}}}});
    h.fake.send_event({{"event", "posted"}, {"data", {{"post", "[1,2]"}}}});
    h.fake.send_raw("not json at all");
    h.fake.send_event({{"event", "posted"}, {"data", {{"post", 17}}}});
    h.fake.post_event("posted", h.post(mm_user("alice"), "fine"));
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 1; }));
    CHECK(metric("mattermost_socket_errors_total", {{"kind", "inner_json"}}) - inner == 2);
    CHECK(metric("mattermost_socket_errors_total", {{"kind", "malformed"}}) - malformed == 1);
    CHECK(h.bot->status().connections_opened == 1);
}

TEST_CASE("After a drop the adapter reconnects with connection_id and sequence_number and missed events replay once",
          "[mattermost][socket]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.post_event("posted", h.post(mm_user("alice"), "before"));
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 1; }));
    auto id = h.bot->status().connection_id;
    h.fake.drop();
    h.fake.post_event("posted", h.post(mm_user("alice"), "during the gap"));
    h.fake.post_event("posted", h.post(mm_user("bob"), "also during the gap"));
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 3; }));
    auto targets = h.fake.connection_targets();
    REQUIRE(targets.size() == 2);
    CHECK(targets[1] == "/api/v4/websocket?connection_id=" + id + "&sequence_number=2");
    h.run_for(50ms);
    CHECK(h.all<core::message_created>().size() == 3);
    CHECK(h.all<core::message_created>()[1].message.text == "during the gap");
    CHECK(h.bot->status().connection_id == id);
}

TEST_CASE("A resume the server cannot honour starts a new session and says events may be missing",
          "[mattermost][socket]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    auto id = h.bot->status().connection_id;
    h.fake.forget_sessions();
    h.fake.drop();
    REQUIRE(h.run_until([&] { return h.fake.connections() == 2 && h.bot->status().connected && h.bot->status().connection_id != id; }));
    h.fake.post_event("posted", h.post(mm_user("alice"), "after"));
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 1; }));
    CHECK(h.logs.str().find("were not replayed") != std::string::npos);
}

TEST_CASE("Slash commands are verified with their token, parsed, and answered later through response_url",
          "[mattermost][commands]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.make_team_admin(mm_user("mod"));
    h.fake.add_channel("random", "rand00000000000000000000001");

    auto wrong = h.bot->handle_http(h.command("/nudge", "on", mm_user("alice"), "r0", "not-the-token"));
    REQUIRE(wrong);
    CHECK(wrong->status == 401);

    auto on = h.bot->handle_http(h.command("/nudge", "on style:gentle", mm_user("alice"), "r1"));
    REQUIRE(on);
    CHECK(on->status == 200);
    CHECK(on->body.empty());
    h.bot->handle_http(h.command("/nudge-admin", "channels enable ~random", mm_user("alice"), "r2"));
    h.bot->handle_http(h.command("/nudge-admin", "channels enable ~random", mm_user("mod"), "r3"));
    REQUIRE(h.run_until([&] { return h.all<core::command_invocation>().size() == 3; }));
    auto inv = h.all<core::command_invocation>();
    CHECK(inv[0].name == "nudge");
    CHECK(inv[0].options.at("style") == "gentle");
    CHECK(inv[0].reply.token == h.fake.response_url("r1"));
    for (std::size_t i = 1; i < 3; ++i) {
        CHECK(inv[i].path == std::vector<std::string>{"channels", "enable"});
        CHECK(inv[i].options.at("channel") == "rand00000000000000000000001");
        CHECK(inv[i].invoker_is_moderator == (inv[i].invoker.str() == mm_user("mod")));
    }

    auto bad = h.bot->handle_http(h.command("/nudge-admin", "sensitivity extreme", mm_user("mod"), "r4"));
    REQUIRE(bad);
    auto body = json::parse(bad->body);
    CHECK(body["response_type"] == "ephemeral");
    CHECK(body["text"].get<std::string>().find("low medium high") != std::string::npos);

    bool answered = false;
    h.bot->answer_privately(inv[0].reply, {"You are in.", {}}, [&](auto o) { answered = o == core::delivery_outcome::delivered; });
    REQUIRE(h.run_until([&] { return answered; }));
    auto hooks = h.fake.calls("POST", "/hooks/commands/r1");
    REQUIRE(hooks.size() == 1);
    CHECK(hooks[0].body["response_type"] == "ephemeral");
    CHECK(hooks[0].body["text"] == "You are in.");
    CHECK_FALSE(h.bot->handle_http(net::server_request{"POST", "/elsewhere", {}, "", "127.0.0.1"}));
}

TEST_CASE("Nudges go as DMs without the ephemeral permission, and ephemeral in the channel with it",
          "[mattermost][delivery]")
{
    core::private_message m{"Maybe ask what they meant?", {{"nb:helpful:3", "Helpful", core::button_style::primary}}};
    {
        mm_harness h;
        REQUIRE(h.start_and_wait_ready());
        std::optional<core::delivery_outcome> outcome;
        h.bot->send_private(core::user_id(mm_user("alice")), core::server_id(mm_team), core::channel_id(mm_channel), m,
                            [&](auto o) { outcome = o; });
        REQUIRE(h.run_until([&] { return outcome.has_value(); }));
        CHECK(*outcome == core::delivery_outcome::delivered);
        CHECK(h.fake.calls("POST", "/api/v4/posts/ephemeral").empty());
        auto direct = h.fake.calls("POST", "/api/v4/channels/direct");
        REQUIRE(direct.size() == 1);
        CHECK(direct[0].body == json::array({h.fake.options().bot_user, mm_user("alice")}));
        auto posts = h.fake.calls("POST", "/api/v4/posts");
        REQUIRE(posts.size() == 1);
        CHECK(posts[0].body["message"] == m.text);
        auto action = posts[0].body["props"]["attachments"][0]["actions"][0];
        CHECK(action["integration"]["context"]["custom_id"] == "nb:helpful:3");
        CHECK(action["style"] == "primary");
    }
    {
        fake_mattermost_options fo;
        fo.ephemeral_permission = true;
        mm_harness h(fo);
        REQUIRE(h.start_and_wait_ready());
        CHECK(h.bot->status().ephemeral_allowed);
        std::optional<core::delivery_outcome> outcome;
        h.bot->send_private(core::user_id(mm_user("alice")), core::server_id(mm_team), core::channel_id(mm_channel), m,
                            [&](auto o) { outcome = o; });
        REQUIRE(h.run_until([&] { return outcome.has_value(); }));
        CHECK(*outcome == core::delivery_outcome::delivered);
        auto eph = h.fake.calls("POST", "/api/v4/posts/ephemeral");
        REQUIRE(eph.size() == 1);
        CHECK(eph[0].body["user_id"] == mm_user("alice"));
        CHECK(eph[0].body["post"]["channel_id"] == mm_channel);
        CHECK(h.fake.calls("POST", "/api/v4/posts").empty());
    }
}

TEST_CASE("Button presses arrive as action POSTs with a checked secret and are answered privately",
          "[mattermost][interactive]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    core::private_message m{"Maybe ask what they meant?",
                            {{"nb:stop:1", "Stop these", core::button_style::danger},
                             {"nb:helpful:1", "Helpful", core::button_style::primary}}};
    bool sent = false;
    h.bot->send_private(core::user_id(mm_user("alice")), core::server_id(mm_team), core::channel_id(mm_channel), m,
                        [&](auto) { sent = true; });
    REQUIRE(h.run_until([&] { return sent; }));
    auto actions = h.fake.calls("POST", "/api/v4/posts").at(0).body["props"]["attachments"][0]["actions"];
    auto stop_context = actions[0]["integration"]["context"];
    auto helpful_context = actions[1]["integration"]["context"];
    // The context carries a signature of its own button, never the secret.
    CHECK(stop_context.dump().find(mm_action_secret) == std::string::npos);
    CHECK(stop_context["custom_id"] == "nb:stop:1");

    auto forged = h.bot->handle_http(h.action(mm_user("alice"), {{"custom_id", "nb:stop:1"}, {"mac", "guessed"}}));
    REQUIRE(forged);
    CHECK(forged->status == 403);
    // The old shape (the secret itself in the context) no longer opens anything.
    auto with_secret = h.bot->handle_http(h.action(mm_user("alice"), {{"custom_id", "nb:stop:1"}, {"secret", mm_action_secret}}));
    CHECK(with_secret->status == 403);
    // One leaked context cannot press another button.
    auto other = h.bot->handle_http(
        h.action(mm_user("alice"), {{"custom_id", "nb:stop:2"}, {"mac", helpful_context["mac"]}}));
    CHECK(other->status == 403);
    CHECK(h.all<core::button_press>().empty());

    auto ok = h.bot->handle_http(h.action(mm_user("alice"), stop_context));
    REQUIRE(ok);
    CHECK(ok->status == 200);
    REQUIRE(h.all<core::button_press>().size() == 1);
    auto press = h.all<core::button_press>()[0];
    CHECK(press.custom_id == "nb:stop:1");
    CHECK(press.user.str() == mm_user("alice"));
    bool done = false;
    h.bot->answer_privately(press.reply, {"Stopped.", {}}, [&](auto) { done = true; });
    REQUIRE(h.run_until([&] { return done; }));
    auto posts = h.fake.calls("POST", "/api/v4/posts");
    REQUIRE(posts.size() == 2);
    CHECK(posts[1].body["message"] == "Stopped.");
}

TEST_CASE("A 429 from the Mattermost API is waited out and the post goes through", "[mattermost][rest]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    std::atomic<int> n{0};
    h.fake.on_rest([&](const fake_mm_call& c) -> std::optional<fake_mm_answer> {
        if (c.path == "/api/v4/posts" && n++ == 0)
            return fake_mm_answer{429, "limit exceeded", {{"X-Ratelimit-Reset", "1"}}};
        return std::nullopt;
    });
    std::optional<core::delivery_outcome> outcome;
    h.bot->post_to_channel(core::server_id(mm_team), core::channel_id(mm_channel), {"alert", {}}, [&](auto o) { outcome = o; });
    REQUIRE(h.run_until([&] { return outcome.has_value(); }));
    CHECK(*outcome == core::delivery_outcome::delivered);
    auto posts = h.fake.calls("POST", "/api/v4/posts");
    REQUIRE(posts.size() == 2);
    CHECK(posts[1].at - posts[0].at >= 950ms);
}

TEST_CASE("Neither the Mattermost tokens nor message text reach the log", "[mattermost][privacy]")
{
    mm_harness h({}, [](mattermost::settings& s) { s.authentication_challenge = true; });
    REQUIRE(h.start_and_wait_ready());
    h.fake.post_event("posted", h.post(mm_user("alice"), "private words here"));
    h.fake.send_event({{"event", "posted"}, {"data", {{"post", "{private words broken"}}}});
    h.bot->handle_http(h.command("/nudge", "check text: my secret draft", mm_user("alice"), "r1", "wrong-token-secret"));
    h.bot->handle_http(h.command("/nudge", "check text: my secret draft", mm_user("alice"), "r2"));
    h.fake.drop();
    REQUIRE(h.run_until([&] { return h.all<core::command_invocation>().size() == 1 && h.fake.connections() == 2 &&
                                     h.bot->status().connected; }));
    auto logs = h.logs.str();
    CHECK_FALSE(logs.empty());
    for (const std::string& secret : {h.fake.options().token, std::string(mm_command_token), std::string("wrong-token-secret"),
                                     std::string("private words"), std::string("my secret draft")})
        CHECK(logs.find(secret) == std::string::npos);
}

TEST_CASE("A rejected Mattermost token ends the adapter with an error", "[mattermost][privacy]")
{
    mm_harness h({}, [](mattermost::settings& s) { s.token = "wrong-token-value"; });
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.bot->status().finished; }));
    CHECK(h.bot->status().exit_code == 1);
    CHECK(h.logs.str().find("rejected the bot token") != std::string::npos);
    CHECK(h.logs.str().find("wrong-token-value") == std::string::npos);
}

TEST_CASE("Slash commands reach the adapter through nudgebot's own HTTP listener", "[mattermost][commands][http]")
{
    mm_harness h;
    REQUIRE(h.start_and_wait_ready());
    net::http_server server(h.ioc, net::http_server_options{}, [&](const net::server_request& r) {
        if (auto answer = h.bot->handle_http(r)) return *answer;
        return net::server_response::text(404, "not found");
    });
    REQUIRE(server.start().empty());
    net::http_client client(h.ioc);
    auto form = h.command("/nudge", "status", mm_user("alice"), "r1");
    std::optional<net::http_response> answer, other;
    boost::asio::co_spawn(
        h.ioc,
        [&]() -> boost::asio::awaitable<void> {
            net::http_request req;
            req.method = "POST";
            req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/mattermost/command";
            req.headers = form.headers;
            req.body = form.body;
            answer = co_await client.request(req);
            req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/other";
            other = co_await client.request(req);
        },
        boost::asio::detached);
    REQUIRE(h.run_until([&] { return other.has_value() && h.all<core::command_invocation>().size() == 1; }));
    CHECK(answer->status == 200);
    CHECK(other->status == 404);
    CHECK(h.all<core::command_invocation>()[0].path == std::vector<std::string>{"status"});
    server.stop();
}
