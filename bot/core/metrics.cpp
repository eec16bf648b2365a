#include "core/metrics.hpp"

#include <sstream>

namespace nudgebot::core {

namespace {

// Label values are ids and reason words; escape the three characters Prometheus requires.
std::string escape_label(const std::string& v)
{
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

void write_series(std::ostringstream& out, const std::string& name, const metric_labels& labels)
{
    out << name;
    if (!labels.empty()) {
        out << '{';
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (i) out << ',';
            out << labels[i].first << "=\"" << escape_label(labels[i].second) << '"';
        }
        out << '}';
    }
}

void write_header(std::ostringstream& out, const std::string& name, const char* type,
                  const std::map<std::string, std::string, std::less<>>& help)
{
    if (auto it = help.find(name); it != help.end()) out << "# HELP " << name << ' ' << it->second << '\n';
    out << "# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

metric_histogram::metric_histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1])
{
    for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void metric_histogram::observe(double v) noexcept
{
    std::size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t metric_histogram::cumulative(std::size_t i) const noexcept
{
    std::uint64_t n = 0;
    for (std::size_t b = 0; b <= i && b <= bounds_.size(); ++b) n += buckets_[b].load(std::memory_order_relaxed);
    return n;
}

const std::vector<double>& latency_buckets()
{
    static const std::vector<double> bounds{0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,    0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    return bounds;
}

metric_histogram& metrics::histogram(std::string_view name, const metric_labels& labels,
                                     const std::vector<double>& bounds)
{
    std::lock_guard lock(mutex_);
    auto& slot = histograms_[key{std::string(name), labels}];
    if (!slot) slot = std::make_unique<metric_histogram>(bounds);
    return *slot;
}

void metrics::describe(std::string_view name, std::string_view help)
{
    std::lock_guard lock(mutex_);
    help_[std::string(name)] = std::string(help);
}

metric_counter& metrics::counter(std::string_view name, const metric_labels& labels)
{
    std::lock_guard lock(mutex_);
    auto& slot = counters_[key{std::string(name), labels}];
    if (!slot) slot = std::make_unique<metric_counter>();
    return *slot;
}

metric_gauge& metrics::gauge(std::string_view name, const metric_labels& labels)
{
    std::lock_guard lock(mutex_);
    auto& slot = gauges_[key{std::string(name), labels}];
    if (!slot) slot = std::make_unique<metric_gauge>();
    return *slot;
}

std::uint64_t metrics::value(std::string_view name, const metric_labels& labels) const
{
    std::lock_guard lock(mutex_);
    auto it = counters_.find(key{std::string(name), labels});
    return it == counters_.end() ? 0 : it->second->value();
}

std::string metrics::render_prometheus() const
{
    std::lock_guard lock(mutex_);
    std::ostringstream out;
    // One family per name: its HELP and TYPE once, then what `write` prints for each series.
    auto families = [&](const auto& series, const char* type, const auto& write) {
        std::string last;
        for (const auto& [k, metric] : series) {
            if (k.first != last) {
                write_header(out, k.first, type, help_);
                last = k.first;
            }
            write(k, *metric);
        }
    };
    auto one_value = [&](const key& k, const auto& metric) {
        write_series(out, k.first, k.second);
        out << ' ' << metric.value() << '\n';
    };
    families(counters_, "counter", one_value);
    families(gauges_, "gauge", one_value);
    families(histograms_, "histogram", [&](const key& k, const metric_histogram& h) {
        const auto& bounds = h.bounds();
        for (std::size_t i = 0; i <= bounds.size(); ++i) {
            auto labels = k.second;
            std::ostringstream le;
            if (i < bounds.size()) le << bounds[i];
            else le << "+Inf";
            labels.emplace_back("le", le.str());
            write_series(out, k.first + "_bucket", labels);
            out << ' ' << h.cumulative(i) << '\n';
        }
        write_series(out, k.first + "_sum", k.second);
        out << ' ' << h.sum() << '\n';
        write_series(out, k.first + "_count", k.second);
        out << ' ' << h.count() << '\n';
    });
    return out.str();
}

metrics& metrics::global()
{
    static metrics registry;
    return registry;
}

}  // namespace nudgebot::core
