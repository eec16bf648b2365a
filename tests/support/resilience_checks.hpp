// Checks every platform adapter must pass against its fake: reconnect pacing when each link dies
// right after its hello, the reset of the backoff after a healthy period, and supervised tasks
// (an exception escaping a loop is logged without its text, counted, marks the adapter failed,
// and the loop is started again).
//
// Contract: test-only, header-only. `H` is a platform harness on adapter_harness (tests/platforms/
// <name>/harness.hpp) whose fake has set_kill_after_hello(bool) and connections(). Timings are
// scaled by ten: scaled_reconnect() stands for production's 1 s first step, 30 s healthy period and
// minutes-long refused pause, so one second of test time is ten seconds of production time.
#pragma once

#include "core/metrics.hpp"
#include "platforms/runtime/reconnect_policy.hpp"
#include "platforms/runtime/supervision.hpp"
#include "support/adapter_harness.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace nudgebot::test {

inline constexpr std::chrono::milliseconds scaled_first_step{100};
inline constexpr std::chrono::milliseconds scaled_healthy_period{300};

inline runtime::reconnect_settings scaled_reconnect()
{
    runtime::reconnect_settings r;
    r.base = scaled_first_step;
    r.cap = std::chrono::milliseconds(10000);
    r.healthy_after = scaled_healthy_period;
    r.refused_pause = std::chrono::milliseconds(1500);
    return r;
}

// Started with every link dying right after its hello: at most six connects in the first (scaled)
// ten seconds. The old behaviour (backoff reset at every hello) reconnected about once per step.
template <class H>
void check_dying_links_are_paced(H& h)
{
    h.fake.set_kill_after_hello(true);
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.fake.connections() >= 1; }));
    h.run_for(std::chrono::milliseconds(1000));
    INFO("connects in the first scaled 10 s: " << h.fake.connections());
    CHECK(h.fake.connections() >= 3);   // it does keep trying
    CHECK(h.fake.connections() <= 6);
}

// After links died for a while (the steps grew), a connection that stays up for the healthy period
// makes the next reconnect start from the first step again. `up` says the adapter is connected,
// `drop` ends the connection from the fake's side.
template <class H>
void check_healthy_period_resets_the_backoff(H& h, const std::function<bool()>& up, const std::function<void()>& drop)
{
    h.fake.set_kill_after_hello(true);
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.fake.connections() >= 4; }, std::chrono::milliseconds(3000)));
    // The steps have grown to at least 800 ms (the fifth step's lower half is 800 ms).
    h.fake.set_kill_after_hello(false);
    // One connection must stay up for the healthy period (with a margin: the policy starts its
    // clock when the link is up on its side). A link that said hello just before the switch is
    // still killed, and `up()` may read true in that instant: then a later connection is the one
    // to wait for, so wait again until no new connection was made over a whole period.
    bool stable = false;
    for (int round = 0; round < 10 && !stable; ++round) {
        REQUIRE(h.run_until([&] { return up(); }, std::chrono::milliseconds(6000)));
        const auto connections = h.fake.connections();
        h.run_for(scaled_healthy_period + std::chrono::milliseconds(600));
        stable = up() && h.fake.connections() == connections;
    }
    REQUIRE(stable);
    auto before = h.fake.connections();
    const auto logged_before = h.logs.str().size();
    drop();
    REQUIRE(h.run_until([&] { return h.fake.connections() > before; }, std::chrono::milliseconds(5000)));
    // The wait the policy chose after the drop, as the adapter logged it ("... in N ms"): read, not
    // timed, so a loaded machine's slow scheduling cannot pass for a long step or hide a short one.
    const std::string after = h.logs.str().substr(logged_before);
    const auto at = after.find(" ms");
    REQUIRE(at != std::string::npos);
    auto digits = at;
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(after[digits - 1]))) --digits;
    REQUIRE(digits < at);
    const long waited = std::stol(after.substr(digits, at - digits));
    INFO("the first wait logged after the drop: " << after.substr(0, at + 3));
    // The first step is at most 100 ms; without the reset the next step would wait at least 800 ms.
    CHECK(waited <= scaled_first_step.count());
}

// A fault hook for settings.supervision: throws once, the next time `task` reaches its checkpoint
// while armed. The exception's text stands for message text and must never be logged.
struct one_fault {
    inline static const std::string text = "what alice wrote must never reach a log";
    std::shared_ptr<std::atomic<bool>> armed = std::make_shared<std::atomic<bool>>(false);
    std::string task;

    std::function<void(std::string_view)> hook() const
    {
        return [armed = armed, task = task](std::string_view t) {
            if (t == task && armed->exchange(false)) throw std::runtime_error(text);
        };
    }
};

inline void slow_restarts(runtime::supervision& s, const one_fault& fault)
{
    s.fault = fault.hook();
    s.restart_base = std::chrono::milliseconds(200);   // long enough to observe the failed state
    s.restart_cap = std::chrono::milliseconds(400);
}

// Arms the fault, waits for the task to throw, and checks the three effects and the restart.
// `failed` reads the adapter's failed flag, `recovered` says the adapter works again.
template <class H>
void check_supervised_failure(H& h, const one_fault& fault, const std::string& platform,
                              const std::function<bool()>& failed, const std::function<void()>& provoke,
                              const std::function<bool()>& recovered)
{
    core::metric_labels labels{{"platform", platform}, {"task", fault.task}};
    auto before = metric("nudgebot_task_failures_total", labels);
    fault.armed->store(true);
    if (provoke) provoke();
    REQUIRE(h.run_until([&] { return metric("nudgebot_task_failures_total", labels) == before + 1; }));
    CHECK(failed());   // what the health endpoint reads
    CHECK(h.logs.str().find("task " + fault.task + " ended with an exception (std::runtime_error)") != std::string::npos);
    CHECK(h.logs.str().find(one_fault::text) == std::string::npos);
    REQUIRE(h.run_until([&] { return recovered() && !failed(); }, std::chrono::milliseconds(5000)));
    CHECK(metric("nudgebot_task_failures_total", labels) == before + 1);
}

}  // namespace nudgebot::test
