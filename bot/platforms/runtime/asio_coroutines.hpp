// What a platform .cpp file that runs coroutines on Asio needs, in one include: the awaitable,
// io_context and post, timers, `as_tuple(use_awaitable)` (expected outcomes as values, not
// exceptions), and the GCC 12 workaround below.
//
// Contract: include only from .cpp files under bot/platforms/ (STYLE: Asio stays out of headers
// other code sees). GCC 12 reports a false -Wmismatched-new-delete for Asio's coroutine frames
// (aligned_alloc); the warning is silenced for the including file.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace nudgebot::runtime {

inline constexpr auto tuple_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

// The short names every platform .cpp file writes: `using namespace runtime::short_names;` right
// after it opens its platform's namespace.
namespace short_names {
namespace asio = boost::asio;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;
}  // namespace short_names

}  // namespace nudgebot::runtime
