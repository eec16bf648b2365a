#include "platforms/slack/adapter.hpp"

#include "platforms/slack/harness.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

core::private_message with_buttons(std::string text)
{
    return {std::move(text),
            {{"nb:helpful:1", "Helpful", core::button_style::primary}, {"nb:stop:1", "Stop these", core::button_style::danger}}};
}

}  // namespace

TEST_CASE("The Slack adapter opens Socket Mode with the app token and is ready after hello", "[slack][socket]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    auto opens = h.fake.calls("apps.connections.open");
    REQUIRE(opens.size() == 1);
    CHECK(opens[0].authorization == std::string("Bearer ") + slack_app_token);
    auto auth = h.fake.calls("auth.test");
    REQUIRE(auth.size() == 1);
    CHECK(auth[0].authorization == std::string("Bearer ") + slack_bot_token);
    auto ready = h.all<core::session_ready>().at(0);
    CHECK(ready.where == core::platform::slack);
    CHECK(ready.bot_user.str() == "UBOT");
    REQUIRE(ready.servers.size() == 1);
    CHECK(ready.servers[0].str() == "T1");
    CHECK(h.bot->status().open_connections == 1);
}

TEST_CASE("Every envelope is acked at once, before its event is handled", "[slack][socket]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    std::optional<bool> acked_before_handling;
    auto acks = metric("slack_acks_total");
    h.forward = [&](const core::event& e) {
        // The ack is already queued on the socket (ahead of everything else) when the event is handled.
        if (std::holds_alternative<core::message_created>(e))
            acked_before_handling = metric("slack_acks_total") == acks + 1;
    };
    auto sent_at = std::chrono::steady_clock::now();
    h.fake.send(fake_slack::message_envelope("env-1", "Ev1", "U1", "a thread reply for <@U2>", "1700000001.000100", "C1",
                                             "1700000000.000100"));
    REQUIRE(h.run_until([&] { return h.fake.ack_for("env-1").has_value() && acked_before_handling.has_value(); }));
    auto ack = *h.fake.ack_for("env-1");
    CHECK(ack.payload.is_null());
    CHECK(ack.at - sent_at < 3s);   // Slack's deadline
    CHECK(*acked_before_handling);
    auto m = h.all<core::message_created>().at(0).message;
    CHECK(m.where == core::platform::slack);
    CHECK(m.server.str() == "T1");
    CHECK(m.channel.str() == "C1");
    CHECK(m.author.str() == "U1");
    CHECK(m.id.str() == "1700000001.000100");
    REQUIRE(m.reply_to);
    CHECK(m.reply_to->str() == "1700000000.000100");
    REQUIRE(m.mentions.size() == 1);
    CHECK(m.mentions[0].str() == "U2");
    CHECK(m.sent_at == core::wall_time{} + 1700000001s + 100us);
}

TEST_CASE("A disconnect opens a new connection first and no event is lost in the switch-over", "[slack][socket]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.set_send_hello(false);
    h.fake.disconnect("refresh_requested", 0);
    REQUIRE(h.run_until([&] { return h.fake.connections() == 2; }));
    // The old connection still delivers while the new one has not said hello.
    h.fake.send(fake_slack::message_envelope("env-a", "EvA", "U1", "first", "1700000001.000001"), 0);
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 1; }));
    CHECK(h.bot->status().open_connections == 2);
    h.fake.send_raw(json{{"type", "hello"}}.dump(), 1);
    REQUIRE(h.run_until([&] { return h.fake.open_connections() == 1 && h.bot->status().open_connections == 1; }));
    h.fake.send(fake_slack::message_envelope("env-b", "EvB", "U1", "second", "1700000002.000001"), 1);
    // The acks reach the fake on its own thread, after the bot has queued them: wait for them too.
    REQUIRE(h.run_until([&] {
        return h.all<core::message_created>().size() == 2 && h.fake.ack_for("env-a") && h.fake.ack_for("env-b");
    }));
    CHECK(h.fake.ack_for("env-a")->connection == 0);
    CHECK(h.fake.ack_for("env-b")->connection == 1);
    CHECK(h.fake.calls("apps.connections.open").size() == 2);
    CHECK(h.bot->status().connected);
}

