// The Mattermost adapter: the websocket event stream (connection.hpp: /api/v4/websocket,
// resuming with connection_id + sequence_number so missed events replay), REST API v4 (api.hpp),
// and the HTTP endpoints Mattermost calls (endpoints.hpp: slash commands, button actions), turning
// it all into core::events and performing the core::delivery calls (ephemeral posts when
// permitted, else DMs); moderators are system admins and team admins.
//
// Contract: owned by app/. Everything runs on the given io_context, driven by ONE thread (the
// adapter's strand); the event sink and delivery callbacks run there. delivery calls may come from
// any thread (they are posted). `handle_http` must be called on the adapter's thread: run the
// net::http_server that receives Mattermost's POSTs on the same io_context and call it first from
// the server's handler (nullopt: not a Mattermost path). Slash commands are verified with their
// token (401 otherwise) and answered with an empty 200 at once; the real answer goes to the
// response_url as an ephemeral response. Whether the bot may post ephemeral messages is discovered
// once at start and logged. `posted` events carry the post as a JSON string inside JSON: broken
// inner JSON is skipped and counted. Tokens and message text are never logged. Caches are bounded.
#pragma once

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/event.hpp"
#include "net/http_server.hpp"
#include "platforms/mattermost/settings.hpp"
#include "platforms/runtime/platform_adapter.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace nudgebot::mattermost {

using runtime::event_sink;

// connected: hello received on the current connection.
struct adapter_status : runtime::status_basics {
    bool ephemeral_allowed = false;    // discovered at start
    std::uint64_t connections_opened = 0;
    std::string connection_id;
    std::int64_t last_sequence = -1;
};

// start(): GET users/me, permission discovery, then the websocket; stop() closes it; status() and
// health() on the adapter's thread (all from the runtime's base).
class adapter final : public runtime::adapter_with_status<adapter_status> {
public:
    adapter(boost::asio::io_context& ioc, settings s, event_sink sink, const core::clock& clock);

    // Slash-command and action POSTs; nullopt when the path is not under settings.http_prefix.
    std::optional<net::server_response> handle_http(const net::server_request& request) override;

    // <server>/_redirect/pl/<post id>
    std::string message_link(const core::server_id& server, const core::channel_id& channel,
                             const core::message_id& message) const override;
};

}  // namespace nudgebot::mattermost
