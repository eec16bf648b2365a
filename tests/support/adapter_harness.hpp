// A platform adapter wired to its fake server over loopback, with its events and logs captured:
// the part of the Discord, Slack and Mattermost test harnesses that does not depend on the platform.
//
// Contract: test-only, header-only. `Fake` is a fake platform server (tests/support/fake_*.hpp),
// `Adapter` a platform adapter constructed as (io_context&, settings, event sink, const clock&).
// Everything runs on the test thread, which drives `ioc`, except the fake, which has its own
// thread. The platform harness builds its settings from `fake` and calls `make_bot` once, in its
// constructor. Events go to `events`, and also to `forward` when set (a scenario's event router).
// The logger named `logger` writes into `logs` for the harness's life. Teardown stops the adapter,
// drives the context until `stopped(bot, fake)` holds or `stop_grace` passes (by default a fixed 50 ms for
// the close handshakes), destroys the adapter and drains the context for 20 ms more.
#pragma once

#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "support/run_until.hpp"

#include <boost/asio/io_context.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace nudgebot::test {

// A counter of the process-wide metrics registry (tests compare it before and after).
inline std::uint64_t metric(std::string_view name, const core::metric_labels& labels = {})
{
    return core::metrics::global().value(name, labels);
}

// The reconnect timings every adapter has, made fast for tests.
template <class Settings>
void fast_connection_timings(Settings& s)
{
    s.connect_timeout = std::chrono::milliseconds(2000);
    s.close_timeout = std::chrono::milliseconds(300);
    s.reconnect.base = std::chrono::milliseconds(20);
    s.reconnect.cap = std::chrono::milliseconds(200);
    s.supervision.restart_base = std::chrono::milliseconds(20);
    s.supervision.restart_cap = std::chrono::milliseconds(200);
}

template <class Fake, class Adapter>
struct adapter_harness {
    Fake fake;
    boost::asio::io_context ioc;
    core::system_clock system;
    const core::clock& clock;
    std::vector<core::event> events;
    std::function<void(const core::event&)> forward;
    std::ostringstream logs;
    std::unique_ptr<Adapter> bot;
    std::function<bool(Adapter&, Fake&)> stopped;      // teardown: the adapter has wound down
    std::chrono::milliseconds stop_grace{50};

    template <class... FakeArgs>
    adapter_harness(std::string logger, const core::clock* use_clock, FakeArgs&&... fake_args)
        : fake(std::forward<FakeArgs>(fake_args)...), clock(use_clock ? *use_clock : system), logger_(std::move(logger))
    {
        spdlog::drop(logger_);
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(logs);
        auto l = std::make_shared<spdlog::logger>(logger_, sink);
        l->set_level(spdlog::level::trace);
        spdlog::register_logger(l);
    }

    ~adapter_harness()
    {
        if (bot) {
            bot->stop();
            run_until([&] { return stopped && stopped(*bot, fake); }, stop_grace);
            bot.reset();
        }
        run_for(std::chrono::milliseconds(20));
        spdlog::drop(logger_);
    }

    adapter_harness(const adapter_harness&) = delete;
    adapter_harness& operator=(const adapter_harness&) = delete;

    template <class Settings>
    void make_bot(Settings s)
    {
        bot = std::make_unique<Adapter>(ioc, std::move(s),
                                        [this](core::event e) {
                                            if (forward) forward(e);
                                            events.push_back(std::move(e));
                                        },
                                        clock);
    }

    template <class P>
    bool run_until(P p, std::chrono::milliseconds t = std::chrono::milliseconds(5000))
    {
        return test::run_until(ioc, p, t);
    }
    void run_for(std::chrono::milliseconds d) { test::run_for(ioc, d); }

    // The captured events of one kind, in order.
    template <class T>
    std::vector<T> all() const
    {
        std::vector<T> out;
        for (const auto& e : events)
            if (std::holds_alternative<T>(e)) out.push_back(std::get<T>(e));
        return out;
    }

    template <class T>
    std::size_t count() const
    {
        std::size_t n = 0;
        for (const auto& e : events)
            if (std::holds_alternative<T>(e)) ++n;
        return n;
    }

    // A session_ready event came, and the adapter says it is connected where it can say so.
    bool ready() const
    {
        if (count<core::session_ready>() == 0) return false;
        if constexpr (requires(const Adapter& a) { a.status().connected; })
            return bot->status().connected;
        return true;
    }

    bool start_and_wait_ready()
    {
        bot->start();
        return run_until([&] { return ready(); });
    }

private:
    std::string logger_;
};

}  // namespace nudgebot::test
