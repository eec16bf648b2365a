// `nudgebot run` with Slack and Mattermost enabled in one process, against the fake Slack and the
// fake Mattermost on 127.0.0.1:0: both connect, /healthz knows both, a person opts in on each
// platform (a Socket Mode slash command; a slash-command POST to the bot's own Mattermost listener)
// and a hostile reply gets each of them a private nudge. Also: missing tokens are named by their
// variable, never shown. Every wait is bounded.
#include "app/wiring.hpp"

#include "app/config.hpp"
#include "app/run.hpp"
#include "e2e_world.hpp"
#include "platforms/mattermost/settings.hpp"
#include "platforms/slack/settings.hpp"
#include "platforms/discord/settings.hpp"
#include "support/fake_discord.hpp"
#include "support/fake_mattermost.hpp"
#include "support/fake_slack.hpp"
#include "support/temp_folder.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <sstream>
#include <thread>

using namespace nudgebot;
using namespace std::chrono_literals;
using nlohmann::json;
using test::fake_mattermost;
using test::fake_slack;

namespace {

// Test-only secrets, shaped like the real ones so that a leak into the log would be caught.
const std::string slack_bot = "xoxb-e2e-111-bot-secret-value";
const std::string slack_app = "xapp-e2e-222-app-secret-value";
const std::string mm_command = "e2e-cmd-token-secret-0001";
const std::string mm_secret = "e2e-action-secret-0002";

std::string mm_id(const std::string& name)
{
    auto id = "u" + name;
    id.resize(26, '0');
    return id;
}

// A blocking form POST to 127.0.0.1:port: the status code.
int http_post_form(std::uint16_t port, const std::string& path, const std::string& body,
                   const std::vector<std::pair<std::string, std::string>>& headers)
{
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::socket socket(ioc);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return 0;
    std::string request = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) request += k + ": " + v + "\r\n";
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    asio::write(socket, asio::buffer(request), ec);
    std::string response;
    char buf[4096];
    for (;;) {
        auto n = socket.read_some(asio::buffer(buf), ec);
        response.append(buf, n);
        if (ec) break;
    }
    return response.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(response.c_str() + 9) : 0;
}

std::string form_encode(const std::string& s)
{
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) != 0) {
            out += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

json mm_post(const std::string& id, const std::string& user, const std::string& text, const std::string& root = "")
{
    auto pid = id;
    pid.resize(26, '0');
    return {{"id", pid},        {"create_at", 1767225600000}, {"update_at", 1767225600000}, {"edit_at", 0},
            {"user_id", user},  {"channel_id", "chan00000000000000000000001"},                {"root_id", root},
            {"message", text},  {"type", ""},                 {"props", json::object()}};
}

struct two_platforms {
    e2e::log_capture logs;
    test::temp_folder scratch{"nudgebot-e2e-sm"};   // first member: removed last
    fake_slack slack;
    fake_mattermost mm;
    std::optional<test::fake_discord> discord;   // only when a test adds Discord
    std::string mm_listen = "127.0.0.1:0";
    std::filesystem::path dir = scratch.path();
    std::map<std::string, std::string> env{{"E2E_SLACK_BOT", slack_bot},
                                           {"E2E_SLACK_APP", slack_app},
                                           {"E2E_MM_TOKEN", mm.options().token},
                                           {"E2E_MM_NUDGE", mm_command},
                                           {"E2E_MM_SECRET", mm_secret},
                                           {"E2E_DISCORD_TOKEN", e2e::world::token}};
    std::unique_ptr<app::bot> bot;
    std::thread runner;
    std::atomic<int> exit_code{-1};

    two_platforms()
    {
        spdlog::drop("slack");
        spdlog::drop("mattermost");
    }
    ~two_platforms()
    {
        stop();
        spdlog::drop("slack");
        spdlog::drop("mattermost");
    }

    std::string config_text() const
    {
        return R"({
          "rules": {"dir": ")" NUDGEBOT_SOURCE_DIR R"(/rules/en"},
          "storage": {"url": "sqlite:)" + (dir / "nudgebot.db").string() + R"("},
          "log": {"level": "debug"},
          "ops": {"listen": "127.0.0.1:0"},
          "platforms": {)" + discord_section() + R"(
            "slack": {"enabled": true, "bot_token_env": "E2E_SLACK_BOT", "app_token_env": "E2E_SLACK_APP",
                      "api_base": ")" + slack.api_base() + R"(",
                      "response_url_prefix": ")" + slack.response_prefix() + R"("},
            "mattermost": {"enabled": true, "token_env": "E2E_MM_TOKEN",
                           "server_url": ")" + mm.server_url() + R"(",
                           "command_token_envs": ["E2E_MM_NUDGE"],
                           "actions_url": "http://127.0.0.1:1/mattermost/action",
                           "action_secret_env": "E2E_MM_SECRET",
                           "listen": ")" + mm_listen + R"("}
          }
        })";
    }

    std::string discord_section() const
    {
        if (!discord) return "";
        return R"("discord": {"enabled": true, "token_env": "E2E_DISCORD_TOKEN", "api_base": ")" + discord->api_base() +
               R"(", "gateway_url": ")" + discord->gateway_url() + R"(", "shards": {"count": 1}},)";
    }

    app::wiring_hooks hooks() const
    {
        app::wiring_hooks h;
        h.getenv = [env = env](const std::string& name) -> std::optional<std::string> {
            auto it = env.find(name);
            if (it == env.end()) return std::nullopt;
            return it->second;
        };
        h.tune_discord = [](discord::settings& s) {
            s.identify_interval = 20ms;
            s.reconnect.base = 50ms;
            s.rest_retry_base = 50ms;
        };
        h.tune_slack = [](slack::settings& s) {
            s.connect_timeout = 2000ms;
            s.close_timeout = 300ms;
            s.reconnect.base = 20ms;
            s.reconnect.cap = 200ms;
            s.web_timeout = 3000ms;
            s.web_retry_base = 20ms;
        };
        h.tune_mattermost = [](mattermost::settings& s) {
            s.connect_timeout = 2000ms;
            s.close_timeout = 300ms;
            s.reconnect.base = 20ms;
            s.reconnect.cap = 200ms;
            s.rest_timeout = 3000ms;
            s.rest_retry_base = 20ms;
        };
        return h;
    }

    // Loads the config as `nudgebot run` does (from a file), builds the bot and runs it.
    void start()
    {
        const auto path = (dir / "config.json").string();
        std::ofstream(path) << config_text();
        core::diagnostics diags;
        auto cfg = app::load_config(path, diags);
        INFO(diags.to_string());
        REQUIRE(cfg);
        std::ostringstream err;
        bot = app::bot::create(*cfg, err, hooks());
        INFO(err.str());
        REQUIRE(bot);
        runner = std::thread([this] { exit_code = bot->run(); });
    }

    // Waits (up to 8 s) until /healthz answers 200 and returns its body.
    json healthz() const
    {
        std::pair<int, std::string> health;
        REQUIRE(e2e::eventually(
            [&] {
                health = e2e::http_get(bot->ops_port(), "/healthz");
                return health.first == 200;
            },
            8000ms));
        return json::parse(health.second);
    }

    int stop()
    {
        if (!bot) return exit_code;
        bot->stop();
        if (runner.joinable()) runner.join();
        bot.reset();
        return exit_code;
    }
};

}  // namespace

