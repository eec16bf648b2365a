// Keeps the jobs of async_store's connection pool in submission order where order matters, and
// lets the rest overtake a job that waits for the disk.
//
// Contract: owned by storage/ (async_store's workers). Every job gets a sequence number when a
// worker takes it from the queue (`taken`, called under the queue's lock, so numbers are taken in
// order) and gives it back when done (`finished`). Each worker runs its jobs against its own
// `in_order_store`, which forwards to the worker's own connection but first waits for the job's
// turn — until every job taken before it has finished — before any call whose result depends on
// earlier jobs or that later jobs depend on: every read and write of consent, settings, notices,
// counts and platform state, and forget-me. A job's turn is awaited once; it keeps it afterwards.
// Two kinds of call never wait: daily claims (an atomic upsert whose order against other claims
// the database decides anyway, and which commutes with consent and settings writes) and counter
// batches (additions). forget-me and claims exclude each other, so a claim never commits beside
// a forget-me's delete and leaves a row behind. Threads: taken/finished/wait_for_turn are
// thread-safe; one in_order_store is used by one worker thread.
#pragma once

#include "storage/forwarding_store.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <shared_mutex>

namespace nudgebot::storage {

class job_order {
public:
    std::uint64_t taken();
    void finished(std::uint64_t job);
    // Blocks until no job taken before `job` is still running.
    void wait_for_turn(std::uint64_t job);
    // Claims hold it shared, forget-me exclusively.
    std::shared_mutex& forget_guard() noexcept { return forget_guard_; }

private:
    std::mutex mutex_;
    std::condition_variable turn_;
    std::uint64_t next_ = 1;
    std::set<std::uint64_t> running_;
    std::shared_mutex forget_guard_;
};

class in_order_store final : public forwarding_store {
public:
    in_order_store(store& connection, job_order& order) : forwarding_store(connection), order_(order) {}

    // The job about to run on this worker.
    void begin(std::uint64_t job) noexcept
    {
        job_ = job;
        has_turn_ = false;
    }

private:
    // Pings, change polls and counter batches go straight to the connection; claims and forget-me
    // exclude each other; everything else waits for the job's turn first.
    void pass(operation op, const call& c) override;
    store& in_turn();

    job_order& order_;
    std::uint64_t job_ = 0;
    bool has_turn_ = false;
};

}  // namespace nudgebot::storage
