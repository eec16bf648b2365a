// Token-bucket rate limiter (gateway send limit, REST global limit, identify pacing).
//
// Contract: not thread-safe; owned by one connection or strand. Time comes from the caller
// (steady time points) so tests decide how time moves. The bucket holds at most `capacity`
// tokens and regains `capacity` tokens per `window`, continuously. `reserve` lets a caller keep
// tokens back for a priority lane: a normal send only succeeds while more than `reserve` tokens
// remain, a priority send (reserve 0) may use the last ones.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace nudgebot::net {

class token_bucket {
public:
    using time_point = std::chrono::steady_clock::time_point;
    using duration = std::chrono::steady_clock::duration;

    token_bucket(double capacity, duration window, time_point now)
        : capacity_(capacity), window_(window), tokens_(capacity), last_(now)
    {}

    bool try_acquire(time_point now, double reserve = 0.0)
    {
        refill(now);
        if (tokens_ - reserve >= 1.0) {
            tokens_ -= 1.0;
            return true;
        }
        return false;
    }

    // How long until try_acquire(now, reserve) would succeed (zero when it would now).
    duration wait_time(time_point now, double reserve = 0.0)
    {
        refill(now);
        double missing = 1.0 + reserve - tokens_;
        if (missing <= 0.0) return duration::zero();
        auto per_token = std::chrono::duration<double>(window_) / capacity_;
        return std::chrono::ceil<duration>(per_token * missing);
    }

    double available(time_point now)
    {
        refill(now);
        return tokens_;
    }

private:
    void refill(time_point now)
    {
        if (now <= last_) return;
        double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(capacity_, tokens_ + elapsed * capacity_ /
                                                    std::chrono::duration<double>(window_).count());
        last_ = now;
    }

    double capacity_;
    duration window_;
    double tokens_;
    time_point last_;
};

}  // namespace nudgebot::net
