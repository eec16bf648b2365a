// What happens to an exception that escapes one of net/'s coroutines — a connection of the HTTP
// server (plain or websocket), its accept loop, a websocket writer (server or client side): the
// completion handler given to co_spawn in place of `detached`, which would drop it without a trace.
//
// Contract: `on_task_end{task, then}` is called by Asio, on the io_context's thread, with the
// coroutine's std::exception_ptr. A normal end (null pointer) does nothing. An exception is logged
// on the "net" logger as "<task> ended with an exception (<type>)" — the type only: an exception's
// text may quote a message — counted in nudgebot_net_task_failures_total{task}, and then `then` is
// called. Never throws: a failure while reporting is swallowed, and `then` still runs.
// What each task's `then` does: a server connection has nothing to do (its socket closes with the
// coroutine's frame; a websocket peer is unregistered and its on_close runs with 1011); a websocket
// writer aborts its connection, so the reader sees it end (a platform then reconnects); the
// accept loop is started again after 50 ms, doubling up to 2 s, so the server keeps answering.
//
// `declare_task_failure_metrics()` creates the counter's series at 0 with its HELP line (the server
// and the websocket client call it when they are made, so the series exist before any failure).
// `exception_type(e)` names an exception's type for logs ("std::runtime_error"), never its text.
//
// Test seam: `fault_point(task)` is called where each task does its work (task::http_accept after
// each accept, task::http_connection before each request is handled, task::http_ws_writer and
// task::ws_writer before each websocket write). It calls the process-wide hook a test installed
// with `set_fault_hook` (which may throw); production installs none, and then it costs one atomic
// load. Install the hook before the servers and connections it should reach are running.
#pragma once

#include <exception>
#include <functional>
#include <string>
#include <string_view>

namespace nudgebot::net {

// The task names net/ reports under.
namespace task {
inline constexpr std::string_view http_connection = "http_connection";   // one HTTP or websocket peer
inline constexpr std::string_view http_accept = "http_accept";           // the server's accept loop
inline constexpr std::string_view http_ws_writer = "http_ws_writer";     // a server-side websocket's writer
inline constexpr std::string_view ws_writer = "ws_writer";               // a client websocket's writer
}  // namespace task

inline constexpr std::string_view task_failures_metric = "nudgebot_net_task_failures_total";

struct on_task_end {
    std::string_view task;
    std::function<void()> then;

    void operator()(std::exception_ptr e) const noexcept;
};

void declare_task_failure_metrics();

std::string exception_type(const std::exception_ptr& e);

using fault_hook = std::function<void(std::string_view task)>;
void set_fault_hook(fault_hook hook);   // an empty hook removes it
void fault_point(std::string_view task);

}  // namespace nudgebot::net
