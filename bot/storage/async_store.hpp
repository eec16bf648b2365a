// Runs blocking store calls on worker threads and posts their results back to the caller's
// executor, so the network strand never waits for the disk.
//
// Contract: owned by storage/. `submit` may be called from any thread; `done` runs through `post`
// (the adapter's strand in production; a test queue in tests), never on a worker. With one
// connection (SQLite, or a store opened alone) one worker runs the jobs in submission order, each
// with exclusive use of the store. With a pool (PostgreSQL: make_store_pool) there is one worker
// per connection, and jobs keep submission order wherever it matters (job_order.hpp): every read
// and write of consent, settings, notices, counts and state waits until the jobs submitted before
// it have finished, while daily claims and counter batches go ahead on a free connection, so a
// durable write waiting for the disk's fsync no longer holds up the claims queued behind it.
// `count` adds to an in-RAM batch of counter deltas that a worker writes in one transaction
// (counting a decision costs no disk write of its own); one batch is written at a time, and what
// arrives meanwhile forms the next. The destructor finishes queued jobs,
// flushes counters and joins. The queue depth is the gauge nudgebot_store_queue_depth. Jobs must
// not throw; a job that does is counted (nudgebot_store_errors_total{op="job"}) and skipped. For a
// shared store (store::shared()) the first worker also polls the store's change feed every
// poll_interval while idle (and between jobs), re-reads each changed row and posts the fresh values
// to the change listener, so a change made by any process reaches this one's RAM within about
// poll_interval plus the queue ahead of it.
#pragma once

#include "core/metrics.hpp"
#include "storage/job_order.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace nudgebot::storage {

// A changed row as it is now: nullopt when it was deleted (forget-me). An empty change.id means
// "reload every row of this kind" (the values are then empty too).
struct refreshed_row {
    change what;
    std::optional<consent> consent_now;
    std::optional<server_settings> settings_now;
};

class async_store {
public:
    using executor = std::function<void(std::function<void()>)>;
    using change_listener = std::function<void(std::vector<refreshed_row>)>;
    static constexpr std::chrono::milliseconds poll_interval{50};

    async_store(std::unique_ptr<store> backing, executor post);
    // A pool: one worker per connection, all to the same database; the first one polls the
    // change feed and pings. Not empty.
    async_store(std::vector<std::unique_ptr<store>> connections, executor post);
    ~async_store();
    async_store(const async_store&) = delete;
    async_store& operator=(const async_store&) = delete;

    // Runs job(store&) on the worker; then posts done(result) (or done() for void jobs).
    template <class Job, class Done>
    void submit(Job job, Done done)
    {
        using result = std::invoke_result_t<Job&, store&>;
        if constexpr (std::is_void_v<result>) {
            enqueue([this, job = std::move(job), done = std::move(done)](store& s) mutable {
                job(s);
                post_([done = std::move(done)]() mutable { done(); });
            });
        } else {
            enqueue([this, job = std::move(job), done = std::move(done)](store& s) mutable {
                post_([done = std::move(done), r = job(s)]() mutable { done(std::move(r)); });
            });
        }
    }

    // Fire and forget.
    template <class Job>
    void submit(Job job)
    {
        enqueue([job = std::move(job)](store& s) mutable { job(s); });
    }

    // Runs a job and waits for its result on the calling thread. Start-up and tests only.
    template <class Job>
    auto call(Job job) -> std::invoke_result_t<Job&, store&>
    {
        using result = std::invoke_result_t<Job&, store&>;
        std::promise<result> p;
        auto f = p.get_future();
        enqueue([&](store& s) {
            if constexpr (std::is_void_v<result>) {
                job(s);
                p.set_value();
            } else {
                p.set_value(job(s));
            }
        });
        return f.get();
    }

    // Adds a listener for refreshed rows (each gets every row, through `post`). Add them before
    // traffic starts; only shared stores produce any.
    void on_changes(change_listener listener);
    bool shared() const noexcept { return shared_; }

    // Adds n to one counter cell; written in the next batch.
    void count(const counter_key& key, std::uint64_t n = 1);

    // Blocks until every job submitted so far (and the counter batch) has run. Tests, shutdown.
    void wait_idle();

    // True when the worker is busy with a backlog or the last job took long: callers answering an
    // interaction should defer first.
    bool slow() const noexcept;
    std::size_t pending() const;

    // Readiness: the last ping (run by the worker at start and every ping_interval) succeeded and
    // no job has been running for longer than stuck_after.
    bool reachable() const noexcept;
    static constexpr std::chrono::seconds ping_interval{5};
    static constexpr std::chrono::seconds stuck_after{30};

private:
    // One worker thread with its own connection.
    struct worker {
        std::unique_ptr<store> connection;
        std::unique_ptr<in_order_store> view;
        std::atomic<std::int64_t> started_us{0};   // steady clock, 0 when idle
        std::thread thread;
    };

    void enqueue(std::function<void(store&)> job);
    void run(worker& self, bool polls);
    // Writes the counter batch; with follow_up, queues the next one if counts arrived meanwhile.
    void flush_counts(store& s, bool follow_up);
    void poll_changes(store& s);
    void ping(store& s);

    executor post_;
    const bool shared_;
    job_order order_;
    std::vector<change_listener> listeners_;   // under mutex_
    std::chrono::steady_clock::time_point last_poll_{};
    std::chrono::steady_clock::time_point last_ping_{};
    std::atomic<bool> reachable_{true};
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<std::function<void(store&)>> jobs_;
    std::map<counter_key, std::uint64_t> counts_;
    bool counts_scheduled_ = false;
    std::size_t busy_ = 0;                     // workers running a job
    bool stopping_ = false;
    std::atomic<std::int64_t> last_job_us_{0};
    core::metric_gauge& depth_;
    std::vector<std::unique_ptr<worker>> workers_;
};

}  // namespace nudgebot::storage
