// Process-wide counters, gauges and histograms, rendered as Prometheus text by ops/.
//
// Contract: a metric is identified by a name and a small set of label pairs (ids, rule ids,
// reasons, outcomes — never message text). `counter(...)`, `gauge(...)` and `histogram(...)`
// return a reference that stays valid for the life of the registry; updating it is a relaxed
// atomic operation, safe from any thread. Looking a metric up takes a mutex: hold on to the
// reference on hot paths. describe() gives a metric name its HELP line; every name also gets a
// TYPE line. Create the series an operator will query at start-up, so they exist (at 0) before
// the first event.
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

// Cumulative buckets with fixed upper bounds (seconds for latencies), a sum and a count.
class metric_histogram {
public:
    explicit metric_histogram(std::vector<double> bounds);
    void observe(double v) noexcept;
    const std::vector<double>& bounds() const noexcept { return bounds_; }
    // Observations <= bounds()[i] (cumulative); index bounds().size() is the total count.
    std::uint64_t cumulative(std::size_t i) const noexcept;
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
    double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;   // per bucket, not cumulative
    std::atomic<std::uint64_t> count_{0};
    std::atomic<double> sum_{0};
};

// Latency buckets from 0.25 ms to 10 s.
const std::vector<double>& latency_buckets();

class metrics {
public:
    metric_counter& counter(std::string_view name, const metric_labels& labels = {});
    metric_gauge& gauge(std::string_view name, const metric_labels& labels = {});
    // The bounds count only when the series is created.
    metric_histogram& histogram(std::string_view name, const metric_labels& labels = {},
                                const std::vector<double>& bounds = latency_buckets());
    void describe(std::string_view name, std::string_view help);

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
    std::map<key, std::unique_ptr<metric_histogram>> histograms_;
    std::map<std::string, std::string, std::less<>> help_;
};

}  // namespace nudgebot::core
