// A small HTTP/1.1 server with websocket upgrade, for the sandbox (its Discord-protocol REST and
// gateway, its web page and API) and the ops endpoints (/metrics, /healthz).
//
// Contract: owned by whoever serves (sandbox::server, ops). Everything runs on the io_context
// given to the constructor, which must be driven by ONE thread: handlers and websocket callbacks
// are called on that thread, one at a time, and must not block. `start()` binds address:port
// (port 0 picks a free one; read it back with `port()`), returns an error text instead of
// throwing, and listens on loopback by default. One coroutine per connection; every read has a
// deadline (`read_timeout` for a request in progress, `idle_timeout` between keep-alive requests);
// bodies larger than `max_body_bytes` get 413, headers larger than `max_header_bytes` get 431,
// malformed requests 400, connections above `max_connections` 503 — each with a one-line text
// body saying why, then the connection is closed. A peer that vanishes mid-request only ends its
// own connection. Handlers that throw produce 500 (they should not throw). Nothing here logs
// request or message bodies. Websocket peers have one writer with a bounded queue: `send` never
// blocks and returns false when the queue is full or the peer is gone. `stop()` closes the
// listener and every connection; callbacks never run after stop() returns. The server may be
// destroyed with connections open (it stops first).
#pragma once

#include "net/http_message.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace nudgebot::net {

// Synchronous: builds the whole answer on the server's thread.
using http_handler = std::function<server_response(const server_request&)>;

// One accepted websocket connection. A cheap handle (copies refer to the same connection); safe to
// keep after the connection closed (send then returns false). Use on the server's thread only.
class ws_peer {
public:
    ws_peer() = default;
    bool send(std::string data, bool binary = false);     // false when full or closed
    void close(std::uint16_t code, std::string reason = {});
    bool is_open() const noexcept;
    std::uint64_t id() const noexcept;                    // unique per server, from 1
    std::string target() const;                           // path and query of the upgrade request
    std::size_t queued() const noexcept;

    struct impl;
    explicit ws_peer(std::shared_ptr<impl> i) : impl_(std::move(i)) {}

private:
    std::shared_ptr<impl> impl_;
};

struct ws_callbacks {
    std::function<void(ws_peer)> on_open;
    std::function<void(ws_peer, std::string text, bool binary)> on_message;
    std::function<void(ws_peer, int close_code)> on_close;   // once per opened peer, unless stop() came first
};

// Decides whether an upgrade request is accepted (callbacks) or refused (nullopt → 404).
using ws_router = std::function<std::optional<ws_callbacks>(const server_request&)>;

struct http_server_options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_connections = 256;
    std::chrono::milliseconds read_timeout{15000};    // one request, from its first byte
    std::chrono::milliseconds idle_timeout{60000};    // keep-alive wait for the next request
    std::size_t ws_max_message_bytes = 1024 * 1024;
    std::size_t ws_max_queue = 1024;
    std::chrono::milliseconds ws_idle_timeout{120000};   // no frame and no pong for this long: closed
    std::string server_name = "nudgebot";
};

struct http_server_stats {
    std::uint64_t requests = 0;          // answered by a handler
    std::uint64_t rejected = 0;          // 400/413/431/503 answered by the server itself
    std::uint64_t aborted = 0;           // connections the peer dropped mid-request or timed out
    std::size_t open_connections = 0;    // HTTP and websocket
    std::size_t open_websockets = 0;
};

class http_server {
public:
    http_server(boost::asio::io_context& ioc, http_server_options options, http_handler handler,
                ws_router router = {});
    ~http_server();
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    // Binds and starts accepting. Empty on success, else why it could not listen.
    std::string start();
    void stop();

    std::uint16_t port() const noexcept;       // the bound port (after start)
    std::string address() const;               // the bound address
    http_server_stats stats() const noexcept;  // on the server's thread

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::net