TEST_CASE("Each disconnect reason leads to a fresh connection", "[slack][socket]")
{
    for (std::string reason : {"warning", "too_many_websockets", "refresh_requested"}) {
        slack_harness h;
        REQUIRE(h.start_and_wait_ready());
        h.fake.disconnect(reason, 0);
        REQUIRE(h.run_until([&] { return h.fake.connections() == 2 && h.bot->status().open_connections == 1 &&
                                         h.bot->status().connected; }));
        h.fake.send(fake_slack::message_envelope("env-" + reason, "Ev-" + reason, "U1", "hi", "1700000003.000001"), 1);
        REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 1; }));
    }
}

TEST_CASE("A connection that ends without a disconnect message is opened again", "[slack][socket]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.close(0);
    REQUIRE(h.run_until([&] { return h.fake.connections() == 2 && h.bot->status().connected; }));
    h.fake.send(fake_slack::message_envelope("env-1", "Ev1", "U1", "hello again", "1700000004.000001"), 1);
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 1; }));
}

TEST_CASE("A connection that never says hello is given up and another one is opened", "[slack][socket]")
{
    slack_harness h([](slack::settings& s) { s.connect_timeout = std::chrono::milliseconds(300); });
    h.fake.set_send_hello(false);
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.fake.connections() >= 2; }));
    CHECK_FALSE(h.bot->status().connected);
    h.fake.set_send_hello(true);
    REQUIRE(h.run_until([&] { return h.bot->status().connected; }));
    CHECK(h.bot->status().open_connections == 1);
}

TEST_CASE("An idle connection stays up: the keepalive pings are answered", "[slack][socket]")
{
    slack_harness h([](slack::settings& s) { s.keepalive = std::chrono::milliseconds(200); });
    REQUIRE(h.start_and_wait_ready());
    h.run_for(std::chrono::milliseconds(700));
    CHECK(h.fake.connections() == 1);
    CHECK(h.bot->status().connected);
}

TEST_CASE("A retried envelope is acked again but handled once", "[slack][socket][dedupe]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    auto before = metric("slack_duplicates_total");
    auto first = fake_slack::message_envelope("env-1", "Ev1", "U1", "once", "1700000005.000001");
    auto retry = first;
    retry["envelope_id"] = "env-2";
    retry["retry_attempt"] = 1;
    retry["retry_reason"] = "timeout";
    h.fake.send(first);
    h.fake.send(retry);
    // The same message again under another event id (a second connection's copy).
    h.fake.send(fake_slack::message_envelope("env-3", "Ev9", "U1", "once", "1700000005.000001"));
    REQUIRE(h.run_until([&] { return h.fake.acks().size() == 3; }));
    h.run_for(50ms);
    CHECK(h.all<core::message_created>().size() == 1);
    CHECK(metric("slack_duplicates_total") - before == 2);
}

TEST_CASE("Retries are recognised for the whole dedupe window and the memory of them is bounded", "[slack][dedupe]")
{
    core::manual_clock clock;
    slack_harness h([](slack::settings& s) { s.dedupe_limit = 100; }, &clock);
    REQUIRE(h.start_and_wait_ready());
    auto env = fake_slack::message_envelope("env-1", "Ev1", "U1", "hello", "1700000010.000001");
    h.fake.send(env);
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 1; }));
    clock.advance(14min);
    env["envelope_id"] = "env-2";
    h.fake.send(env);
    REQUIRE(h.run_until([&] { return h.fake.ack_for("env-2").has_value(); }));
    h.run_for(20ms);
    CHECK(h.all<core::message_created>().size() == 1);   // 14 minutes later: still a retry
    clock.advance(2min);
    env["envelope_id"] = "env-3";
    h.fake.send(env);
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 2; }));   // past the window
    // 200 other messages push the first out of a 100-key memory.
    for (int i = 0; i < 200; ++i)
        h.fake.send(fake_slack::message_envelope("f" + std::to_string(i), "EvF" + std::to_string(i), "U1", "x",
                                                 "1700000011." + std::to_string(100000 + i)));
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 202; }));
    env["envelope_id"] = "env-4";
    h.fake.send(env);
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 203; }));
}

