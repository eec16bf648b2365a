// A Slack adapter wired to a fake Slack over loopback, with fast timings and a log capture.
//
// Contract: test-only. Everything runs on the test thread (the adapter's io_context) except the
// fake, which has its own thread. The "slack" logger writes into `logs` for the harness's life.
// Events go to `events`, and also to `forward` when set (the scenario test's dispatcher).
#pragma once

#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "platforms/slack/adapter.hpp"
#include "support/fake_slack.hpp"
#include "support/run_until.hpp"

#include <boost/asio/io_context.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <memory>
#include <sstream>
#include <variant>
#include <vector>

namespace nudgebot::test {

inline constexpr const char* slack_app_token = "xapp-1-A1-111-app-secret-value";
inline constexpr const char* slack_bot_token = "xoxb-111-222-bot-secret-value";

inline std::uint64_t slack_metric(std::string_view name, const core::metric_labels& labels = {})
{
    return core::metrics::global().value(name, labels);
}

struct slack_harness {
    fake_slack fake;
    boost::asio::io_context ioc;
    core::system_clock system;
    const core::clock& clock;
    std::vector<core::event> events;
    std::function<void(const core::event&)> forward;
    std::ostringstream logs;
    std::unique_ptr<slack::adapter> bot;

    explicit slack_harness(const std::function<void(slack::settings&)>& tweak = {}, const core::clock* use_clock = nullptr)
        : clock(use_clock ? *use_clock : system)
    {
        spdlog::drop("slack");
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(logs);
        auto logger = std::make_shared<spdlog::logger>("slack", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::register_logger(logger);
        slack::settings s;
        s.app_token = slack_app_token;
        s.bot_token = slack_bot_token;
        s.api_base = fake.api_base();
        s.response_url_prefix = fake.response_prefix();
        s.connect_timeout = std::chrono::milliseconds(2000);
        s.close_timeout = std::chrono::milliseconds(300);
        s.keepalive = std::chrono::milliseconds(3000);
        s.reconnect_backoff_base = std::chrono::milliseconds(20);
        s.reconnect_backoff_cap = std::chrono::milliseconds(200);
        s.web_timeout = std::chrono::milliseconds(3000);
        s.web_retry_base = std::chrono::milliseconds(20);
        if (tweak) tweak(s);
        bot = std::make_unique<slack::adapter>(ioc, s,
                                               [this](core::event e) {
                                                   if (forward) forward(e);
                                                   events.push_back(std::move(e));
                                               },
                                               clock);
    }

    ~slack_harness()
    {
        bot->stop();
        test::run_for(ioc, std::chrono::milliseconds(50));
        bot.reset();
        test::run_for(ioc, std::chrono::milliseconds(20));
        spdlog::drop("slack");
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
};

}  // namespace nudgebot::test
