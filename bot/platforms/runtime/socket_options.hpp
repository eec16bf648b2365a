// The websocket options every platform connection takes from its settings.
//
// Contract: `Settings` has connect_timeout, close_timeout and max_frame_bytes (every platform's
// settings.hpp does), and keepalive where the platform pings (Slack, Mattermost); the caller adds
// what is its own (headers, send limits). Header only, no I/O.
#pragma once

#include "net/websocket.hpp"

namespace nudgebot::runtime {

template <class Settings>
net::ws_options socket_options(const Settings& s)
{
    net::ws_options o;
    o.handshake_timeout = s.connect_timeout;
    o.close_timeout = s.close_timeout;
    o.max_message_bytes = s.max_frame_bytes;
    if constexpr (requires { s.keepalive; }) o.keepalive = s.keepalive;
    return o;
}

}  // namespace nudgebot::runtime
