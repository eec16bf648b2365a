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
    return inner();
}

void in_order_store::pass(operation op, const call& c)
{
    switch (op) {
    case operation::ping:
    case operation::take_changes:
    case operation::take_changes_waiting:
    case operation::add_counts:
        c(inner());
        return;
    case operation::claim_daily: {
        std::shared_lock guard(order_.forget_guard());
        c(inner());
        return;
    }
    case operation::forget_user: {
        auto& connection = in_turn();
        std::unique_lock guard(order_.forget_guard());
        c(connection);
        return;
    }
    default:
        c(in_turn());
        return;
    }
}

}  // namespace nudgebot::storage
