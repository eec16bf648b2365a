// The plumbing the fake Slack and fake Mattermost share: a net::http_server on 127.0.0.1:0 run on
// the fake's own io_context and thread, a register of the websocket peers it accepted, and the
// conversion of a test's scripted answer into a response.
//
// Contract: test support, owned by one fake. The constructor binds and starts the thread (it
// throws std::runtime_error naming the fake when it cannot listen, as fakes only start in tests).
// `stop()`, which the destructor calls, stops the server on its thread, so that no handler or
// callback runs afterwards, and joins the thread. The handler, the router and the websocket
// callbacks run on the fake's thread. Every accepted peer is registered before the router's
// on_open runs; connection numbers count them from 0 and -1 means the most recent one.
// `connections`, `peer`, `peers` and `number` are thread-safe snapshots; `on_thread` and
// `open_connections` wait for the fake's thread, so never call them from it.
// The fake Discord does not use this: it answers late, drops TCP connections without answering
// and sends raw (compressed, split, truncated) frames, which net::http_server does not do.
#pragma once

#include "net/http_server.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nudgebot::test {

// A test's scripted answer (status, JSON body, extra headers), overriding a fake's canned one, as
// a JSON response.
template <class Answer>
net::server_response to_response(const Answer& answer)
{
    auto out = net::server_response::json(answer.status, answer.body);
    for (const auto& [name, value] : answer.headers) out.headers.push_back({name, value});
    return out;
}

// The parsed request body, or null when there is none or it is not JSON.
nlohmann::json json_body(const net::server_request& request);

class fake_server {
public:
    fake_server(std::string name, net::http_handler handler, net::ws_router router);
    ~fake_server();
    fake_server(const fake_server&) = delete;
    fake_server& operator=(const fake_server&) = delete;

    // Stops the server on its thread (no handler or callback runs afterwards) and joins the thread.
    // Idempotent; the destructor calls it. Call it before anything the handlers use goes away.
    void stop();

    std::uint16_t port() const noexcept;
    std::string url(const std::string& scheme = "http") const;   // <scheme>://127.0.0.1:<port>

    // Runs `f` on the fake's thread and waits for it.
    void on_thread(const std::function<void()>& f) const;

    int connections() const;                   // websocket peers accepted so far
    int open_connections() const;
    net::ws_peer peer(int connection) const;   // an empty peer when there is no such connection
    std::vector<net::ws_peer> peers() const;
    int number(const net::ws_peer& peer) const;   // its connection number, -1 when unknown

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace nudgebot::test
