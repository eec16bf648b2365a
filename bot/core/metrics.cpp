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

}  // namespace

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
    std::string last;
    for (const auto& [k, c] : counters_) {
        if (k.first != last) {
            out << "# TYPE " << k.first << " counter\n";
            last = k.first;
        }
        write_series(out, k.first, k.second);
        out << ' ' << c->value() << '\n';
    }
    last.clear();
    for (const auto& [k, g] : gauges_) {
        if (k.first != last) {
            out << "# TYPE " << k.first << " gauge\n";
            last = k.first;
        }
        write_series(out, k.first, k.second);
        out << ' ' << g->value() << '\n';
    }
    return out.str();
}

metrics& metrics::global()
{
    static metrics registry;
    return registry;
}

}  // namespace nudgebot::core
