#include "storage/async_store.hpp"

#include "core/metrics.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace nudgebot::storage {

namespace {
// A job slower than this makes the next interaction defer before touching storage.
constexpr std::int64_t slow_job_us = 250'000;

std::int64_t now_us()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::vector<std::unique_ptr<store>> one(std::unique_ptr<store> s)
{
    std::vector<std::unique_ptr<store>> v;
    v.push_back(std::move(s));
    return v;
}
}  // namespace

async_store::async_store(std::unique_ptr<store> backing, executor post) : async_store(one(std::move(backing)), std::move(post))
{}

async_store::async_store(std::vector<std::unique_ptr<store>> connections, executor post)
    : post_(std::move(post)),
      shared_(!connections.empty() && connections.front() && connections.front()->shared()),
      depth_(core::metrics::global().gauge("nudgebot_store_queue_depth"))
{
    if (connections.empty()) throw std::invalid_argument("async_store needs at least one connection");
    core::metrics::global().describe("nudgebot_store_queue_depth", "Storage jobs waiting for a store worker thread.");
    for (auto& c : connections) {
        auto w = std::make_unique<worker>();
        w->connection = std::move(c);
        w->view = std::make_unique<in_order_store>(*w->connection, order_);
        workers_.push_back(std::move(w));
    }
    for (std::size_t i = 0; i < workers_.size(); ++i)
        workers_[i]->thread = std::thread([this, w = workers_[i].get(), polls = i == 0] { run(*w, polls); });
}

void async_store::on_changes(change_listener listener)
{
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(listener));
}

void async_store::ping(store& s)
{
    last_ping_ = std::chrono::steady_clock::now();
    bool ok = s.ping();
    if (ok != reachable_.exchange(ok)) {
        if (ok) spdlog::info("store: reachable again");
        else spdlog::error("store: the database does not answer");
    }
}

bool async_store::reachable() const noexcept
{
    const auto now = now_us();
    const auto stuck = std::chrono::duration_cast<std::chrono::microseconds>(stuck_after).count();
    for (const auto& w : workers_) {
        auto started = w->started_us.load();
        if (started != 0 && now - started > stuck) return false;
    }
    return reachable_.load();
}

void async_store::poll_changes(store& s)
{
    last_poll_ = std::chrono::steady_clock::now();
    auto changes = s.take_changes(0);
    if (changes.empty()) return;
    std::vector<refreshed_row> rows;
    rows.reserve(changes.size());
    for (auto& c : changes) {
        refreshed_row r{std::move(c), std::nullopt, std::nullopt};
        if (!r.what.id.empty()) {
            if (r.what.what == change::kind::consent) r.consent_now = s.get_consent({r.what.where, core::user_id{r.what.id}});
            else r.settings_now = s.get_settings({r.what.where, core::server_id{r.what.id}});
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
    for (auto& w : workers_)
        if (w->thread.joinable()) w->thread.join();
    // Final counter batch, on the first connection (every worker has ended).
    bool left;
    {
        std::lock_guard lock(mutex_);
        left = !counts_.empty();
    }
    if (left) flush_counts(*workers_.front()->connection, false);
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
    if (schedule) enqueue([this](store& s) { flush_counts(s, true); });
}

void async_store::flush_counts(store& s, bool follow_up)
{
    // One batch in flight at a time: counts_scheduled_ stays set while this one is written, and
    // what arrived meanwhile goes in the next batch, queued when this one is done. Two batches on
    // two pooled connections would update the same cells at once, the second waiting for the
    // first's row locks; one after the other, the batches are also fewer and larger.
    std::vector<counter_row> rows;
    {
        std::lock_guard lock(mutex_);
        rows.reserve(counts_.size());
        for (auto& [k, n] : counts_) rows.push_back({k, n});
        counts_.clear();
    }
    bool written = rows.empty();
    try {
        written = written || s.add_counts(rows);
    } catch (const std::exception&) {
        // A store that broke its never-throw contract must not stop every later batch.
    }
    if (!written) {
        // Counts are best effort: losing one batch is better than growing without bound.
        core::metrics::global().counter("nudgebot_counts_dropped_total").add(rows.size());
    }
    bool again = false;
    {
        std::lock_guard lock(mutex_);
        again = follow_up && !counts_.empty();
        if (!again) counts_scheduled_ = false;
    }
    // Queued while this job still counts as running, so wait_idle() never sees a gap between them.
    if (again) enqueue([this](store& next) { flush_counts(next, true); });
}

void async_store::run(worker& self, bool polls)
{
    for (;;) {
        std::function<void(store&)> job;
        std::uint64_t number = 0;
        {
            std::unique_lock lock(mutex_);
            // Idle work (first worker only): the change feed (shared stores) and the readiness ping.
            const auto wait = !polls ? std::chrono::milliseconds(std::chrono::hours(1))
                              : shared_ ? std::chrono::duration_cast<std::chrono::milliseconds>(poll_interval)
                                        : std::chrono::duration_cast<std::chrono::milliseconds>(ping_interval);
            wake_.wait_for(lock, wait, [&] { return stopping_ || !jobs_.empty(); });
            const auto now = std::chrono::steady_clock::now();
            const bool poll = polls && shared_ && (jobs_.empty() || now - last_poll_ >= poll_interval);
            const bool pinging = polls && now - last_ping_ >= ping_interval;
            if (!stopping_ && (poll || pinging)) {
                // Not a job: pending() and wait_idle() do not count it.
                lock.unlock();
                if (pinging) ping(*self.connection);
                if (poll) poll_changes(*self.connection);
                lock.lock();
                if (jobs_.empty()) continue;
            }
            if (jobs_.empty()) {
                if (stopping_) break;
                continue;
            }
            job = std::move(jobs_.front());
            jobs_.pop_front();
            number = order_.taken();   // under the queue's lock: numbers follow the queue
            depth_.set(static_cast<double>(jobs_.size()));
            ++busy_;
        }
        const auto start = now_us();
        self.started_us = start;
        self.view->begin(number);
        try {
            job(*self.view);
        } catch (const std::exception&) {
            core::metrics::global().counter("nudgebot_store_errors_total", {{"op", "job"}}).add();
            spdlog::error("store: a storage job threw; skipped");
        }
        order_.finished(number);
        last_job_us_ = now_us() - start;
        self.started_us = 0;
        {
            std::lock_guard lock(mutex_);
            --busy_;
            if (jobs_.empty() && busy_ == 0) idle_.notify_all();
        }
    }
    std::lock_guard lock(mutex_);
    idle_.notify_all();
}

void async_store::wait_idle()
{
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return jobs_.empty() && busy_ == 0; });
}

bool async_store::slow() const noexcept
{
    // A backlog, a slow last job, or a job running long right now (a VACUUM after forget-me).
    const auto now = now_us();
    for (const auto& w : workers_) {
        auto started = w->started_us.load();
        if (started != 0 && now - started > slow_job_us / 2) return true;
    }
    std::lock_guard lock(mutex_);
    return jobs_.size() > 2 || last_job_us_.load() > slow_job_us;
}

std::size_t async_store::pending() const
{
    std::lock_guard lock(mutex_);
    return jobs_.size() + busy_;
}

}  // namespace nudgebot::storage
