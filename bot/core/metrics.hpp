// Process-wide counters and gauges, rendered as Prometheus text by ops/.
//
// Contract: a metric is identified by a name and a small set of label pairs (ids, rule ids,
// reasons, outcomes — never message text). `counter(...)` returns a reference that stays valid for
// the life of the registry; incrementing it is a relaxed atomic add, safe from any thread.
// Looking a metric up takes a mutex: hold on to the reference on hot paths.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nudgebot::core {

using metric_labels = std::vector<std::pair<std::string, std::string>>;

class metric_counter {
public:
    void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class metric_gauge {
public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class metrics {
public:
    metric_counter& counter(std::string_view name, const metric_labels& labels = {});
    metric_gauge& gauge(std::string_view name, const metric_labels& labels = {});

    // Current value of a counter, 0 when it was never created (for tests and stats).
    std::uint64_t value(std::string_view name, const metric_labels& labels = {}) const;

    // Prometheus text exposition format, metrics sorted by name then labels.
    std::string render_prometheus() const;

    // The registry used when no other is injected.
    static metrics& global();

private:
    using key = std::pair<std::string, metric_labels>;
    mutable std::mutex mutex_;
    std::map<key, std::unique_ptr<metric_counter>> counters_;
    std::map<key, std::unique_ptr<metric_gauge>> gauges_;
};

}  // namespace nudgebot::core
