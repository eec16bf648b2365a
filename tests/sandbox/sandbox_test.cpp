#include "sandbox/server.hpp"

#include "core/clock.hpp"
#include "net/http_client.hpp"
#include "platforms/discord/adapter.hpp"
#include "sandbox/slash.hpp"
#include "support/run_until.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <variant>

using namespace nudgebot;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

// The sandbox and the real Discord adapter on one io_context, driven by the test thread.
struct world {
    asio::io_context ioc;
    sandbox::server server{ioc, options()};
    core::system_clock clock;
    std::vector<core::event> events;
    std::unique_ptr<discord::adapter> bot;
    net::http_client client{ioc};

    static sandbox::server_options options()
    {
        sandbox::server_options o;
        o.bot_token = "test-token";
        o.explain = [](std::string_view text) {
            return json{{"categories", json::array({{{"name", "conflict"}, {"score", text.size() > 5 ? 40 : 0},
                                                     {"flagged", false}}})},
                        {"cues", json::array()}};
        };
        return o;
    }

    world()
    {
        REQUIRE(server.start().empty());
        discord::settings s;
        s.token = "test-token";
        s.api_base = server.api_base();
        s.compress = true;   // zlib-stream, as in production
        bot = std::make_unique<discord::adapter>(ioc, s, [this](core::event e) { events.push_back(std::move(e)); },
                                                 clock);
        bot->use_nudgebot_commands();
        bot->start();
        REQUIRE(test::run_until(ioc, [&] { return server.bot_ready() && server.commands_registered(); }));
    }

    ~world() { bot->stop(); test::run_for(ioc, 20ms); }

    net::http_response call(std::string method, std::string path, std::string body = {},
                            std::string content_type = "application/json")
    {
        std::optional<net::http_response> out;
        net::http_request req{std::move(method), "http://127.0.0.1:" + std::to_string(server.port()) + path, {},
                              std::move(body)};
        if (!content_type.empty()) req.headers.push_back({"Content-Type", content_type});
        asio::co_spawn(
            ioc, [&]() -> asio::awaitable<void> { out = co_await client.request(std::move(req)); }, asio::detached);
        REQUIRE(test::run_until(ioc, [&] { return out.has_value(); }));
        return *out;
    }

    json state(const std::string& as)
    {
        auto r = call("GET", "/sandbox/api/state?as=" + as, {}, "");
        REQUIRE(r.status == 200);
        return json::parse(r.body);
    }

    template <class T>
    const T* last() const
    {
        for (auto it = events.rbegin(); it != events.rend(); ++it)
            if (auto* e = std::get_if<T>(&*it)) return e;
        return nullptr;
    }
};

}  // namespace

TEST_CASE("The real Discord adapter logs in to the sandbox, gets the guild and registers its commands",
          "[sandbox][protocol]")
{
    world w;
    CHECK(w.server.gateway_sessions() == 1);
    REQUIRE(test::run_until(w.ioc, [&] { return w.last<core::server_available>() != nullptr; }));
    auto* guild = w.last<core::server_available>();
    CHECK(guild->server.str() == sandbox::guild_id);
    CHECK(guild->channels.size() == 3);
    auto status = w.bot->status();
    CHECK(status.bot_user_id == sandbox::bot_user_id);
    CHECK(status.application_id == sandbox::application_id);
    CHECK(w.state("alice")["bot"]["connected"] == true);
}

TEST_CASE("A message posted on the page reaches the bot as a Discord MESSAGE_CREATE with its reply reference",
          "[sandbox][protocol]")
{
    world w;
    auto first = w.call("POST", "/sandbox/api/send", R"({"as":"alice","channel":"general","text":"hello @bob"})");
    REQUIRE(first.status == 200);
    auto first_id = json::parse(first.body)["id"].get<std::string>();
    auto reply = w.call("POST", "/sandbox/api/send",
                        json{{"as", "bob"}, {"channel", "general"}, {"text", "hi alice"}, {"reply_to", first_id}}.dump());
    REQUIRE(reply.status == 200);
    REQUIRE(test::run_until(w.ioc, [&] {
        auto* m = w.last<core::message_created>();
        return m && m->message.text == "hi alice";
    }));
    const auto& m = w.last<core::message_created>()->message;
    CHECK(m.author.str() == "1100000000000000102");
    CHECK(m.author_name == "Bob");
    CHECK(m.reply_to->str() == first_id);
    CHECK(m.reply_to_author->str() == "1100000000000000101");
    CHECK(m.server.str() == sandbox::guild_id);

    // Edits and deletes become MESSAGE_UPDATE / MESSAGE_DELETE.
    REQUIRE(w.call("POST", "/sandbox/api/edit", json{{"as", "alice"}, {"id", first_id}, {"text", "hello again"}}.dump())
                .status == 200);
    REQUIRE(test::run_until(w.ioc, [&] { return w.last<core::message_edited>() != nullptr; }));
    CHECK(w.last<core::message_edited>()->message.text == "hello again");
    CHECK(w.call("POST", "/sandbox/api/edit", json{{"as", "bob"}, {"id", first_id}, {"text", "x"}}.dump()).status ==
          403);
    REQUIRE(w.call("POST", "/sandbox/api/delete", json{{"as", "erin"}, {"id", first_id}}.dump()).status == 200);
    REQUIRE(test::run_until(w.ioc, [&] { return w.last<core::message_deleted>() != nullptr; }));
    CHECK(w.last<core::message_deleted>()->id.str() == first_id);

    // The side panel carries the sandbox's own explanation.
    auto s = w.state("carol");
    auto list = s["messages"]["1100000000000000011"];
    REQUIRE(list.size() == 1);
    CHECK(list[0]["explain"]["attached"] == true);
}

