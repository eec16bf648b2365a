// Slack's Socket Mode link: apps.connections.open, the websocket, hello, acks, disconnect
// switch-over, retried envelopes, and when to connect again.
//
// Contract: platforms/slack internal; one socket_mode per adapter, used on the adapter's thread,
// every coroutine under the adapter's lifecycle. Every envelope is acked on the socket as soon as
// it is parsed, before `on_envelope` sees it. A `disconnect` opens a second connection and retires
// the old one only after the new one said hello, so nothing is lost; retried envelopes are
// recognised by event_id / message ts for settings.dedupe_window and never reach `on_envelope`
// twice. Reconnects follow runtime::reconnect_policy (steps reset only after a healthy period).
// `link_disabled` (Socket Mode turned off for the app) is not a reason to reconnect at once: it is
// logged as an error, counted (slack_socket_link_disabled_total) and waited out for
// settings.reconnect.refused_pause. A connection that ends before its hello is followed by
// auth.test; a rejected token ends the adapter (`on_refused`). Message text is never logged.
#pragma once

#include "platforms/slack/normalise.hpp"
#include "platforms/slack/settings.hpp"

#include <functional>
#include <memory>
#include <string>

namespace nudgebot::core {
class clock;
}
namespace nudgebot::runtime {
class lifecycle;
}

namespace nudgebot::slack {

class web_api;
struct adapter_status;

struct socket_handler {
    std::function<void()> on_hello;                          // a connection became the current one
    std::function<void(normalised)> on_envelope;             // a new (not retried) envelope, acked
    std::function<void(std::string why)> on_refused;         // a token was rejected: end the adapter
};

class socket_mode {
public:
    socket_mode(runtime::lifecycle& life, const settings& cfg, const core::clock& clock, web_api& api,
                const std::string& bot_user, socket_handler handler);
    ~socket_mode();

    // Opens the first connection. Every task started from here keeps `owner` (the adapter, which
    // owns this object and the lifecycle) alive while it runs.
    void start(std::weak_ptr<void> owner);
    void stop();    // closes every connection with 1000

    // The link's part of the adapter's status: connected, open_connections, connections_opened
    // and bot_user_id.
    void report(adapter_status& s) const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace nudgebot::slack
