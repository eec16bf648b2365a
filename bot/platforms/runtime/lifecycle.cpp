#include "platforms/runtime/lifecycle.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/metrics.hpp"
#include "net/backoff.hpp"
#include "net/task_failure.hpp"
#include "platforms/runtime/logger.hpp"

#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <optional>
#include <set>
#include <unordered_set>

namespace nudgebot::runtime {

namespace asio = boost::asio;
using runtime::tuple_awaitable;
using steady = std::chrono::steady_clock;

struct lifecycle::state {
    std::unordered_set<std::shared_ptr<asio::steady_timer>> timers;
    std::set<std::string, std::less<>> failing;   // supervised tasks that threw and have not come back
};

namespace {

// Runs the body once; the type of the exception that escaped it, if one did.
asio::awaitable<std::optional<std::string>> attempt(const task_body& body)
{
    std::optional<std::string> failure;
    try {
        co_await body();
    } catch (...) {
        failure = net::exception_type(std::current_exception());
    }
    co_return failure;
}

}  // namespace

lifecycle::lifecycle(asio::io_context& ioc, std::string platform, event_sink sink, supervision s)
    : ioc_(ioc), platform_(std::move(platform)), sink_(std::move(sink)), supervision_(std::move(s)),
      log_(named_logger(platform_)), state_(std::make_unique<state>()),
      frame_to_decision_(core::metrics::global().histogram("nudgebot_frame_to_decision_seconds",
                                                           {{"platform", platform_}}))
{
    core::metrics::global().describe("nudgebot_frame_to_decision_seconds",
                                     "From a platform frame carrying a message arriving to its nudge decisions "
                                     "(parsing, normalising, analysis, context, policy), by platform.");
}

lifecycle::~lifecycle() = default;

void lifecycle::stop()
{
    stopping_ = true;
    for (const auto& t : state_->timers) t->cancel();
}

void lifecycle::finish(int exit_code)
{
    finished_ = true;
    exit_code_ = exit_code;
}

asio::awaitable<void> lifecycle::sleep_for(steady::duration d)
{
    if (stopping_) co_return;
    auto t = std::make_shared<asio::steady_timer>(ioc_, std::max(d, steady::duration(std::chrono::milliseconds(1))));
    state_->timers.insert(t);
    co_await t->async_wait(tuple_awaitable);
    state_->timers.erase(t);
}

void lifecycle::emit(core::event e, std::chrono::steady_clock::time_point received)
{
    const bool message = std::holds_alternative<core::message_created>(e) || std::holds_alternative<core::message_edited>(e);
    emit(std::move(e));
    if (message)
        frame_to_decision_.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count());
}

void lifecycle::emit(core::event e)
{
    try {
        if (sink_) sink_(std::move(e));
    } catch (...) {
        core::metrics::global().counter(platform_ + "_sink_errors_total").add();
        log_->error("the event handler threw ({}); the event is lost, the connection is not",
                    net::exception_type(std::current_exception()));
    }
}

void lifecycle::complete(const core::delivery_callback& done, core::delivery_outcome outcome,
                         std::string_view kind) const
{
    std::string_view name = outcome == core::delivery_outcome::delivered       ? "delivered"
                            : outcome == core::delivery_outcome::undeliverable ? "undeliverable"
                                                                               : "failed";
    core::metrics::global()
        .counter(platform_ + "_deliveries_total", {{"kind", std::string(kind)}, {"outcome", std::string(name)}})
        .add();
    if (done) done(outcome);
}

void lifecycle::record_failure(const std::string& task, const std::string& type, bool restarting)
{
    ++task_failures_;
    core::metrics::global().counter("nudgebot_task_failures_total", {{"platform", platform_}, {"task", task}}).add();
    if (restarting) state_->failing.insert(task);
    log_->error("task {} ended with an exception ({}){}", task, type, restarting ? "; restarting it" : "");
}

asio::awaitable<void> lifecycle::run_supervised(std::string task, task_body body)
{
    net::backoff wait(supervision_.restart_base, supervision_.restart_cap);
    while (!stopping_) {
        auto failure = co_await attempt(body);
        if (!failure) co_return;
        record_failure(task, *failure, true);
        co_await sleep_for(wait.next());
    }
}

asio::awaitable<void> lifecycle::run_once(std::string task, task_body body)
{
    if (auto failure = co_await attempt(body)) record_failure(task, *failure, false);
}

// run_supervised and run_once catch whatever their body throws; what could still escape them is
// their own bookkeeping failing (out of memory while logging or sleeping). The completion handlers
// below report that too, and start a supervised loop again after restart_base. They may use
// `this`: the copy of the body they hold keeps the adapter, and so this lifecycle, alive.
void lifecycle::supervise(std::string task, task_body body)
{
    auto coroutine = run_supervised(task, body);
    auto on_end = [this, task = std::move(task), body = std::move(body)](std::exception_ptr e) mutable noexcept {
        if (!e) return;
        try {
            record_failure(task, net::exception_type(e), !stopping_);
        } catch (...) {
        }
        if (stopping_) return;
        try {
            auto timer = std::make_shared<asio::steady_timer>(ioc_, supervision_.restart_base);
            state_->timers.insert(timer);
            timer->async_wait([this, timer, task = std::move(task), body = std::move(body)](auto) mutable {
                state_->timers.erase(timer);
                if (!stopping_) supervise(std::move(task), std::move(body));
            });
        } catch (...) {
        }
    };
    asio::co_spawn(ioc_, std::move(coroutine), std::move(on_end));
}

void lifecycle::spawn(std::string task, task_body body)
{
    auto coroutine = run_once(task, body);
    auto on_end = [this, task = std::move(task), body = std::move(body)](std::exception_ptr e) noexcept {
        if (!e) return;
        try {
            record_failure(task, net::exception_type(e), false);
        } catch (...) {
        }
    };
    asio::co_spawn(ioc_, std::move(coroutine), std::move(on_end));
}

void lifecycle::spawn_posted(std::string task, task_body body)
{
    asio::post(ioc_, [this, task = std::move(task), body = std::move(body)]() mutable {
        spawn(std::move(task), std::move(body));
    });
}

void lifecycle::checkpoint(std::string_view task)
{
    if (supervision_.fault) supervision_.fault(task);
    if (auto it = state_->failing.find(task); it != state_->failing.end()) state_->failing.erase(it);
}

bool lifecycle::failed() const noexcept { return !state_->failing.empty(); }

void lifecycle::healthy() noexcept { state_->failing.clear(); }

}  // namespace nudgebot::runtime