TEST_CASE("Malformed frames and payloads are skipped and counted, and the connection goes on", "[slack][socket]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    auto malformed = metric("slack_socket_errors_total", {{"kind", "malformed"}});
    auto bad_payload = metric("slack_socket_errors_total", {{"kind", "malformed_payload"}});
    h.fake.send_raw("this is not JSON {");
    h.fake.send_raw(json{{"envelope_id", "env-x"}}.dump());   // no type
    h.fake.send_raw("[1,2,3]");
    auto env = fake_slack::message_envelope("env-2", "Ev2", "U1", "x", "1700000006.000001");
    env["payload"]["event"]["text"] = 42;
    h.fake.send(env);
    auto env2 = fake_slack::message_envelope("env-3", "Ev3", "U1", "x", "1700000006.000002");
    env2["payload"] = "{\"event\": not json";   // a JSON string where an object belongs
    h.fake.send(env2);
    h.fake.send(fake_slack::message_envelope("env-4", "Ev4", "U1", "still here", "1700000006.000003"));
    // The acks reach the fake on its own thread, after the bot has queued them: the event for the
    // last envelope can come first, so wait for the acks of all four as well.
    REQUIRE(h.run_until([&] {
        return h.all<core::message_created>().size() == 1 && h.fake.ack_for("env-4").has_value() &&
               h.fake.acks().size() >= 4;
    }));
    CHECK(h.fake.ack_for("env-x").has_value());
    CHECK(h.fake.ack_for("env-2").has_value());
    CHECK(h.fake.ack_for("env-3").has_value());
    CHECK(metric("slack_socket_errors_total", {{"kind", "malformed"}}) - malformed == 3);
    CHECK(metric("slack_socket_errors_total", {{"kind", "malformed_payload"}}) - bad_payload == 2);
    CHECK(h.all<core::message_created>()[0].message.id.str() == "1700000006.000003");
    CHECK(h.bot->status().connections_opened == 1);
}

TEST_CASE("Bot messages, the bot's own messages and joins are ignored; edits and deletes come through",
          "[slack][socket]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    auto bot_msg = fake_slack::message_envelope("env-1", "Ev1", "U1", "beep", "1700000007.000001");
    bot_msg["payload"]["event"]["bot_id"] = "B9";
    h.fake.send(bot_msg);
    h.fake.send(fake_slack::message_envelope("env-2", "Ev2", "UBOT", "my own nudge", "1700000007.000002"));
    auto join = fake_slack::message_envelope("env-3", "Ev3", "U1", "has joined", "1700000007.000003");
    join["payload"]["event"]["subtype"] = "channel_join";
    h.fake.send(join);
    auto edit = fake_slack::message_envelope("env-4", "Ev4", "U1", "", "1700000007.000004");
    edit["payload"]["event"] = {{"type", "message"},
                                {"subtype", "message_changed"},
                                {"channel", "C1"},
                                {"event_ts", "1700000007.000009"},
                                {"message", {{"user", "U1"}, {"text", "new words"}, {"ts", "1700000007.000001"}}},
                                {"previous_message", {{"user", "U1"}, {"text", "old words"}, {"ts", "1700000007.000001"}}}};
    h.fake.send(edit);
    auto del = fake_slack::message_envelope("env-5", "Ev5", "U1", "", "1700000007.000005");
    del["payload"]["event"] = {{"type", "message"}, {"subtype", "message_deleted"}, {"channel", "C1"},
                               {"deleted_ts", "1700000007.000001"}};
    h.fake.send(del);
    REQUIRE(h.run_until([&] { return h.all<core::message_deleted>().size() == 1; }));
    CHECK(h.all<core::message_created>().empty());
    REQUIRE(h.all<core::message_edited>().size() == 1);
    CHECK(h.all<core::message_edited>()[0].message.text == "new words");
    CHECK(h.all<core::message_deleted>()[0].id.str() == "1700000007.000001");
}

TEST_CASE("A 429 from the Web API is waited out for Retry-After and the call succeeds", "[slack][web]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    std::atomic<int> seen{0};
    h.fake.on_web([&](const fake_slack_call& c) -> std::optional<fake_slack_answer> {
        if (c.method == "chat.postEphemeral" && seen++ == 0)
            return fake_slack_answer{429, R"({"ok":false,"error":"ratelimited"})", {{"Retry-After", "1"}}};
        return std::nullopt;
    });
    std::optional<core::delivery_outcome> outcome;
    h.bot->send_private(core::user_id("U1"), core::server_id("T1"), core::channel_id("C1"), with_buttons("hi"),
                        [&](core::delivery_outcome o) { outcome = o; });
    REQUIRE(h.run_until([&] { return outcome.has_value(); }, 5s));
    CHECK(*outcome == core::delivery_outcome::delivered);
    auto calls = h.fake.calls("chat.postEphemeral");
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].at - calls[0].at >= 950ms);
}

