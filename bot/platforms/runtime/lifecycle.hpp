// What every platform adapter's running state shares: the io_context it runs on, its named
// logger, stopping and finishing, cancellable sleeps, emitting events to the sink, and the
// supervised tasks every coroutine of an adapter runs under.
//
// Contract: owned by one adapter's implementation object and used only on the thread that runs
// its io_context (the adapter's strand). The adapter keeps itself alive in every task it starts
// (the task body captures the adapter's shared_ptr), which keeps this object alive too.
//
// Supervised tasks: `supervise(name, body)` runs a long-lived loop (a socket's read loop, a
// heartbeat, a start-up sequence). An exception escaping it is never lost: it is logged with the
// task's name and the exception's type only (an exception's text may quote a message, so it is
// not logged), counted in nudgebot_task_failures_total{platform,task}, marks the adapter failed
// (`failed()`, which the adapter's status and /healthz report) and the body is started again
// after a backoff (restart_base doubling up to restart_cap). The mark stays until the restarted
// loop reaches its checkpoint again, or the adapter reports a working connection (`healthy()`).
// `spawn(name, body)` runs a one-shot task (a delivery, a lookup): an exception is logged and
// counted the same way, not restarted. `checkpoint(name)` is called by each loop at the top of an
// iteration: it calls supervision::fault (the test seam, which tests set to throw; production
// leaves it empty) and then clears that task's failed mark.
//
// The sink is called for each event; an exception from it is counted (<platform>_sink_errors_total)
// and logged by type, and the event is lost, never the connection. No method throws. The sink
// makes a message's nudge decisions before it returns, so emitting a message with the time its
// frame arrived observes nudgebot_frame_to_decision_seconds{platform} (created with the lifecycle,
// so the series exists before the first frame).
#pragma once

#include "core/delivery.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "platforms/runtime/platform_adapter.hpp"
#include "platforms/runtime/supervision.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}

namespace nudgebot::runtime {

using task_body = std::function<boost::asio::awaitable<void>()>;

class lifecycle {
public:
    lifecycle(boost::asio::io_context& ioc, std::string platform, event_sink sink, supervision s = {});
    ~lifecycle();
    lifecycle(const lifecycle&) = delete;
    lifecycle& operator=(const lifecycle&) = delete;

    boost::asio::io_context& context() const noexcept { return ioc_; }
    const std::shared_ptr<spdlog::logger>& log() const noexcept { return log_; }
    const std::string& platform() const noexcept { return platform_; }

    // True the first time only: the adapter starts once.
    bool begin() noexcept { return !std::exchange(started_, true); }
    bool started() const noexcept { return started_; }
    bool stopping() const noexcept { return stopping_; }
    // Sets stopping and wakes every sleep_for at once; tasks see stopping() and end.
    void stop();
    // The adapter ended for good (stopped, or refused by the platform: exit_code 1).
    void finish(int exit_code);
    bool finished() const noexcept { return finished_; }
    int exit_code() const noexcept { return exit_code_; }

    // Waits `d` (at least 1 ms); returns early when stop() is called.
    boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d);

    void emit(core::event e);
    // emit() for an event read from a frame that arrived at `received` (steady clock): a message,
    // new or edited, also observes the frame-to-decision histogram.
    void emit(core::event e, std::chrono::steady_clock::time_point received);
    // Counts the outcome in <platform>_deliveries_total{kind,outcome} and calls `done`.
    void complete(const core::delivery_callback& done, core::delivery_outcome outcome, std::string_view kind) const;

    void supervise(std::string task, task_body body);
    void spawn(std::string task, task_body body);
    // spawn() from any thread: posted to the io_context first (the delivery entry points).
    void spawn_posted(std::string task, task_body body);
    void checkpoint(std::string_view task);

    bool failed() const noexcept;
    void healthy() noexcept;
    // Fills the fields every adapter status has: finished, exit_code, failed.
    template <class Status>
    void report(Status& s) const
    {
        s.finished = finished_;
        s.exit_code = exit_code_;
        s.failed = failed();
    }
    std::uint64_t task_failures() const noexcept { return task_failures_; }

    struct state;

private:
    boost::asio::awaitable<void> run_supervised(std::string task, task_body body);
    boost::asio::awaitable<void> run_once(std::string task, task_body body);
    void record_failure(const std::string& task, const std::string& type, bool restarting);

    boost::asio::io_context& ioc_;
    std::string platform_;
    event_sink sink_;
    supervision supervision_;
    std::shared_ptr<spdlog::logger> log_;
    std::unique_ptr<state> state_;
    core::metric_histogram& frame_to_decision_;
    bool started_ = false;
    bool stopping_ = false;
    bool finished_ = false;
    int exit_code_ = 0;
    std::uint64_t task_failures_ = 0;
};

}  // namespace nudgebot::runtime
