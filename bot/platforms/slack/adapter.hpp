// The Slack adapter: a Socket Mode connection (connection.hpp) and the Web API (api.hpp), turning
// Slack envelopes into core::events and performing the core::delivery calls (ephemeral nudges with
// a DM fallback, slash-command and button answers via response_url, channel posts); moderators
// are workspace admins/owners or members of a configured user group.
//
// Contract: owned by app/. Everything runs on the given io_context, driven by ONE thread (the
// adapter's strand); the event sink and every delivery callback run there. delivery calls may
// come from any thread: they are posted and never block. Every envelope is acked on the socket
// as soon as it is parsed, before the event is handled. A `disconnect` opens a second connection
// and retires the old one only after the new one said hello, so nothing is lost; retried
// envelopes are recognised by event_id / message ts for settings.dedupe_window. Tokens are used
// only in Authorization headers and never logged; message text is never logged. No exceptions
// escape while traffic is handled. Caches (moderators, DM channels, dedupe keys) are bounded.
#pragma once

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/event.hpp"
#include "platforms/runtime/platform_adapter.hpp"
#include "platforms/slack/settings.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace nudgebot::slack {

using runtime::event_sink;

// connected: a connection said hello and is current.
struct adapter_status : runtime::status_basics {
    std::size_t open_connections = 0;   // 2 while switching over after a disconnect
    std::uint64_t connections_opened = 0;
    std::string team_id;
};

// start(): auth.test, then apps.connections.open and the socket; stop() closes every connection
// with 1000; status() and health() on the adapter's thread (all from the runtime's base).
class adapter final : public runtime::adapter_with_status<adapter_status> {
public:
    adapter(boost::asio::io_context& ioc, settings s, event_sink sink, const core::clock& clock);

    // https://<workspace>/archives/<channel>/p<ts without the dot>
    std::string message_link(const core::server_id& server, const core::channel_id& channel,
                             const core::message_id& message) const override;
};

}  // namespace nudgebot::slack