TEST_CASE("A push nudge is an ephemeral message with buttons, and a DM when the person is not in the channel",
          "[slack][delivery]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.put_outside_channel("U2");
    std::vector<core::delivery_outcome> outcomes;
    h.bot->send_private(core::user_id("U1"), core::server_id("T1"), core::channel_id("C1"),
                        with_buttons("**Maybe** say it softer"), [&](auto o) { outcomes.push_back(o); });
    h.bot->send_private(core::user_id("U2"), core::server_id("T1"), core::channel_id("C1"), with_buttons("hello"),
                        [&](auto o) { outcomes.push_back(o); });
    REQUIRE(h.run_until([&] { return outcomes.size() == 2; }));
    CHECK(outcomes[0] == core::delivery_outcome::delivered);
    CHECK(outcomes[1] == core::delivery_outcome::delivered);
    auto eph = h.fake.calls("chat.postEphemeral");
    REQUIRE(eph.size() == 2);
    const auto& b = eph[0].body["user"] == "U1" ? eph[0].body : eph[1].body;
    CHECK(b["channel"] == "C1");
    CHECK(b["text"] == "*Maybe* say it softer");
    CHECK(b["blocks"][1]["elements"][0]["action_id"] == "nb:helpful:1");
    CHECK(b["blocks"][1]["elements"][0]["style"] == "primary");
    CHECK(b["blocks"][1]["elements"][1]["style"] == "danger");
    CHECK(eph[0].authorization == std::string("Bearer ") + slack_bot_token);
    auto open = h.fake.calls("conversations.open");
    REQUIRE(open.size() == 1);
    CHECK(open[0].body["users"] == "U2");
    auto posts = h.fake.calls("chat.postMessage");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].body["channel"] == "DU2");
    CHECK(posts[0].body["text"] == "hello");
}

TEST_CASE("Slash commands are parsed from their text; moderators are workspace admins or the configured group",
          "[slack][commands]")
{
    slack_harness h([](slack::settings& s) { s.moderator_group = "S1"; });
    REQUIRE(h.start_and_wait_ready());
    h.fake.make_admin("UADMIN");
    h.fake.set_group({"UMOD"});
    h.fake.send(fake_slack::slash_envelope("env-1", "/nudge", "on style:direct crisis_card:no", "U1", h.fake.response_url("1")));
    h.fake.send(fake_slack::slash_envelope("env-2", "/nudge-admin", "channels enable <#C2|random>", "U1", h.fake.response_url("2")));
    h.fake.send(fake_slack::slash_envelope("env-3", "/nudge-admin", "channels enable <#C2|random>", "UADMIN", h.fake.response_url("3")));
    h.fake.send(fake_slack::slash_envelope("env-4", "/nudge-admin", "sensitivity high", "UMOD", h.fake.response_url("4")));
    REQUIRE(h.run_until([&] { return h.all<core::command_invocation>().size() == 4; }));
    h.fake.send(fake_slack::slash_envelope("env-5", "/nudge-admin", "stats days:7", "UADMIN", h.fake.response_url("5")));
    REQUIRE(h.run_until([&] { return h.all<core::command_invocation>().size() == 5; }));
    auto inv = h.all<core::command_invocation>();
    auto by = [&](const std::string& handle) {
        for (auto& i : inv)
            if (i.reply.id == "trig-" + handle) return i;
        FAIL("no invocation for " << handle);
        return core::command_invocation{};
    };
    auto on = by("env-1");
    CHECK(on.name == "nudge");
    CHECK(on.path == std::vector<std::string>{"on"});
    CHECK(on.options == std::map<std::string, std::string>{{"style", "direct"}, {"crisis_card", "false"}});
    CHECK(on.reply.token == h.fake.response_url("1"));
    CHECK_FALSE(by("env-2").invoker_is_moderator);
    CHECK(by("env-2").options.at("channel") == "C2");
    CHECK(by("env-3").invoker_is_moderator);
    CHECK(by("env-3").path == std::vector<std::string>{"channels", "enable"});
    CHECK(by("env-4").invoker_is_moderator);
    CHECK(by("env-4").options.at("level") == "high");
    CHECK(by("env-5").invoker_is_moderator);
    // The admin's rights were looked up once and cached.
    std::size_t admin_lookups = 0;
    for (auto& c : h.fake.calls("users.info"))
        if (c.target.find("UADMIN") != std::string::npos) ++admin_lookups;
    CHECK(admin_lookups == 1);
}

