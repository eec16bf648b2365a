// A whole nudgebot, as `nudgebot run` builds it, against the fake Discord on 127.0.0.1:0.
//
// Contract: header-only test support for tests/app/e2e_*_test.cpp and run_*_test.cpp (owned by
// the run helper). A `world` owns a temp folder (sqlite database, state file), the fake Discord,
// a log capture (every spdlog line of the bot goes to an in-memory sink), and the bot, which runs
// app::bot::run() on its own thread, exactly as production runs it. People act by having the fake
// send gateway frames; what the bot did is read back from the fake's REST log. Every wait is
// bounded; nothing sleeps longer than needed.
#pragma once

#include "app/config.hpp"
#include "app/wiring.hpp"
#include "platforms/discord/settings.hpp"
#include "support/fake_discord.hpp"
#include "support/temp_folder.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace nudgebot::e2e {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Every log line of the bot, in memory.
class log_capture {
public:
    log_capture()
    {
        sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
        auto logger = std::make_shared<spdlog::logger>("e2e", sink_);
        logger->set_level(spdlog::level::trace);
        previous_ = spdlog::default_logger();
        spdlog::set_default_logger(logger);
        spdlog::set_level(spdlog::level::debug);
        // Named loggers clone the default one on first use; make them do that again.
        spdlog::drop("discord");
        spdlog::drop("nudgebot");
    }
    ~log_capture()
    {
        spdlog::drop("discord");
        spdlog::drop("nudgebot");
        spdlog::set_default_logger(previous_);
        spdlog::set_level(spdlog::level::warn);
    }
    std::string text() const
    {
        sink_->flush();
        return stream_.str();   // read after the bot stopped (the sink locks only its writes)
    }

private:
    std::ostringstream stream_;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
    std::shared_ptr<spdlog::logger> previous_;
};

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = 5000ms)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

inline std::string discord_timestamp()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000+00:00", &tm);
    return buf;
}

struct person {
    std::string id;
    std::string name;
};

// What the bot answered to one interaction (a type 4 callback, or the edit after a type 5 defer).
struct interaction_answer {
    std::string content;
    std::uint64_t flags = 0;
    json components;
    std::chrono::steady_clock::time_point at;
};

class world {
public:
    static constexpr const char* token = "e2e-Bot-token-Zq9x.never-in-logs";
    static constexpr const char* guild = "1000000000000000001";