TEST_CASE("A slash command typed on the page is an interaction whose ephemeral answer only its invoker sees",
          "[sandbox][protocol][privacy]")
{
    world w;
    auto r = w.call("POST", "/sandbox/api/send", R"({"as":"alice","channel":"general","text":"/nudge on style:direct"})");
    REQUIRE(r.status == 200);
    REQUIRE(test::run_until(w.ioc, [&] { return w.last<core::command_invocation>() != nullptr; }));
    auto inv = *w.last<core::command_invocation>();
    CHECK(inv.name == "nudge");
    CHECK(inv.path == std::vector<std::string>{"on"});
    CHECK(inv.options.at("style") == "direct");
    CHECK_FALSE(inv.invoker_is_moderator);
    bool delivered = false;
    w.bot->answer_privately(inv.reply, {"You are in.", {}}, [&](core::delivery_outcome o) {
        delivered = o == core::delivery_outcome::delivered;
    });
    REQUIRE(test::run_until(w.ioc, [&] { return delivered; }));
    auto alice = w.state("alice");
    REQUIRE(alice["private"].size() == 1);
    CHECK(alice["private"][0]["text"] == "You are in.");
    CHECK(alice["private"][0]["kind"] == "ephemeral");
    CHECK(alice["private"][0]["about"] == "/nudge on");
    CHECK(w.state("bob")["private"].empty());
    // A second answer to the same interaction is refused, as Discord does (40060).
    bool failed = false;
    w.bot->answer_privately(inv.reply, {"again", {}}, [&](core::delivery_outcome o) {
        failed = o == core::delivery_outcome::failed;
    });
    REQUIRE(test::run_until(w.ioc, [&] { return failed; }));

    // Erin is a moderator; a deferred answer is edited through @original.
    REQUIRE(w.call("POST", "/sandbox/api/send",
                   R"({"as":"erin","channel":"general","text":"/nudge-admin channels enable #random"})")
                .status == 200);
    REQUIRE(test::run_until(w.ioc, [&] { return w.last<core::command_invocation>()->name == "nudge-admin"; }));
    auto admin = *w.last<core::command_invocation>();
    CHECK(admin.invoker_is_moderator);
    CHECK(admin.path == std::vector<std::string>{"channels", "enable"});
    CHECK(admin.options.at("channel") == "1100000000000000013");
    w.bot->defer(admin.reply);
    REQUIRE(test::run_until(w.ioc, [&] {
        auto s = w.state("erin");
        return s["private"].size() == 1 && s["private"][0]["pending"] == true;
    }));
    bool edited = false;
    w.bot->answer_privately(admin.reply, {"Watching #random.", {}}, [&](core::delivery_outcome o) {
        edited = o == core::delivery_outcome::delivered;
    });
    REQUIRE(test::run_until(w.ioc, [&] { return edited; }));
    auto erin = w.state("erin");
    CHECK(erin["private"][0]["text"] == "Watching #random.");
    CHECK(erin["private"][0]["pending"] == false);
}

TEST_CASE("DMs from the bot land in the recipient's private view and their buttons come back as presses",
          "[sandbox][protocol][privacy]")
{
    world w;
    bool sent = false;
    core::private_message pm{"Maybe say it more gently?", {{"nudge:helpful:1", "Helpful", core::button_style::primary},
                                                           {"nudge:stop:1", "Stop these", core::button_style::danger}}};
    w.bot->send_private(core::user_id("1100000000000000102"), core::server_id(std::string(sandbox::guild_id)),
                        core::channel_id("1100000000000000011"), pm,
                        [&](core::delivery_outcome o) { sent = o == core::delivery_outcome::delivered; });
    REQUIRE(test::run_until(w.ioc, [&] { return sent; }));
    auto bob = w.state("bob");
    REQUIRE(bob["private"].size() == 1);
    CHECK(bob["private"][0]["kind"] == "dm");
    REQUIRE(bob["private"][0]["buttons"].size() == 2);
    CHECK(w.state("alice")["private"].empty());
    auto item = bob["private"][0]["id"].get<std::string>();

    // Only bob can press bob's buttons.
    CHECK(w.call("POST", "/sandbox/api/press", json{{"as", "alice"}, {"item", item}, {"custom_id", "nudge:stop:1"}}.dump())
              .status == 404);
    REQUIRE(w.call("POST", "/sandbox/api/press", json{{"as", "bob"}, {"item", item}, {"custom_id", "nudge:stop:1"}}.dump())
                .status == 200);
    REQUIRE(test::run_until(w.ioc, [&] { return w.last<core::button_press>() != nullptr; }));
    auto press = *w.last<core::button_press>();
    CHECK(press.custom_id == "nudge:stop:1");
    CHECK(press.user.str() == "1100000000000000102");
    CHECK(press.server.empty());   // a button under a DM
    CHECK(w.call("POST", "/sandbox/api/press", json{{"as", "bob"}, {"item", item}, {"custom_id", "nope"}}.dump())
              .status == 400);
}

TEST_CASE("Oversized messages and bodies, bad JSON and cross-site posts are refused with clear errors",
          "[sandbox][bad-input]")
{
    world w;
    auto long_text = w.call("POST", "/sandbox/api/send",
                            json{{"as", "alice"}, {"channel", "general"}, {"text", std::string(2001, 'a')}}.dump());
    CHECK(long_text.status == 400);
    CHECK(json::parse(long_text.body)["error"] == "the message is longer than 2000 characters (Discord's limit)");
    auto huge = w.call("POST", "/sandbox/api/send", std::string(100 * 1024, ' '));
    CHECK(huge.status == 413);
    CHECK(huge.body.find("request body too large") != std::string::npos);
    CHECK(w.call("POST", "/sandbox/api/send", "{not json").status == 400);
    CHECK(w.call("POST", "/sandbox/api/send", R"({"as":"mallory","channel":"general","text":"x"})").status == 400);
    CHECK(w.call("POST", "/sandbox/api/send", R"({"as":"alice","channel":"general","text":"x"})", "text/plain").status ==
          415);
    auto bad_command = w.call("POST", "/sandbox/api/send", R"({"as":"alice","channel":"general","text":"/nudge dance"})");
    CHECK(bad_command.status == 400);
    CHECK(json::parse(bad_command.body)["error"].get<std::string>().find("/nudge has no dance") == 0);

    // REST without the bot's token is 401, with Discord's error shape.
    auto anon = w.call("POST", "/api/v10/channels/1100000000000000011/messages", R"({"content":"x"})");
    CHECK(anon.status == 401);
    CHECK(json::parse(anon.body)["code"] == 0);

    // The bot is still connected and the page still answers.
    CHECK(w.server.gateway_sessions() == 1);
    CHECK(w.call("POST", "/sandbox/api/send", R"({"as":"alice","channel":"general","text":"still here"})").status ==
          200);
}

TEST_CASE("A browser vanishing mid-request never takes the bot down", "[sandbox][bad-input]")
{
    world w;
    for (int i = 0; i < 5; ++i) {
        asio::ip::tcp::socket s(w.ioc);
        s.connect({asio::ip::make_address("127.0.0.1"), w.server.port()});
        std::string half = "POST /sandbox/api/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           "Content-Length: 500\r\n\r\n{\"as\":\"alice\",";
        asio::write(s, asio::buffer(half));
        test::run_for(w.ioc, 5ms);
    }
    test::run_for(w.ioc, 50ms);
    CHECK(w.server.gateway_sessions() == 1);
    auto ok = w.call("POST", "/sandbox/api/send", R"({"as":"alice","channel":"general","text":"after"})");
    CHECK(ok.status == 200);
    REQUIRE(test::run_until(w.ioc, [&] {
        auto* m = w.last<core::message_created>();
        return m && m->message.text == "after";
    }));
}

TEST_CASE("Typed slash commands are checked against nudgebot's command set", "[sandbox][slash]")
{
    auto channels = [](std::string_view name) -> std::optional<std::string> {
        if (name == "general") return std::string("11");
        return std::nullopt;
    };
    auto check = sandbox::parse_slash("/nudge check I think this could be kinder", channels);
    REQUIRE(check.ok);
    CHECK(check.options[0]["name"] == "check");
    CHECK(check.options[0]["options"][0]["value"] == "I think this could be kinder");

    auto on = sandbox::parse_slash("/nudge on crisis_card:no style:gentle", channels);
    REQUIRE(on.ok);
    CHECK(on.options[0]["options"].size() == 2);

    auto stats = sandbox::parse_slash("/nudge-admin stats days:500", channels);
    CHECK_FALSE(stats.ok);
    CHECK(stats.error == "option days must be between 1 and 90");

    auto missing = sandbox::parse_slash("/nudge-admin alerts on", channels);
    CHECK_FALSE(missing.ok);
    CHECK(missing.error == "/nudge-admin on needs channel");

    auto group = sandbox::parse_slash("/nudge-admin channels enable general", channels);
    REQUIRE(group.ok);
    CHECK(group.options[0]["type"] == 2);
    CHECK(group.options[0]["options"][0]["options"][0]["value"] == "11");

    CHECK(sandbox::parse_slash("/nudge-admin channels enable #nowhere", channels).error == "there is no channel #nowhere");
    CHECK(sandbox::parse_slash("/dance", channels).error.find("unknown command /dance") == 0);
    CHECK_FALSE(sandbox::parse_slash("/nudge", channels).ok);
}
