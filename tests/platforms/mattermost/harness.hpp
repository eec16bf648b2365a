// A Mattermost adapter wired to a fake Mattermost over loopback, with fast timings and a log
// capture. Test-only; everything but the fake runs on the test thread.
#pragma once

#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "platforms/mattermost/adapter.hpp"
#include "support/fake_mattermost.hpp"
#include "support/run_until.hpp"

#include <boost/asio/io_context.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <variant>
#include <vector>

namespace nudgebot::test {

inline constexpr const char* mm_command_token = "cmdtoken-secret-value-000000";
inline constexpr const char* mm_action_secret = "action-secret-value-0000000";
inline const std::string mm_team = "team00000000000000000000001";
inline const std::string mm_channel = "chan00000000000000000000001";

inline std::uint64_t mm_metric(std::string_view name, const core::metric_labels& labels = {})
{
    return core::metrics::global().value(name, labels);
}

inline std::string mm_user(const std::string& name)
{
    auto id = "u" + name;
    id.resize(26, '0');
    return id;
}

struct mm_harness {
    fake_mattermost fake;
    boost::asio::io_context ioc;
    core::system_clock clock;
    std::vector<core::event> events;
    std::function<void(const core::event&)> forward;
    std::ostringstream logs;
    std::unique_ptr<mattermost::adapter> bot;
    int next_post = 1;

    explicit mm_harness(fake_mattermost_options fo = {}, const std::function<void(mattermost::settings&)>& tweak = {})
        : fake(std::move(fo))
    {
        spdlog::drop("mattermost");
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(logs);
        auto logger = std::make_shared<spdlog::logger>("mattermost", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::register_logger(logger);
        mattermost::settings s;
        s.server_url = fake.server_url();
        s.token = fake.options().token;
        s.command_tokens = {mm_command_token};
        s.actions_url = "http://127.0.0.1:1/mattermost/action";
        s.action_secret = mm_action_secret;
        s.connect_timeout = std::chrono::milliseconds(2000);
        s.close_timeout = std::chrono::milliseconds(300);
        s.keepalive = std::chrono::milliseconds(3000);
        s.reconnect_backoff_base = std::chrono::milliseconds(20);
        s.reconnect_backoff_cap = std::chrono::milliseconds(200);
        s.rest_timeout = std::chrono::milliseconds(3000);
        s.rest_retry_base = std::chrono::milliseconds(20);
        if (tweak) tweak(s);
        bot = std::make_unique<mattermost::adapter>(ioc, s,
                                                    [this](core::event e) {
                                                        if (forward) forward(e);
                                                        events.push_back(std::move(e));
                                                    },
                                                    clock);
    }

    ~mm_harness()
    {
        bot->stop();
        test::run_for(ioc, std::chrono::milliseconds(50));
        bot.reset();
        test::run_for(ioc, std::chrono::milliseconds(20));
        spdlog::drop("mattermost");
    }

    template <class P>
    bool run_until(P p, std::chrono::milliseconds t = std::chrono::milliseconds(5000))
    {
        return test::run_until(ioc, p, t);
    }
    void run_for(std::chrono::milliseconds d) { test::run_for(ioc, d); }

    template <class T>
    std::vector<T> all() const
    {
        std::vector<T> out;
        for (const auto& e : events)
            if (std::holds_alternative<T>(e)) out.push_back(std::get<T>(e));
        return out;
    }

    bool start_and_wait_ready()
    {
        bot->start();
        return run_until([&] { return !all<core::session_ready>().empty() && bot->status().connected; });
    }

    // A post written for these tests.
    nlohmann::json post(const std::string& user, const std::string& text, const std::string& root = "",
                        const std::string& channel = mm_channel)
    {
        auto id = "p" + std::to_string(next_post++);
        id.resize(26, '0');
        return {{"id", id},          {"create_at", 1767225600000 + next_post}, {"update_at", 1767225600000}, {"edit_at", 0},
                {"user_id", user},   {"channel_id", channel},                {"root_id", root},             {"message", text},
                {"type", ""},        {"props", nlohmann::json::object()}};
    }

    // A slash-command POST as Mattermost sends it (form-encoded).
    net::server_request command(const std::string& command, const std::string& text, const std::string& user,
                                const std::string& response_name, const std::string& token = mm_command_token)
    {
        auto enc = [](const std::string& s) {
            std::string out;
            for (unsigned char c : s) {
                if (std::isalnum(c)) out += static_cast<char>(c);
                else if (c == ' ') out += '+';
                else {
                    char buf[4];
                    std::snprintf(buf, sizeof buf, "%%%02X", c);
                    out += buf;
                }
            }
            return out;
        };
        net::server_request r;
        r.method = "POST";
        r.target = "/mattermost/command";
        r.remote = "127.0.0.1";
        r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
        r.headers.push_back({"Authorization", "Token " + token});
        r.body = "channel_id=" + mm_channel + "&channel_name=town-square&command=" + enc(command) +
                 "&response_url=" + enc(fake.response_url(response_name)) + "&team_domain=acme&team_id=" + mm_team +
                 "&text=" + enc(text) + "&token=" + token + "&trigger_id=trig-" + response_name + "&user_id=" + user +
                 "&user_name=someone";
        return r;
    }

    net::server_request action(const std::string& user, const std::string& custom_id, const std::string& secret = mm_action_secret)
    {
        net::server_request r;
        r.method = "POST";
        r.target = "/mattermost/action";
        r.remote = "127.0.0.1";
        r.body = nlohmann::json{{"user_id", user},
                                {"channel_id", mm_channel},
                                {"team_id", mm_team},
                                {"post_id", "post00000000000000000000009"},
                                {"trigger_id", "trig-action"},
                                {"type", "button"},
                                {"context", {{"custom_id", custom_id}, {"secret", secret}}}}
                     .dump();
        return r;
    }
};

}  // namespace nudgebot::test
