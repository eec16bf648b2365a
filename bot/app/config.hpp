// nudgebot's configuration file: typed settings (plain structs) loaded from JSON with comments.
//
// Contract: load_config()/parse_config() read the file once at start-up, check every key, type and
// value, and report each mistake as `FILE:LINE:COL: error: ...` into `diagnostics` (all of them,
// never stopping at the first); they return nullopt when any error was found. Absent keys take the
// defaults below, so `{}` is a valid config that enables no platform. Relative paths in the file
// (rules.dir, storage sqlite path, state_file) are resolved against the config file's folder.
// Tokens never live in the file: it names environment variables (`token_env`), and any string that
// looks like a bot token is an error. Loading opens no sockets and touches no database.
// Not thread-safe while loading; the resulting structs are plain values. Owner: bot/app.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "engine/analysis.hpp"

namespace nudgebot::app {

enum class suggestion_style : std::uint8_t { gentle, direct };
enum class log_format : std::uint8_t { text, json };

struct rules_config {
    std::string dir;   // empty: default_rules_dir()
    engine::sensitivity sensitivity = engine::sensitivity::medium;   // per-server default
    friend bool operator==(const rules_config&, const rules_config&) = default;
};

struct storage_config {
    std::string url = "sqlite:nudgebot.db";   // "sqlite:PATH" or "postgresql://..."
    bool is_sqlite() const noexcept { return url.rfind("sqlite:", 0) == 0; }
    std::string sqlite_path() const { return is_sqlite() ? url.substr(7) : std::string(); }
    friend bool operator==(const storage_config&, const storage_config&) = default;
};

struct nudges_config {
    std::uint32_t cooldown_minutes = 240;   // per user per channel
    std::uint32_t daily_cap = 3;            // push nudges per user per day
    std::uint32_t context_minutes = 30;     // conversation context kept in RAM
    std::uint32_t context_messages = 50;
    suggestion_style default_style = suggestion_style::gentle;
    std::string crisis_country;   // ISO code for the crisis card when a server names none; "" = neutral
    friend bool operator==(const nudges_config&, const nudges_config&) = default;
};

struct log_config {
    std::string level = "info";   // trace | debug | info | warn | error | critical | off
    log_format format = log_format::text;
    friend bool operator==(const log_config&, const log_config&) = default;
};

struct ops_config {
    std::string listen = "127.0.0.1:9464";   // /metrics and /healthz
    std::string host = "127.0.0.1";          // parsed from listen (IPv6 without brackets)
    std::uint16_t port = 9464;
    friend bool operator==(const ops_config&, const ops_config&) = default;
};

struct discord_config {
    bool enabled = false;
    std::string token_env = "DISCORD_TOKEN";
    std::string api_base = "https://discord.com/api/v10";
    std::optional<std::string> gateway_url;   // default: asked from GET /gateway/bot
    std::vector<std::string> intents{"GUILDS", "GUILD_MESSAGES", "DIRECT_MESSAGES", "MESSAGE_CONTENT"};
    std::uint64_t intent_bits = 37377;        // the same set as gateway bit flags
    std::optional<std::uint32_t> shard_count; // nullopt: "auto" (as GET /gateway/bot recommends)
    std::vector<std::uint32_t> shard_ids;     // empty: every shard of shard_count
    bool compress = true;
    std::optional<std::string> dev_guild_id;  // register commands there only (instant updates)
    std::optional<std::string> state_file;    // resume state across restarts
    friend bool operator==(const discord_config&, const discord_config&) = default;
};

// `platforms.slack` (Socket Mode). Timings are whole seconds/minutes in the file.
struct slack_config {
    bool enabled = false;
    std::string bot_token_env = "SLACK_BOT_TOKEN";   // xoxb-, for the Web API
    std::string app_token_env = "SLACK_APP_TOKEN";   // xapp-, for Socket Mode
    std::string api_base = "https://slack.com/api";
    std::string response_url_prefix = "https://hooks.slack.com/";   // ends with '/'
    std::string workspace_url;                       // https://acme.slack.com; empty: no message links
    bool admins_are_moderators = true;
    std::optional<std::string> moderator_group;      // user group id, "S…"
    std::uint32_t keepalive_seconds = 20;
    std::uint32_t reconnect_backoff_max_seconds = 60;
    std::uint32_t dedupe_minutes = 15;
    std::uint32_t dedupe_limit = 200000;
    std::uint32_t web_timeout_seconds = 10;
    std::uint32_t web_max_attempts = 4;
    friend bool operator==(const slack_config&, const slack_config&) = default;
};

// `platforms.mattermost`: the websocket/REST client and the HTTP listener Mattermost calls.
struct mattermost_config {
    bool enabled = false;
    std::string token_env = "MATTERMOST_TOKEN";
    std::string server_url;                          // https://chat.example.com; required when enabled
    std::vector<std::string> command_token_envs;     // one variable per slash command
    std::string actions_url;                         // public URL of <http_prefix>/action; empty: no buttons
    std::string action_secret_env = "MATTERMOST_ACTION_SECRET";
    std::string http_prefix = "/mattermost";
    bool authentication_challenge = false;
    std::string listen = "127.0.0.1:9465";           // slash commands and button actions
    std::string host = "127.0.0.1";                  // parsed from listen
    std::uint16_t port = 9465;
    std::uint32_t keepalive_seconds = 70;
    std::uint32_t reconnect_backoff_max_seconds = 60;
    std::uint32_t rest_timeout_seconds = 10;
    std::uint32_t rest_max_attempts = 4;
    friend bool operator==(const mattermost_config&, const mattermost_config&) = default;
};

struct config {
    std::string file;   // where it was loaded from; empty for defaults
    rules_config rules;
    storage_config storage;
    nudges_config nudges;
    log_config log;
    ops_config ops;
    discord_config discord;
    slack_config slack;
    mattermost_config mattermost;
};

// Reads and validates FILE. A file that cannot be read is reported as `FILE: error: ...`.
std::optional<config> load_config(const std::string& path, core::diagnostics& diags);

// Validates `text` as if it were the file `file_name` (relative paths resolve against its folder).
std::optional<config> parse_config(std::string_view text, const std::string& file_name,
                                   core::diagnostics& diags);

// --- helpers the validation uses, exposed for tests and for other settings (slash commands).

// True for strings shaped like a Discord bot token, a Slack token (xoxb-, xoxp-, xapp-, ...), a
// Mattermost access token or an "Authorization: Bot ..." value.
bool looks_like_token(std::string_view text) noexcept;

// Discord gateway intent bit for a name such as "GUILD_MESSAGES", or nullopt.
std::optional<std::uint64_t> discord_intent_bit(std::string_view name) noexcept;

}  // namespace nudgebot::app