TEST_CASE("A slash command with text that does not parse is answered in the ack with the usage", "[slack][commands]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.send(fake_slack::slash_envelope("env-1", "/nudge-admin", "frobnicate everything", "U1", h.fake.response_url("1")));
    h.fake.send(fake_slack::slash_envelope("env-2", "/nudge", "", "U1", h.fake.response_url("2")));
    REQUIRE(h.run_until([&] { return h.fake.ack_for("env-1") && h.all<core::command_invocation>().size() == 1; }));
    auto ack = *h.fake.ack_for("env-1");
    REQUIRE(ack.payload.is_object());
    CHECK(ack.payload["response_type"] == "ephemeral");
    CHECK(ack.payload["text"].get<std::string>().find("/nudge-admin channels enable") != std::string::npos);
    CHECK(ack.payload["text"].get<std::string>().find("frobnicate") == std::string::npos);
    CHECK(h.all<core::command_invocation>()[0].path == std::vector<std::string>{"help"});
}

TEST_CASE("Button presses and the message shortcut become events, answered privately via response_url",
          "[slack][interactive]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.send(fake_slack::button_envelope("env-1", "nb:helpful:7", "U1", h.fake.response_url("b1")));
    h.fake.send(fake_slack::shortcut_envelope("env-2", "U3", "U2", "the words of that message", "1700000008.000001",
                                              h.fake.response_url("s1")));
    REQUIRE(h.run_until([&] { return h.all<core::button_press>().size() == 1 && h.all<core::command_invocation>().size() == 1; }));
    auto press = h.all<core::button_press>()[0];
    CHECK(press.custom_id == "nb:helpful:7");
    CHECK(press.user.str() == "U1");
    CHECK(press.channel.str() == "C1");
    auto pull = h.all<core::command_invocation>()[0];
    CHECK(pull.name == "suggest-reply");
    REQUIRE(pull.target);
    CHECK(pull.target->text == "the words of that message");
    CHECK(pull.target->author.str() == "U2");

    std::optional<core::delivery_outcome> answered, refused;
    h.bot->answer_privately(press.reply, with_buttons("Thanks for telling me"), [&](auto o) { answered = o; });
    core::reply_handle forged = pull.reply;
    forged.token = "http://127.0.0.2:9/elsewhere";
    h.bot->answer_privately(forged, {"nope", {}}, [&](auto o) { refused = o; });
    REQUIRE(h.run_until([&] { return answered && refused; }));
    CHECK(*answered == core::delivery_outcome::delivered);
    CHECK(*refused == core::delivery_outcome::failed);
    auto answers = h.fake.calls("response_url");
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].target == "/response/b1");
    CHECK(answers[0].body["response_type"] == "ephemeral");
    CHECK(answers[0].body["replace_original"] == false);
    CHECK(answers[0].authorization.empty());
}

TEST_CASE("Rejected tokens end the Slack adapter with a clear error and never show up in the log", "[slack][privacy]")
{
    slack_harness h([](slack::settings& s) { s.bot_token = "xoxb-wrong-secret"; });
    h.fake.on_web([](const fake_slack_call& c) -> std::optional<fake_slack_answer> {
        if (c.method == "auth.test") return fake_slack_answer{200, R"({"ok":false,"error":"invalid_auth"})", {}};
        return std::nullopt;
    });
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.bot->status().finished; }));
    CHECK(h.bot->status().exit_code == 1);
    CHECK(h.logs.str().find("invalid_auth") != std::string::npos);
    CHECK(h.logs.str().find("xoxb-wrong-secret") == std::string::npos);
    CHECK(h.logs.str().find(slack_app_token) == std::string::npos);
}

TEST_CASE("Neither tokens nor message text ever reach the Slack log", "[slack][privacy]")
{
    slack_harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.put_outside_channel("U2");
    h.fake.send(fake_slack::message_envelope("env-1", "Ev1", "U1", "private words here", "1700000009.000001"));
    h.fake.send_raw("private words broken {");
    h.fake.send(fake_slack::slash_envelope("env-2", "/nudge", "check text: my secret draft", "U1", h.fake.response_url("1")));
    bool done = false;
    h.bot->send_private(core::user_id("U2"), core::server_id("T1"), core::channel_id("C1"), {"the nudge text", {}},
                        [&](auto) { done = true; });
    h.fake.disconnect("warning", 0);
    REQUIRE(h.run_until([&] { return done && h.all<core::command_invocation>().size() == 1 && h.fake.connections() == 2; }));
    h.run_for(50ms);
    auto logs = h.logs.str();
    CHECK_FALSE(logs.empty());
    for (const char* secret : {slack_app_token, slack_bot_token, "private words", "my secret draft", "the nudge text"})
        CHECK(logs.find(secret) == std::string::npos);
    CHECK(h.all<core::command_invocation>()[0].options.at("text") == "my secret draft");
}

