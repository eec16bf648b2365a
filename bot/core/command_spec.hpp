// The platform-neutral description of every command nudgebot offers.
//
// Contract: owned by commands/ (the handlers in bot/commands/ implement exactly this set).
// Platform adapters read `nudgebot_commands()` and turn it into their own registration format
// (Discord application commands, Slack slash commands + shortcuts, Mattermost slash commands),
// and turn what users invoke back into core::command_invocation: `name` is the command name,
// `path` the subcommand group (if any) then the subcommand, `options` maps option names to their
// values as text (channels as the channel id, booleans as "true"/"false", integers in decimal).
// The data is immutable after first use and safe to read from any thread.
//
// Moderator-only commands are registered with the platform's "manage server" permission
// (Discord MANAGE_GUILD) AND checked again by the handler; the flag here is the single source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::core {

enum class option_type : std::uint8_t { string, integer, channel, boolean };

constexpr std::string_view to_string(option_type t) noexcept
{
    switch (t) {
    case option_type::string: return "string";
    case option_type::integer: return "integer";
    case option_type::channel: return "channel";
    case option_type::boolean: return "boolean";
    }
    return "unknown";
}

struct option_choice {
    std::string name;    // shown to the user
    std::string value;   // what arrives in command_invocation::options
};

struct command_option {
    std::string name;          // lower case, [a-z0-9_-], at most 32 characters
    std::string description;   // at most 100 characters
    option_type type = option_type::string;
    bool required = false;
    std::vector<option_choice> choices;   // empty: any value
    std::optional<std::int64_t> min_value;   // integers only
    std::optional<std::int64_t> max_value;   // integers only
    std::optional<std::uint32_t> max_length; // strings only
};

struct subcommand {
    std::string name;
    std::string description;
    std::vector<command_option> options;
};

struct subcommand_group {
    std::string name;
    std::string description;
    std::vector<subcommand> subcommands;
};

enum class command_kind : std::uint8_t {
    slash,     // typed as /name ...
    message,   // chosen from a message's context menu; the message arrives as invocation.target
};

struct command_spec {
    std::string name;           // "nudge", "nudge-admin", "suggest-reply"
    std::string display_name;   // what users see: "nudge" or "Suggest a kind reply"
    std::string description;    // empty for message commands (Discord forbids one)
    command_kind kind = command_kind::slash;
    bool moderator_only = false;
    // A slash command has subcommand groups and/or subcommands; the handler is chosen by path.
    std::vector<subcommand_group> groups;
    std::vector<subcommand> subcommands;
};

// Every command nudgebot offers, in a stable order: nudge, nudge-admin, suggest-reply.
const std::vector<command_spec>& nudgebot_commands();

// The command with this name, or nullptr.
const command_spec* find_command(std::string_view name) noexcept;

// The subcommand at `path` ({"on"} or {"channels", "enable"}), or nullptr when the path does not
// name one. Adapters and handlers use it to validate what arrives.
const subcommand* find_subcommand(const command_spec& command,
                                  const std::vector<std::string>& path) noexcept;

}  // namespace nudgebot::core
