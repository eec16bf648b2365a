// A store that times every operation of the store it wraps: the store-latency histogram
// (nudgebot_store_operation_seconds{op}) in production, raw samples in the store benchmark.
//
// Contract: owned by storage/. Same threading as the wrapped store (one thread at a time); the
// observer runs on that thread right after each call, with the operation's name (a fixed word)
// and its duration in seconds. Adds nothing else: results pass through unchanged.
#pragma once

#include "core/metrics.hpp"
#include "storage/forwarding_store.hpp"

#include <functional>
#include <memory>
#include <string_view>

namespace nudgebot::storage {

class timed_store final : public forwarding_store {
public:
    using observer = std::function<void(std::string_view op, double seconds)>;

    timed_store(std::unique_ptr<store> inner, observer observe);
    // Observes into registry's nudgebot_store_operation_seconds{op}, every op's series created now.
    timed_store(std::unique_ptr<store> inner, core::metrics& registry);

    // The operation names, as they appear in the op label (ping and waiting for changes are not
    // timed: they measure the network or the quiet, not the store).
    static const std::vector<std::string_view>& operations();

private:
    void pass(operation op, const call& c) override;

    std::unique_ptr<store> owned_;
    observer observe_;
};

}  // namespace nudgebot::storage