TEST_CASE("nudgebot run with Slack and Mattermost connects both, and a hostile reply privately nudges the opted-in "
          "person on each",
          "[app][e2e][slack][mattermost]")
{
    two_platforms w;
    w.start();

    // Both connect, and /healthz says so per platform.
    const auto h = w.healthz();
    CHECK(h["platforms"] == 2);
    CHECK(h["platforms_connected"] == 2);
    CHECK(h["slack_connected"] == 1);
    CHECK(h["mattermost_connected"] == 1);
    CHECK_FALSE(h.contains("discord_connected"));
    CHECK(w.slack.connections() >= 1);
    CHECK(w.mm.connections() >= 1);
    REQUIRE(w.bot->mattermost_port() != 0);

    // Slack: alice opts in with /nudge on (Socket Mode), bob answers her thread harshly.
    w.slack.send(fake_slack::slash_envelope("on-alice", "/nudge", "on", "UALICE", w.slack.response_url("on-alice")));
    REQUIRE(e2e::eventually([&] { return w.slack.calls("response_url").size() == 1; }));
    w.slack.send(fake_slack::message_envelope("m1", "Ev1", "UALICE", "could someone review the release checklist?",
                                              "1700000100.000100", "C1"));
    auto reply = fake_slack::message_envelope("m2", "Ev2", "UBOB", "you ALWAYS wreck the release, do you even read it??",
                                              "1700000130.000100", "C1", "1700000100.000100");
    reply["payload"]["event"]["parent_user_id"] = "UALICE";
    w.slack.send(reply);

    // Mattermost: alice opts in through the bot's own HTTP listener, bob answers her post harshly.
    const auto alice = mm_id("alice"), bob = mm_id("bob");
    const std::string form = "channel_id=chan00000000000000000000001&channel_name=town-square&command=%2Fnudge"
                             "&response_url=" + form_encode(w.mm.response_url("on-alice")) +
                             "&team_domain=acme&team_id=team00000000000000000000001&text=on&token=" + mm_command +
                             "&trigger_id=trig-1&user_id=" + alice + "&user_name=alice";
    const std::vector<std::pair<std::string, std::string>> form_headers{
        {"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Token " + mm_command}};
    CHECK(http_post_form(w.bot->mattermost_port(), "/mattermost/command", form, form_headers) == 200);
    // A wrong token is refused, and other paths are not Mattermost's.
    CHECK(http_post_form(w.bot->mattermost_port(), "/mattermost/command", "token=guess&text=on",
                         {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", "Token guess"}}) ==
          401);
    CHECK(http_post_form(w.bot->mattermost_port(), "/metrics", "", {}) == 404);
    REQUIRE(e2e::eventually([&] { return w.mm.calls("POST", "/hooks/commands/on-alice").size() == 1; }));
    auto root = mm_post("p1", alice, "could someone review the release checklist?");
    w.mm.post_event("posted", root);
    w.mm.post_event("posted", mm_post("p2", bob, "you ALWAYS wreck the release, do you even read it??", root["id"]));

    REQUIRE(e2e::eventually([&] { return !w.slack.calls("chat.postEphemeral").empty(); }));
    REQUIRE(e2e::eventually([&] { return !w.mm.calls("POST", "/api/v4/posts").empty(); }));
    std::this_thread::sleep_for(100ms);

    const auto eph = w.slack.calls("chat.postEphemeral");
    REQUIRE(eph.size() == 1);
    CHECK(eph[0].body["user"] == "UALICE");
    CHECK(eph[0].body["channel"] == "C1");
    CHECK(eph[0].body["text"].get<std::string>().find("aimed at you") != std::string::npos);
    CHECK(w.slack.calls("chat.postMessage").empty());

    const auto direct = w.mm.calls("POST", "/api/v4/channels/direct");
    REQUIRE(direct.size() == 1);
    CHECK(direct[0].body[1] == alice);
    const auto posts = w.mm.calls("POST", "/api/v4/posts");
    REQUIRE(posts.size() == 1);
    CHECK(posts[0].body["message"].get<std::string>().find("aimed at you") != std::string::npos);

    // Graceful stop; neither tokens nor message text reached the log.
    CHECK(w.stop() == app::exit_ok);
    const auto log = w.logs.text();
    CHECK(log.find("ready:") != std::string::npos);
    for (const auto& secret : {slack_bot, slack_app, mm_command, mm_secret, w.mm.options().token}) {
        CHECK(log.find(secret) == std::string::npos);
    }
    CHECK(log.find("wreck the release") == std::string::npos);
    CHECK(log.find("release checklist") == std::string::npos);
}

TEST_CASE("nudgebot run names every missing Slack and Mattermost token variable and never shows a value",
          "[app][e2e][slack][mattermost][privacy]")
{
    two_platforms w;
    w.env.erase("E2E_SLACK_APP");
    w.env.erase("E2E_MM_NUDGE");
    w.env["E2E_MM_SECRET"] = "";
    const auto path = (w.dir / "config.json").string();
    std::ofstream(path) << w.config_text();
    std::ostringstream err;
    const int code = app::run_bot(app::run_options{path}, err, w.hooks());
    CHECK(code == app::exit_startup);
    const auto text = err.str();
    CHECK(text.find("the environment variable E2E_SLACK_APP (platforms.slack.app_token_env) is not set or empty; "
                    "put the Slack app-level token (xapp-..., scope connections:write) there\n") != std::string::npos);
    CHECK(text.find("the environment variable E2E_MM_NUDGE (platforms.mattermost.command_token_envs) is not set or "
                    "empty") != std::string::npos);
    CHECK(text.find("the environment variable E2E_MM_SECRET (platforms.mattermost.action_secret_env) is not set or "
                    "empty") != std::string::npos);
    CHECK(text.find("E2E_SLACK_BOT") == std::string::npos);   // it is set
    CHECK(text.find(slack_bot) == std::string::npos);
    CHECK(text.find(w.mm.options().token) == std::string::npos);
}

TEST_CASE("Discord, Slack and Mattermost run together in one nudgebot process", "[app][e2e][discord][slack][mattermost]")
{
    two_platforms w;
    w.discord.emplace();
    w.start();
    const auto h = w.healthz();
    CHECK(h["platforms"] == 3);
    CHECK(h["platforms_connected"] == 3);
    CHECK(h["discord_connected"] == 1);
    CHECK(h["shards_running"] == 1);
    CHECK(h["slack_connected"] == 1);
    CHECK(h["mattermost_connected"] == 1);
    // /healthz counts a running shard as connected, which can be just before its IDENTIFY reaches
    // the fake (seen under load): wait for it instead of racing it.
    CHECK(e2e::eventually([&] { return w.discord->identifies() >= 1; }));
    CHECK(w.stop() == app::exit_ok);
}

TEST_CASE("A Mattermost listen address that is taken stops the start with a clear message",
          "[app][e2e][mattermost][bad-input]")
{
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::acceptor taken(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    two_platforms w;
    w.mm_listen = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());
    const auto path = (w.dir / "config.json").string();
    std::ofstream(path) << w.config_text();
    core::diagnostics diags;
    auto cfg = app::load_config(path, diags);
    REQUIRE(cfg);
    std::ostringstream err;
    CHECK_FALSE(app::bot::create(*cfg, err, w.hooks()));
    CHECK(err.str().find("nudgebot run: cannot listen for Mattermost slash commands on " + w.mm_listen +
                         " (platforms.mattermost.listen): ") == 0);
}
