// Time source for everything that decides by time (cooldowns, caps, context windows, backoff).
//
// Contract: production code takes a `const clock&` and never calls std::chrono::*::now() itself,
// so tests drive time with manual_clock. Implementations are thread-safe.
#pragma once

#include <atomic>
#include <chrono>

namespace nudgebot::core {

class clock {
public:
    virtual ~clock() = default;
    virtual std::chrono::steady_clock::time_point steady_now() const = 0;
    virtual std::chrono::system_clock::time_point wall_now() const = 0;
};

class system_clock final : public clock {
public:
    std::chrono::steady_clock::time_point steady_now() const override
    {
        return std::chrono::steady_clock::now();
    }
    std::chrono::system_clock::time_point wall_now() const override
    {
        return std::chrono::system_clock::now();
    }
};

// A clock that only moves when told to. Starts at the given wall time (default 2026-01-01 UTC).
class manual_clock final : public clock {
public:
    explicit manual_clock(std::chrono::system_clock::time_point start =
                              std::chrono::system_clock::time_point{std::chrono::seconds{1767225600}})
        : wall_start_(start)
    {}

    std::chrono::steady_clock::time_point steady_now() const override
    {
        return std::chrono::steady_clock::time_point{elapsed()};
    }
    std::chrono::system_clock::time_point wall_now() const override
    {
        return wall_start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed());
    }
    void advance(std::chrono::nanoseconds by) { elapsed_ns_ += by.count(); }

private:
    std::chrono::nanoseconds elapsed() const { return std::chrono::nanoseconds{elapsed_ns_.load()}; }

    std::chrono::system_clock::time_point wall_start_;
    std::atomic<std::int64_t> elapsed_ns_{0};
};

}  // namespace nudgebot::core
