// A client websocket connection (ws:// on loopback, wss:// with verified TLS and SNI elsewhere)
// with exactly one writer: outgoing messages go through a bounded queue with a priority lane
// (heartbeats) and an optional send limit (N messages per window, with tokens held back for the
// priority lane).
//
// Contract: used from the one thread running its io_context. `connect` once, then one `read` at a
// time in a loop until it reports closed. `send` never blocks: it queues, or returns false when
// the queue is full or the connection is closing. `close(code)` discards queued messages (a closing
// connection has nothing useful left to say), sends a close frame and drops the TCP connection if
// the peer does not answer within `close_timeout`; `abort()` drops the TCP connection at once.
// Nothing here logs message content.
#pragma once

#include "net/http_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nudgebot::net {

struct ws_options {
    std::chrono::milliseconds handshake_timeout{10000};
    std::chrono::milliseconds close_timeout{2000};
    std::size_t max_message_bytes = 8 * 1024 * 1024;
    std::size_t max_queue = 256;             // normal lane; the priority lane holds at most 8
    std::size_t send_limit = 0;              // messages per send_window; 0 = unlimited
    std::chrono::milliseconds send_window{60000};
    std::size_t priority_reserve = 0;        // tokens only the priority lane may use
    std::string user_agent = "nudgebot";
    std::vector<http_header> headers;        // extra handshake headers
    // Ping/pong watchdog: when non-zero, a ping goes out after half of this without traffic and
    // the connection ends (read reports "timeout") when nothing at all arrived for this long.
    std::chrono::milliseconds keepalive{0};
};

struct ws_read_result {
    bool ok = false;
    std::string data;
    bool binary = false;
    int close_code = 0;       // peer's close code when it closed the connection, else 0
    std::string error;        // set when !ok
};

enum class ws_lane : std::uint8_t { normal, priority };

class ws_connection {
public:
    ws_connection(boost::asio::io_context& ioc, ws_options options);
    ~ws_connection();   // aborts the connection
    ws_connection(const ws_connection&) = delete;
    ws_connection& operator=(const ws_connection&) = delete;

    // Empty string on success, else a description of the failure.
    boost::asio::awaitable<std::string> connect(std::string url);
    boost::asio::awaitable<ws_read_result> read();

    bool send(std::string text, ws_lane lane = ws_lane::normal);
    void close(std::uint16_t code);
    void abort();

    bool is_open() const noexcept;
    std::size_t queued() const noexcept;
    std::uint64_t sent() const noexcept;        // messages written, for tests and metrics
    std::uint64_t dropped() const noexcept;     // sends refused because the queue was full

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::net
