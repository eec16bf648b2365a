#include "storage/job_order.hpp"

namespace nudgebot::storage {

std::uint64_t job_order::taken()
{
    std::lock_guard lock(mutex_);
    auto job = next_++;
    running_.insert(job);
    return job;
}

void job_order::finished(std::uint64_t job)
{
    {
        std::lock_guard lock(mutex_);
        running_.erase(job);
    }
    turn_.notify_all();
}

void job_order::wait_for_turn(std::uint64_t job)
{
    std::unique_lock lock(mutex_);
    turn_.wait(lock, [&] { return running_.empty() || *running_.begin() >= job; });
}

store& in_order_store::in_turn()
{
    if (!has_turn_) {
        order_.wait_for_turn(job_);
        has_turn_ = true;
    }
    return connection_;
}

bool in_order_store::claim_daily(const user_key& user, std::int32_t day, std::string_view kind, std::uint32_t limit)
{
    std::shared_lock guard(order_.forget_guard());
    return connection_.claim_daily(user, day, kind, limit);
}

std::optional<consent> in_order_store::get_consent(const user_key& user) { return in_turn().get_consent(user); }
bool in_order_store::put_consent(const user_key& user, const consent& c) { return in_turn().put_consent(user, c); }
std::vector<std::pair<core::user_id, consent>> in_order_store::load_consents(core::platform where)
{
    return in_turn().load_consents(where);
}
std::optional<server_settings> in_order_store::get_settings(const server_key& server)
{
    return in_turn().get_settings(server);
}
bool in_order_store::put_settings(const server_key& server, const server_settings& s)
{
    return in_turn().put_settings(server, s);
}
std::vector<std::pair<core::server_id, server_settings>> in_order_store::load_settings(core::platform where)
{
    return in_turn().load_settings(where);
}
std::vector<counter_row> in_order_store::counts(core::platform where, const std::string& server,
                                                std::int32_t first_day, std::int32_t last_day)
{
    return in_turn().counts(where, server, first_day, last_day);
}
bool in_order_store::add_notice(const user_key& user, const std::string& kind)
{
    return in_turn().add_notice(user, kind);
}
std::vector<std::string> in_order_store::take_notices(const user_key& user) { return in_turn().take_notices(user); }
bool in_order_store::forget_user(const user_key& user)
{
    auto& connection = in_turn();
    std::unique_lock guard(order_.forget_guard());
    return connection.forget_user(user);
}
std::vector<std::pair<std::string, std::string>> in_order_store::load_state(core::platform where)
{
    return in_turn().load_state(where);
}
bool in_order_store::put_state(core::platform where, const std::string& name, const std::string& value)
{
    return in_turn().put_state(where, name, value);
}

}  // namespace nudgebot::storage
