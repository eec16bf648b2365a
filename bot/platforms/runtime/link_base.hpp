// What a platform's real-time link (Slack's Socket Mode, Mattermost's websocket) keeps besides
// its protocol: the adapter's lifecycle and logger, the clock, the owner its tasks keep alive, the
// reconnect policy and how many connections it opened.
//
// Contract: a base of a link's implementation object, used on the adapter's thread only. `owner`
// is set by the link's start(owner); every task the link starts captures owner.lock(), which
// keeps the adapter (and so the lifecycle and this object) alive while the task runs.
#pragma once

#include "core/clock.hpp"
#include "platforms/runtime/lifecycle.hpp"
#include "platforms/runtime/reconnect_policy.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace nudgebot::runtime {

struct link_base {
    link_base(lifecycle& l, const core::clock& c, const reconnect_settings& reconnect)
        : life(l), clock(c), policy(reconnect)
    {}

    // How long to wait before the next connection attempt (the policy's next step).
    std::chrono::milliseconds next_delay() { return policy.next_delay(clock.steady_now()); }
    // A connection became usable (hello): the policy's steps reset once it has stayed up.
    void link_up() { policy.connected(clock.steady_now()); }

    lifecycle& life;
    const core::clock& clock;
    std::weak_ptr<void> owner;
    std::shared_ptr<spdlog::logger> log = life.log();
    reconnect_policy policy;
    std::uint64_t opened = 0;   // connections opened so far
};

}  // namespace nudgebot::runtime
