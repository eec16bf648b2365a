// Configuration of the Discord adapter, as a plain struct filled by app/ from `platforms.discord`.
//
// Contract: the caller reads the token from the environment variable named in the config and puts
// it here; the adapter sends it only in the Authorization header and IDENTIFY/RESUME, and never
// logs it. `api_base` and `gateway_url` may use http:// and ws:// only for loopback hosts (tests,
// the sandbox); anything else must be https:// / wss://. The timing fields exist so that tests can
// shrink Discord's real waits; production uses the defaults.
#pragma once

#include "platforms/discord/protocol.hpp"
#include "platforms/runtime/kept_state.hpp"
#include "platforms/runtime/reconnect_policy.hpp"
#include "platforms/runtime/supervision.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nudgebot::discord {

inline constexpr std::uint64_t default_intents = protocol::intent::guilds | protocol::intent::guild_messages |
                                                protocol::intent::direct_messages | protocol::intent::message_content;

struct settings {
    std::string token;                                   // never logged
    std::string api_base = "https://discord.com/api/v10";
    std::optional<std::string> gateway_url;              // default: the url from GET /gateway/bot
    std::uint64_t intents = default_intents;
    std::optional<std::uint32_t> shard_count;            // nullopt: "auto" (GET /gateway/bot)
    std::vector<std::uint32_t> shard_ids;                // empty: all shards of shard_count
    bool compress = true;                                // zlib-stream transport compression
    std::optional<std::string> dev_guild_id;             // register commands in this guild only
    std::optional<std::string> state_file;               // also keeps the registered command-set hash
    // Gateway sessions and the command-set hash kept across restarts (app/ keeps them in the
    // store). With it, stop() closes with 4000 so the session stays resumable, and saves it.
    runtime::kept_state kept;
    // A kept session older than this is not resumed (Discord keeps one "a few minutes").
    std::chrono::seconds kept_session_max_age{300};
    std::string user_agent_url = "https://github.com/nudgebot/nudgebot";
    std::string user_agent_version = "0.1.0";

    // Gateway timing.
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds close_timeout{2000};
    std::chrono::milliseconds invalid_session_wait_min{1000};   // op 9 d:false → new session
    std::chrono::milliseconds invalid_session_wait_max{5000};
    runtime::reconnect_settings reconnect;                       // backoff and the healthy period
    // IDENTIFYs of one max_concurrency bucket are this far apart, plus a tenth of it as a margin
    // (Discord answers an IDENTIFY on the 5 s edge with an invalid session).
    std::chrono::milliseconds identify_interval{5000};
    std::size_t gateway_send_limit = 120;                       // events per window per connection
    std::chrono::milliseconds gateway_send_window{60000};
    std::size_t max_frame_bytes = 16 * 1024 * 1024;              // compressed or inflated

    // REST.
    std::chrono::milliseconds rest_timeout{10000};
    double rest_global_per_second = 50;
    std::size_t invalid_request_limit = 1000;   // 401/403/429 per 10 min before the breaker opens
    int rest_max_attempts = 4;
    std::chrono::milliseconds rest_retry_base{500};
    std::chrono::milliseconds interaction_deadline{3000};       // first answer to an interaction

    runtime::supervision supervision;                           // restart backoff of failed tasks
};

}  // namespace nudgebot::discord
