#include "storage/timed_store.hpp"

#include <chrono>

namespace nudgebot::storage {

timed_store::timed_store(std::unique_ptr<store> inner, observer observe)
    : inner_(std::move(inner)), observe_(std::move(observe))
{}

timed_store::timed_store(std::unique_ptr<store> inner, core::metrics& registry) : inner_(std::move(inner))
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
    static const std::vector<std::string_view> ops{
        "get_consent", "put_consent", "load_consents", "get_settings", "put_settings", "load_settings",
        "add_counts",  "counts",      "add_notice",    "take_notices", "forget_user",  "take_changes",
        "claim_daily", "load_state",  "put_state"};
    return ops;
}

template <class F>
auto timed_store::timed(std::string_view op, F&& f)
{
    auto start = std::chrono::steady_clock::now();
    auto result = f();
    observe_(op, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return result;
}

std::optional<consent> timed_store::get_consent(const user_key& user)
{
    return timed("get_consent", [&] { return inner_->get_consent(user); });
}
bool timed_store::put_consent(const user_key& user, const consent& c)
{
    return timed("put_consent", [&] { return inner_->put_consent(user, c); });
}
std::vector<std::pair<core::user_id, consent>> timed_store::load_consents(core::platform where)
{
    return timed("load_consents", [&] { return inner_->load_consents(where); });
}
std::optional<server_settings> timed_store::get_settings(const server_key& server)
{
    return timed("get_settings", [&] { return inner_->get_settings(server); });
}
bool timed_store::put_settings(const server_key& server, const server_settings& s)
{
    return timed("put_settings", [&] { return inner_->put_settings(server, s); });
}
std::vector<std::pair<core::server_id, server_settings>> timed_store::load_settings(core::platform where)
{
    return timed("load_settings", [&] { return inner_->load_settings(where); });
}
bool timed_store::add_counts(const std::vector<counter_row>& rows)
{
    return timed("add_counts", [&] { return inner_->add_counts(rows); });
}
std::vector<counter_row> timed_store::counts(core::platform where, const std::string& server, std::int32_t first_day,
                                             std::int32_t last_day)
{
    return timed("counts", [&] { return inner_->counts(where, server, first_day, last_day); });
}
bool timed_store::add_notice(const user_key& user, const std::string& kind)
{
    return timed("add_notice", [&] { return inner_->add_notice(user, kind); });
}
std::vector<std::string> timed_store::take_notices(const user_key& user)
{
    return timed("take_notices", [&] { return inner_->take_notices(user); });
}
bool timed_store::forget_user(const user_key& user)
{
    return timed("forget_user", [&] { return inner_->forget_user(user); });
}
std::vector<change> timed_store::take_changes(int wait_ms)
{
    // Only the non-blocking polls measure the store; a wait would measure the quiet.
    if (wait_ms > 0) return inner_->take_changes(wait_ms);
    return timed("take_changes", [&] { return inner_->take_changes(0); });
}
std::vector<std::pair<std::string, std::string>> timed_store::load_state(core::platform where)
{
    return timed("load_state", [&] { return inner_->load_state(where); });
}
bool timed_store::put_state(core::platform where, const std::string& name, const std::string& value)
{
    return timed("put_state", [&] { return inner_->put_state(where, name, value); });
}
bool timed_store::claim_daily(const user_key& user, std::int32_t day, std::string_view kind, std::uint32_t limit)
{
    return timed("claim_daily", [&] { return inner_->claim_daily(user, day, kind, limit); });
}

}  // namespace nudgebot::storage
