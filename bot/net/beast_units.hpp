// What net/'s two Beast translation units (transport.cpp: client side; http_server.cpp: server
// side) share before their own code: the GCC 12 workaround, the Asio and Beast headers both use,
// and the short names they write.
//
// Contract: include only from .cpp files that speak Beast themselves (bot/net/*.cpp and the test
// fake of Discord's gateway), first after the file's own header (STYLE: Asio and Beast stay out of
// headers other code sees). GCC 12 reports a false -Wmismatched-new-delete for
// Asio's coroutine frames (aligned_alloc); the warning is silenced for the including file.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace nudgebot::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
inline constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

}  // namespace nudgebot::net
