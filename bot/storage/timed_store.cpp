#include "storage/timed_store.hpp"

#include <chrono>

namespace nudgebot::storage {

timed_store::timed_store(std::unique_ptr<store> inner, observer observe)
    : forwarding_store(*inner), owned_(std::move(inner)), observe_(std::move(observe))
{}

timed_store::timed_store(std::unique_ptr<store> inner, core::metrics& registry)
    : forwarding_store(*inner), owned_(std::move(inner))
{
    registry.describe("nudgebot_store_operation_seconds",
                      "Time one storage operation took on the store's worker thread, by operation.");
    std::map<std::string_view, core::metric_histogram*> series;
    for (auto op : operations())
        series[op] = &registry.histogram("nudgebot_store_operation_seconds", {{"op", std::string(op)}});
    observe_ = [series = std::move(series)](std::string_view op, double seconds) {
        if (auto it = series.find(op); it != series.end()) it->second->observe(seconds);
    };
}

const std::vector<std::string_view>& timed_store::operations()
{
    static const std::vector<std::string_view> ops = [] {
        std::vector<std::string_view> names;
        for (auto op = operation::get_consent; op != operation::ping; op = operation(static_cast<int>(op) + 1))
            names.push_back(name(op));
        return names;
    }();
    return ops;
}

void timed_store::pass(operation op, const call& c)
{
    if (op == operation::ping || op == operation::take_changes_waiting) {
        c(inner());
        return;
    }
    auto start = std::chrono::steady_clock::now();
    c(inner());
    observe_(name(op), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace nudgebot::storage