TEST_CASE("After its first hello the Slack adapter announces the workspace's locale, read page by page from the "
          "member list",
          "[slack][locale]")
{
    slack_harness h;
    // Page one (200 members) is a tie that en-US would win as the locale seen first; page two decides.
    std::vector<json> members;
    for (int i = 0; i < 260; ++i)
        members.push_back({{"id", "U" + std::to_string(i)}, {"locale", i < 100 ? "en-US" : "de-DE"}});
    h.fake.set_members(std::move(members));
    REQUIRE(h.start_and_wait_ready());
    REQUIRE(h.run_until([&] { return !h.all<core::server_available>().empty(); }));
    auto s = h.all<core::server_available>().at(0);
    CHECK(s.where == core::platform::slack);
    CHECK(s.server.str() == "T1");
    CHECK(s.locale == "de-DE");
    auto lists = h.fake.calls("users.list");
    REQUIRE(lists.size() == 2);
    CHECK(lists[0].authorization == std::string("Bearer ") + slack_bot_token);
    CHECK(lists[0].target.find("include_locale=true") != std::string::npos);
    CHECK(lists[0].target.find("limit=200") != std::string::npos);
    CHECK(lists[0].target.find("team_id=T1") != std::string::npos);   // needed on Enterprise Grid
    CHECK(lists[1].target.find("team_id=T1") != std::string::npos);
    CHECK(lists[1].target.find("cursor=200") != std::string::npos);
    CHECK(h.logs.str().find("locale de-DE") != std::string::npos);

    // A new connection is the same workspace: the list is not read again.
    h.fake.disconnect("refresh_requested", 0);
    REQUIRE(h.run_until([&] { return h.fake.connections() == 2 && h.bot->status().connected; }));
    h.run_for(100ms);
    CHECK(h.fake.calls("users.list").size() == 2);
    CHECK(h.all<core::server_available>().size() == 1);
}

TEST_CASE("The member list is read for at most the configured number of pages", "[slack][locale]")
{
    {
        slack_harness h([](slack::settings& s) { s.locale_pages = 1; });
        std::vector<json> members;
        for (int i = 0; i < 260; ++i)
            members.push_back({{"id", "U" + std::to_string(i)}, {"locale", i < 100 ? "en-US" : "de-DE"}});
        h.fake.set_members(std::move(members));
        REQUIRE(h.start_and_wait_ready());
        REQUIRE(h.run_until([&] { return !h.all<core::server_available>().empty(); }));
        CHECK(h.all<core::server_available>().at(0).locale == "en-US");   // the tie of page one
        CHECK(h.fake.calls("users.list").size() == 1);
    }
    {
        slack_harness off([](slack::settings& s) { s.locale_pages = 0; });
        off.fake.set_members({{{"id", "U1"}, {"locale", "de-DE"}}});
        REQUIRE(off.start_and_wait_ready());
        off.run_for(200ms);
        CHECK(off.fake.calls("users.list").empty());
        CHECK(off.all<core::server_available>().empty());
    }
}

TEST_CASE("Without users:read the workspace's locale stays unknown and the Slack adapter runs on", "[slack][locale]")
{
    {
        slack_harness h;
        h.fake.set_members({{{"id", "U1"}, {"locale", "de-DE"}}});
        h.fake.on_web([](const fake_slack_call& c) -> std::optional<fake_slack_answer> {
            if (c.method == "users.list") return fake_slack_answer{200, R"({"ok":false,"error":"missing_scope"})", {}};
            return std::nullopt;
        });
        REQUIRE(h.start_and_wait_ready());
        REQUIRE(h.run_until([&] { return !h.fake.calls("users.list").empty(); }));
        h.run_for(200ms);
        CHECK(h.all<core::server_available>().empty());
        CHECK_FALSE(h.bot->status().finished);
        CHECK(h.bot->status().connected);
        CHECK(h.logs.str().find("users.list failed (missing_scope)") != std::string::npos);
    }
    {
        // Members without a locale (include_locale not honoured) announce nothing either.
        slack_harness bare;
        bare.fake.set_members({{{"id", "U1"}}, {{"id", "U2"}, {"locale", nullptr}}});
        REQUIRE(bare.start_and_wait_ready());
        REQUIRE(bare.run_until([&] { return !bare.fake.calls("users.list").empty(); }));
        bare.run_for(200ms);
        CHECK(bare.all<core::server_available>().empty());
    }
}
