// When to open a platform connection again: one policy for the Discord gateway, Slack's Socket
// Mode and Mattermost's websocket.
//
// Contract: owned by one connection loop, not thread-safe, no I/O (time is passed in, so tests
// drive it without waiting). Steps grow exponentially from `base` to `cap`; each delay is drawn
// uniformly from the upper half of its step, [step/2, step] ("equal jitter": spread out so many
// shards never reconnect in lock step, yet bounded below so a link that keeps dying is retried at
// most about log2(T/base) + 1 times in a window T — with the 1 s default, at most 5 connects in the
// first 10 s). A link that dies right after it came up does NOT reset the steps: only a connection
// that stayed up for `healthy_after` does, so the next attempt after it starts from the first
// step again. `refused()` is the long pause after the platform said it does not want us now
// (Slack link_disabled and the like): minutes, not seconds.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace nudgebot::runtime {

struct reconnect_settings {
    std::chrono::milliseconds base{1000};
    std::chrono::milliseconds cap{60000};
    std::chrono::milliseconds healthy_after{30000};   // up this long: the next reconnect starts over
    std::chrono::milliseconds refused_pause{300000};  // the platform refused the link (5 min)
};

class reconnect_policy {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit reconnect_policy(reconnect_settings s, std::uint64_t seed = std::random_device{}())
        : s_(s), rng_(seed)
    {
        s_.base = std::max(s_.base, std::chrono::milliseconds(1));
        s_.cap = std::max(s_.cap, s_.base);
    }

    // The connection is usable (hello / READY received) at `now`.
    void connected(time_point now) noexcept { up_since_ = now; }

    // The connection ended or an attempt failed at `now`: how long to wait before the next one.
    std::chrono::milliseconds next_delay(time_point now)
    {
        if (up_since_ && now - *up_since_ >= s_.healthy_after) step_ = 0;
        up_since_.reset();
        auto d = s_.base.count();
        for (unsigned i = 0; i < step_ && d < s_.cap.count(); ++i) d *= 2;
        d = std::min<std::int64_t>(d, s_.cap.count());
        if (step_ < 63) ++step_;
        std::uniform_int_distribution<std::int64_t> upper_half(d - d / 2, d);
        return std::chrono::milliseconds(std::max<std::int64_t>(1, upper_half(rng_)));
    }

    // The platform refused the link: the long pause, and the steps start over after it.
    std::chrono::milliseconds refused() noexcept
    {
        up_since_.reset();
        step_ = 0;
        return s_.refused_pause;
    }

    unsigned step() const noexcept { return step_; }
    const reconnect_settings& settings() const noexcept { return s_; }

private:
    reconnect_settings s_;
    std::mt19937_64 rng_;
    unsigned step_ = 0;
    std::optional<time_point> up_since_;
};

}  // namespace nudgebot::runtime
