// Platform-neutral events: what a platform adapter produces from the frames it receives.
//
// Contract: adapters (bot/platforms/<name>/) are the only code that knows a platform's JSON; they
// turn frames into these plain structs and hand them to the event router on the adapter's strand.
// `chat_message::text` is the only field that holds message text: it lives in RAM only and must
// never be logged, counted by content, or stored. Everything else is ids, flags and times.
#pragma once

#include "core/ids.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nudgebot::core {

using wall_time = std::chrono::system_clock::time_point;

// One channel message as the bot sees it.
struct chat_message {
    platform where = platform::discord;
    server_id server;                       // empty for direct messages
    channel_id channel;                     // the channel or thread the message is in
    message_id id;
    user_id author;
    std::string author_name;                // display name, for the sandbox and jump links only
    bool author_is_bot = false;
    std::string text;                       // RAM only, never logged or stored
    std::optional<message_id> reply_to;     // the message this one replies to, if any
    std::optional<user_id> reply_to_author; // its author, when the platform says so
    std::vector<user_id> mentions;          // users mentioned (not roles, not @everyone)
    wall_time sent_at{};
};

struct message_created { chat_message message; };
struct message_edited { chat_message message; };  // carries the new text
struct message_deleted {
    platform where = platform::discord;
    server_id server;
    channel_id channel;
    message_id id;
};

// Opaque handle that lets the adapter answer an interaction privately (Discord interaction id and
// token, Slack response_url/trigger, Mattermost response_url). Only the adapter reads the fields.
struct reply_handle {
    platform where = platform::discord;
    std::string id;
    std::string token;
    std::chrono::steady_clock::time_point received_at{};
};

// A slash command or message command, already parsed into a command path and options.
// Example: "/nudge-admin channels enable channel:#general" → name "nudge-admin",
// path {"channels", "enable"}, options {{"channel", "<channel id>"}}.
struct command_invocation {
    platform where = platform::discord;
    server_id server;
    channel_id channel;
    user_id invoker;
    std::string invoker_name;
    bool invoker_is_moderator = false;        // decided by the adapter from platform permissions
    std::string name;                         // "nudge", "nudge-admin", or "suggest-reply"
    std::vector<std::string> path;            // subcommand group and subcommand
    std::map<std::string, std::string> options;
    std::optional<chat_message> target;       // the chosen message, for message commands
    reply_handle reply;
};

// A press on one of nudgebot's buttons (Helpful / Not now / Stop these, ...).
struct button_press {
    platform where = platform::discord;
    server_id server;                         // may be empty (button under a DM)
    channel_id channel;
    user_id user;
    std::string custom_id;                    // as nudgebot set it when sending the buttons
    reply_handle reply;
};

// The connection to a platform is up and the bot knows who it is.
struct session_ready {
    platform where = platform::discord;
    user_id bot_user;
    std::vector<server_id> servers;
};

// A server (guild/workspace/team) became known, with the channels the bot can see.
struct server_available {
    platform where = platform::discord;
    server_id server;
    std::vector<channel_id> channels;
    std::string locale;   // the server's language as the platform says ("en-US", "de"); may be empty
};

using event = std::variant<message_created, message_edited, message_deleted, command_invocation,
                           button_press, session_ready, server_available>;

}  // namespace nudgebot::core
