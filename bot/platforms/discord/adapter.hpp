// The Discord adapter: gateway shards + REST, turning Discord traffic into core::events and
// performing the core::delivery calls (DMs, ephemeral interaction answers, channel posts) and
// command registration.
//
// Contract: owned by app/. Everything runs on the given io_context, which must be driven by ONE
// thread; that thread is the adapter's strand (all shards share it, as Discord sharding on one
// io_context requires). The event sink and every delivery callback run on that thread. delivery
// calls may come from any thread: they are posted to the io_context and never block. The token is
// used only in Authorization / IDENTIFY / RESUME and never logged; message text is never logged.
// No exceptions escape while traffic is handled. Caches (DM channels, closed DMs, deferred
// interactions) are bounded.
#pragma once

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/event.hpp"
#include "platforms/discord/settings.hpp"
#include "platforms/runtime/platform_adapter.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace nudgebot::discord {

using runtime::event_sink;

// connected: at least one shard running; finished: no shard left (stopped or fatal), or start-up
// failed.
struct adapter_status : runtime::status_basics {
    std::size_t shards_running = 0;
    std::size_t shards_stopped_fatally = 0;
    bool rest_breaker_open = false;
    bool commands_registered = false;
    std::string application_id;
};

// start(): GET /gateway/bot, then the shards; stop() closes every shard with 1000; status() and
// health() on the adapter's thread (all from the runtime's base).
class adapter final : public runtime::adapter_with_status<adapter_status> {
public:
    adapter(boost::asio::io_context& ioc, settings s, event_sink sink, const core::clock& clock);

    // The command set to register (Discord JSON array). Registered after the first READY, with one
    // bulk PUT, only if its hash differs from the one in settings.state_file.
    void set_commands(const nlohmann::json& discord_commands);
    // set_commands(to_discord_commands(core::nudgebot_commands())).
    void use_nudgebot_commands();

    // https://discord.com/channels/<guild or @me>/<channel>/<message>
    std::string message_link(const core::server_id& server, const core::channel_id& channel,
                             const core::message_id& message) const override;
};

}  // namespace nudgebot::discord
