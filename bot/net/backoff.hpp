// Exponential backoff with jitter for reconnect loops.
//
// Contract: owned by one connection, not thread-safe. `next()` returns
// d/2 + random[0, d/2] with d = min(cap, base * 2^attempt) ("equal jitter"): never zero, so a
// reconnect loop can never spin, and spread out so that many shards do not reconnect in lock step.
// `reset()` after a connection proved healthy.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace nudgebot::net {

class backoff {
public:
    backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap,
            std::uint64_t seed = std::random_device{}())
        : base_(std::max<std::chrono::milliseconds>(base, std::chrono::milliseconds{1})),
          cap_(std::max(cap, base_)), rng_(seed)
    {}

    std::chrono::milliseconds next()
    {
        auto d = base_.count();
        for (unsigned i = 0; i < attempt_ && d < cap_.count(); ++i) d *= 2;
        d = std::min<std::int64_t>(d, cap_.count());
        if (attempt_ < 63) ++attempt_;
        std::uniform_int_distribution<std::int64_t> half(0, d / 2);
        return std::chrono::milliseconds{std::max<std::int64_t>(1, d - d / 2 + half(rng_))};
    }

    void reset() noexcept { attempt_ = 0; }
    unsigned attempts() const noexcept { return attempt_; }

private:
    std::chrono::milliseconds base_;
    std::chrono::milliseconds cap_;
    unsigned attempt_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace nudgebot::net