    explicit world(std::string extra_config = "", test::fake_discord_options fake_options = {})
        : fake(fake_options)
    {
        config_text = R"({
          "rules": {"dir": ")" NUDGEBOT_SOURCE_DIR R"(/rules/en"},
          "storage": {"url": "sqlite:)" + db() + R"("},
          "log": {"level": "debug"},
          "ops": {"listen": "127.0.0.1:0"},
          "platforms": {"discord": {
            "enabled": true, "token_env": "E2E_DISCORD_TOKEN",
            "api_base": ")" + fake.api_base() + R"(",
            "gateway_url": ")" + fake.gateway_url() + R"(",
            "shards": {"count": 1},
            "state_file": ")" + (dir / "discord-state.json").string() + R"("
            )" + extra_config + R"(
          }}
        })";
        core::diagnostics diags;
        auto parsed = app::parse_config(config_text, (dir / "config.json").string(), diags);
        INFO(diags.to_string());
        REQUIRE(parsed);
        cfg = *parsed;
    }

    ~world()
    {
        shutdown();
    }

    std::string db() const { return (dir / "nudgebot.db").string(); }

    // The config as a file, for run_bot().
    std::string write_config(const std::string& text) const
    {
        auto path = (dir / "config.json").string();
        std::ofstream(path) << text;
        return path;
    }
    std::string write_config() const { return write_config(config_text); }

    app::wiring_hooks hooks()
    {
        app::wiring_hooks h;
        h.getenv = [](const std::string& name) -> std::optional<std::string> {
            if (name == "E2E_DISCORD_TOKEN") return std::string(token);
            return std::nullopt;
        };
        h.tune_discord = [](discord::settings& s) {
            s.identify_interval = 20ms;
            s.reconnect.base = 50ms;
            s.invalid_session_wait_min = 50ms;
            s.invalid_session_wait_max = 100ms;
            s.rest_retry_base = 50ms;
        };
        return h;
    }

    // Builds the bot from the config and runs it on its own thread; waits until it is connected.
    void start(app::wiring_hooks h)
    {
        std::ostringstream err;
        bot = app::bot::create(cfg, err, std::move(h));
        INFO(err.str());
        REQUIRE(bot);
        runner = std::thread([this] { exit_code = bot->run(); });
        REQUIRE(eventually([&] { return fake.identifies() >= 1; }));
        // Command registration follows READY: once it is seen, events reach the event router.
        REQUIRE(eventually([&] { return fake.count_rest("PUT", "/api/v10/applications/") >= 1; }));
    }
    void start() { start(hooks()); }

    // Stops the bot as SIGTERM would and returns its exit code.
    int shutdown()
    {
        if (!bot) return exit_code;
        bot->stop();
        if (runner.joinable()) runner.join();
        bot.reset();
        return exit_code;
    }

    // ---- people act
    std::string next_id() { return std::to_string(1200000000000000000ULL + ++counter); }

    std::string say(const person& who, const std::string& text, const std::string& channel,
                    const std::optional<std::pair<std::string, person>>& reply_to = std::nullopt)
    {
        auto id = next_id();
        json d{{"id", id},
               {"channel_id", channel},
               {"guild_id", guild},
               {"author", {{"id", who.id}, {"username", who.name}}},
               {"member", {{"nick", nullptr}, {"roles", json::array()}}},
               {"content", text},
               {"timestamp", discord_timestamp()},
               {"mentions", json::array()},
               {"type", reply_to ? 19 : 0}};
        if (reply_to) {
            d["message_reference"] = {{"message_id", reply_to->first}, {"channel_id", channel}};
            d["referenced_message"] = {{"id", reply_to->first},
                                       {"channel_id", channel},
                                       {"author", {{"id", reply_to->second.id}, {"username", reply_to->second.name}}}};
        }
        fake.dispatch("MESSAGE_CREATE", d);
        return id;
    }

    // A slash command: `/name sub` (with options); returns the interaction id.
    std::string command(const person& who, const std::string& name, const std::string& sub,
                        json options = json::array(), bool moderator = false, const std::string& channel = "1100000000000000001")
    {
        auto id = std::to_string(1300000000000000000ULL + ++counter);
        json d{{"id", id},
               {"type", 2},
               {"token", "tok-" + id},
               {"application_id", fake.options().app_id},
               {"guild_id", guild},
               {"channel_id", channel},
               {"member", {{"user", {{"id", who.id}, {"username", who.name}}},
                           {"permissions", moderator ? "32" : "0"}}},
               {"data", {{"id", "1"}, {"name", name}, {"type", 1},
                         {"options", json::array({{{"type", 1}, {"name", sub}, {"options", options}}})}}}};
        fake.dispatch("INTERACTION_CREATE", d);
        return id;
    }

    // The message command "Suggest a kind reply" on a message; returns the interaction id.
    std::string suggest_reply(const person& who, const std::string& message_id, const person& author,
                              const std::string& text, const std::string& channel)
    {
        auto id = std::to_string(1300000000000000000ULL + ++counter);
        json target{{"id", message_id},
                    {"channel_id", channel},
                    {"author", {{"id", author.id}, {"username", author.name}}},
                    {"content", text},
                    {"timestamp", discord_timestamp()}};
        json d{{"id", id},
               {"type", 2},
               {"token", "tok-" + id},
               {"application_id", fake.options().app_id},
               {"guild_id", guild},
               {"channel_id", channel},
               {"member", {{"user", {{"id", who.id}, {"username", who.name}}}, {"permissions", "0"}}},
               {"data", {{"id", "2"}, {"name", "Suggest a kind reply"}, {"type", 3}, {"target_id", message_id},
                         {"resolved", {{"messages", {{message_id, target}}}}}}}};
        fake.dispatch("INTERACTION_CREATE", d);
        return id;
    }

    // ---- what the bot did
    std::optional<interaction_answer> answer(const std::string& interaction) const
    {
        const std::string callback = "/api/v10/interactions/" + interaction + "/tok-" + interaction + "/callback";
        const std::string edit = "/tok-" + interaction + "/messages/@original";
        for (const auto& r : fake.rest_requests()) {
            auto body = json::parse(r.body, nullptr, false);
            if (!body.is_object()) continue;
            const json* data = nullptr;
            if (r.method == "POST" && r.target.rfind(callback, 0) == 0 && body.value("type", 0) == 4)
                data = body.contains("data") ? &body["data"] : nullptr;
            else if (r.method == "PATCH" && r.target.find(edit) != std::string::npos)
                data = &body;
            if (data == nullptr || !data->is_object()) continue;
            interaction_answer a;
            a.content = data->value("content", std::string());
            a.flags = data->value("flags", std::uint64_t{0});
            if (data->contains("components")) a.components = (*data)["components"];
            a.at = r.at;
            return a;
        }
        return std::nullopt;
    }
    std::optional<interaction_answer> wait_answer(const std::string& interaction, std::chrono::milliseconds t = 5000ms)
    {
        std::optional<interaction_answer> a;
        eventually([&] { return (a = answer(interaction)).has_value(); }, t);
        return a;
    }
    // Was the interaction deferred first (type 5)?
    bool deferred(const std::string& interaction) const
    {
        const std::string callback = "/api/v10/interactions/" + interaction + "/";
        for (const auto& r : fake.rest_requests()) {
            if (r.method != "POST" || r.target.rfind(callback, 0) != 0) continue;
            auto body = json::parse(r.body, nullptr, false);
            if (body.is_object() && body.value("type", 0) == 5) return true;
        }
        return false;
    }

    // Bodies of the DMs sent to a person (POST /users/@me/channels, then POST /channels/dm-<id>/messages).
    std::vector<json> dms_to(const person& who) const
    {
        std::vector<json> out;
        bool opened = false;
        const std::string messages = "/api/v10/channels/dm-" + who.id + "/messages";
        for (const auto& r : fake.rest_requests()) {
            if (r.method != "POST") continue;
            if (r.target == "/api/v10/users/@me/channels") {
                auto body = json::parse(r.body, nullptr, false);
                if (body.is_object() && body.value("recipient_id", std::string()) == who.id) opened = true;
            } else if (r.target == messages && opened) {
                out.push_back(json::parse(r.body, nullptr, false));
            }
        }
        return out;
    }
    std::size_t all_dms() const { return fake.count_rest("POST", "/api/v10/channels/dm-"); }

    // Lets everything the bot does for the events so far happen: a person asks `/nudge status`
    // (handled after every earlier event, on the same strand), then a short grace for REST calls.
    void settle()
    {
        static const person sentinel{"900000000000000099", "sentinel"};
        auto id = command(sentinel, "nudge", "status");
        REQUIRE(wait_answer(id));
        std::this_thread::sleep_for(150ms);
    }

    // Every byte of the database files.
    std::string db_bytes() const
    {
        std::string out;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::ifstream in(db() + suffix, std::ios::binary);
            out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        return out;
    }

    test::temp_folder scratch{"nudgebot-e2e"};   // first member: removed last
    fs::path dir = scratch.path();
    log_capture logs;
    test::fake_discord fake;
    std::string config_text;
    app::config cfg;
    std::unique_ptr<app::bot> bot;
    std::thread runner;
    std::atomic<int> exit_code{-1};
    std::uint64_t counter = 0;
};

// A blocking HTTP GET to 127.0.0.1:port (the ops endpoints): status code and body.
inline std::pair<int, std::string> http_get(std::uint16_t port, const std::string& path)
{
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::socket socket(ioc);
    boost::system::error_code ec;
    socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return {0, ec.message()};
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(request), ec);
    std::string response;
    char buf[4096];
    for (;;) {
        auto n = socket.read_some(asio::buffer(buf), ec);
        response.append(buf, n);
        if (ec) break;
    }
    int status = 0;
    if (response.rfind("HTTP/1.1 ", 0) == 0) status = std::atoi(response.c_str() + 9);
    auto body_at = response.find("\r\n\r\n");
    return {status, body_at == std::string::npos ? std::string() : response.substr(body_at + 4)};
}

}  // namespace nudgebot::e2e
