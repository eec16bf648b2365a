#include "storage/async_store.hpp"

#include "core/metrics.hpp"

#include <spdlog/spdlog.h>

namespace nudgebot::storage {

namespace {
// A job slower than this makes the next interaction defer before touching storage.
constexpr std::int64_t slow_job_us = 250'000;
}

async_store::async_store(std::unique_ptr<store> backing, executor post)
    : store_(std::move(backing)),
      post_(std::move(post)),
      shared_(store_->shared()),
      depth_(core::metrics::global().gauge("nudgebot_store_queue_depth")),
      worker_([this] { run(); })
{
    core::metrics::global().describe("nudgebot_store_queue_depth", "Storage jobs waiting for the store's worker thread.");
}

void async_store::on_changes(change_listener listener)
{
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(listener));
}

void async_store::ping()
{
    last_ping_ = std::chrono::steady_clock::now();
    bool ok = store_->ping();
    if (ok != reachable_.exchange(ok)) {
        if (ok) spdlog::info("store: reachable again");
        else spdlog::error("store: the database does not answer");
    }
}

bool async_store::reachable() const noexcept
{
    auto started = job_started_us_.load();
    auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    if (started != 0 && now_us - started > std::chrono::duration_cast<std::chrono::microseconds>(stuck_after).count())
        return false;
    return reachable_.load();
}

void async_store::poll_changes()
{
    last_poll_ = std::chrono::steady_clock::now();
    auto changes = store_->take_changes(0);
    if (changes.empty()) return;
    std::vector<refreshed_row> rows;
    rows.reserve(changes.size());
    for (auto& c : changes) {
        refreshed_row r{std::move(c), std::nullopt, std::nullopt};
        if (!r.what.id.empty()) {
            if (r.what.what == change::kind::consent) r.consent_now = store_->get_consent({r.what.where, core::user_id{r.what.id}});
            else r.settings_now = store_->get_settings({r.what.where, core::server_id{r.what.id}});
        }
        rows.push_back(std::move(r));
    }
    std::vector<change_listener> listeners;
    {
        std::lock_guard lock(mutex_);
        listeners = listeners_;
    }
    for (auto& l : listeners) post_([l = std::move(l), rows]() mutable { l(std::move(rows)); });
}

async_store::~async_store()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
}

void async_store::enqueue(std::function<void(store&)> job)
{
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
        depth_.set(static_cast<double>(jobs_.size()));
    }
    wake_.notify_one();
}

void async_store::count(const counter_key& key, std::uint64_t n)
{
    bool schedule = false;
    {
        std::lock_guard lock(mutex_);
        counts_[key] += n;
        if (!counts_scheduled_) {
            counts_scheduled_ = true;
            schedule = true;
        }
    }
    if (schedule) enqueue([this](store&) { flush_counts(); });
}

void async_store::flush_counts()
{
    std::vector<counter_row> rows;
    {
        std::lock_guard lock(mutex_);
        counts_scheduled_ = false;
        rows.reserve(counts_.size());
        for (auto& [k, n] : counts_) rows.push_back({k, n});
        counts_.clear();
    }
    if (!store_->add_counts(rows)) {
        // Counts are best effort: losing one batch is better than growing without bound.
        core::metrics::global().counter("nudgebot_counts_dropped_total").add(rows.size());
    }
}

void async_store::run()
{
    for (;;) {
        std::function<void(store&)> job;
        {
            std::unique_lock lock(mutex_);
            // Idle work: the change feed (shared stores) and the readiness ping.
            const auto wait = shared_ ? std::chrono::duration_cast<std::chrono::milliseconds>(poll_interval)
                                      : std::chrono::duration_cast<std::chrono::milliseconds>(ping_interval);
            wake_.wait_for(lock, wait, [&] { return stopping_ || !jobs_.empty(); });
            const auto now = std::chrono::steady_clock::now();
            const bool poll = shared_ && (jobs_.empty() || now - last_poll_ >= poll_interval);
            const bool pinging = now - last_ping_ >= ping_interval;
            if (!stopping_ && (poll || pinging)) {
                // Not a job: pending() and wait_idle() do not count it.
                lock.unlock();
                if (pinging) ping();
                if (poll) poll_changes();
                lock.lock();
                if (jobs_.empty()) continue;
            }
            if (jobs_.empty()) {
                if (stopping_) break;
                continue;
            }
            job = std::move(jobs_.front());
            jobs_.pop_front();
            depth_.set(static_cast<double>(jobs_.size()));
            busy_ = true;
        }
        auto start = std::chrono::steady_clock::now();
        job_started_us_ = std::chrono::duration_cast<std::chrono::microseconds>(start.time_since_epoch()).count();
        try {
            job(*store_);
        } catch (const std::exception&) {
            core::metrics::global().counter("nudgebot_store_errors_total", {{"op", "job"}}).add();
            spdlog::error("store: a storage job threw; skipped");
        }
        last_job_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
        job_started_us_ = 0;
        {
            std::lock_guard lock(mutex_);
            busy_ = false;
            if (jobs_.empty()) idle_.notify_all();
        }
    }
    // Final counter batch on shutdown.
    bool left;
    {
        std::lock_guard lock(mutex_);
        left = !counts_.empty();
    }
    if (left) flush_counts();
    std::lock_guard lock(mutex_);
    idle_.notify_all();
}

void async_store::wait_idle()
{
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return (jobs_.empty() && !busy_) || (stopping_ && jobs_.empty()); });
}

bool async_store::slow() const noexcept
{
    // A backlog, a slow last job, or a job running long right now (a VACUUM after forget-me).
    auto started = job_started_us_.load();
    auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    if (started != 0 && now_us - started > slow_job_us / 2) return true;
    std::lock_guard lock(mutex_);
    return jobs_.size() > 2 || last_job_us_.load() > slow_job_us;
}

std::size_t async_store::pending() const
{
    std::lock_guard lock(mutex_);
    return jobs_.size() + (busy_ ? 1 : 0);
}

}  // namespace nudgebot::storage
