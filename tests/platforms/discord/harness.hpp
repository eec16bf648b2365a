// A Discord adapter wired to a fake Discord over loopback, with fast timings and a log capture.
//
// Contract: test-only. Everything runs on the test thread (the adapter's io_context) except the
// fake, which has its own thread. The "discord" logger writes into `logs` for the harness's life.
#pragma once

#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "platforms/discord/adapter.hpp"
#include "support/fake_discord.hpp"
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

inline constexpr const char* test_token = "NzAwMDAwMDAwMDAwMDAwMDAy.TEST.secret-token-value";

inline discord::settings fast_settings(const fake_discord& fake)
{
    discord::settings s;
    s.token = test_token;
    s.api_base = fake.api_base();
    s.gateway_url = fake.gateway_url();
    s.compress = false;
    s.connect_timeout = std::chrono::milliseconds(2000);
    s.close_timeout = std::chrono::milliseconds(300);
    s.invalid_session_wait_min = std::chrono::milliseconds(20);
    s.invalid_session_wait_max = std::chrono::milliseconds(60);
    s.reconnect_backoff_base = std::chrono::milliseconds(20);
    s.reconnect_backoff_cap = std::chrono::milliseconds(200);
    s.identify_interval = std::chrono::milliseconds(10);
    s.rest_timeout = std::chrono::milliseconds(3000);
    s.rest_retry_base = std::chrono::milliseconds(20);
    return s;
}

inline std::uint64_t metric(std::string_view name, const core::metric_labels& labels = {})
{
    return core::metrics::global().value(name, labels);
}

struct harness {
    fake_discord fake;
    boost::asio::io_context ioc;
    core::system_clock clock;
    std::vector<core::event> events;
    std::ostringstream logs;
    std::unique_ptr<discord::adapter> bot;

    explicit harness(fake_discord_options fo = {}, const std::function<void(discord::settings&)>& tweak = {})
        : fake(std::move(fo))
    {
        spdlog::drop("discord");
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(logs);
        auto logger = std::make_shared<spdlog::logger>("discord", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::register_logger(logger);
        auto s = fast_settings(fake);
        if (tweak) tweak(s);
        bot = std::make_unique<discord::adapter>(ioc, s, [this](core::event e) { events.push_back(std::move(e)); },
                                                 clock);
    }

    ~harness()
    {
        bot->stop();
        run_until([&] { return bot->status().finished || fake.open_connections() == 0; },
                  std::chrono::milliseconds(1500));
        bot.reset();
        test::run_for(ioc, std::chrono::milliseconds(20));
        spdlog::drop("discord");
    }

    template <class P>
    bool run_until(P p, std::chrono::milliseconds t = std::chrono::milliseconds(5000))
    {
        return test::run_until(ioc, p, t);
    }

    void run_for(std::chrono::milliseconds d) { test::run_for(ioc, d); }

    template <class T>
    std::size_t count() const
    {
        std::size_t n = 0;
        for (const auto& e : events)
            if (std::holds_alternative<T>(e)) ++n;
        return n;
    }

    bool ready() const { return count<core::session_ready>() > 0; }

    bool start_and_wait_ready()
    {
        bot->start();
        return run_until([&] { return ready(); });
    }
};

// A MESSAGE_CREATE payload written for these tests (not copied from any data set).
inline nlohmann::json message_payload(const std::string& id, const std::string& text,
                                      const std::string& author = "500000000000000001", bool bot = false)
{
    return {{"id", id},
            {"channel_id", "400000000000000001"},
            {"guild_id", "300000000000000001"},
            {"author", {{"id", author}, {"username", "sam"}, {"bot", bot}}},
            {"content", text},
            {"timestamp", "2026-03-01T10:00:00.000000+00:00"},
            {"mentions", nlohmann::json::array()},
            {"type", 0}};
}

}  // namespace nudgebot::test
