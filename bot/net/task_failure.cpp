#include "net/task_failure.hpp"

#include "core/logger.hpp"
#include "core/metrics.hpp"

#include <boost/core/demangle.hpp>

#include <atomic>
#include <mutex>
#include <typeinfo>

namespace nudgebot::net {

std::string exception_type(const std::exception_ptr& e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        return boost::core::demangle(typeid(x).name());
    } catch (...) {
        return "unknown exception";
    }
}

void declare_task_failure_metrics()
{
    auto& m = core::metrics::global();
    m.describe(task_failures_metric,
               "Exceptions that escaped a network coroutine (connection, accept loop, websocket writer), by task.");
    for (auto t : {task::http_connection, task::http_accept, task::http_ws_writer, task::ws_writer})
        m.counter(task_failures_metric, {{"task", std::string(t)}});
}

void on_task_end::operator()(std::exception_ptr e) const noexcept
{
    if (!e) return;
    try {
        core::metrics::global().counter(task_failures_metric, {{"task", std::string(task)}}).add();
        core::named_logger("net")->error("{} ended with an exception ({})", task, exception_type(e));
    } catch (...) {
        // Reporting failed (out of memory): what matters most is that `then` runs.
    }
    try {
        if (then) then();
    } catch (...) {
    }
}

namespace {

std::atomic<bool> hooked{false};
std::mutex hook_mutex;
fault_hook& installed_hook()
{
    static fault_hook hook;
    return hook;
}

}  // namespace

void set_fault_hook(fault_hook hook)
{
    std::lock_guard lock(hook_mutex);
    hooked.store(static_cast<bool>(hook), std::memory_order_release);
    installed_hook() = std::move(hook);
}

void fault_point(std::string_view task)
{
    if (!hooked.load(std::memory_order_acquire)) return;
    fault_hook hook;
    {
        std::lock_guard lock(hook_mutex);
        hook = installed_hook();
    }
    if (hook) hook(task);
}

}  // namespace nudgebot::net
