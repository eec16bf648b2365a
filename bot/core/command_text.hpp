// Parses the text typed after a slash command ("/nudge-admin channels enable #general") against
// the platform-neutral command set, for platforms whose slash commands carry free text (Slack,
// Mattermost) rather than structured options (Discord).
//
// Contract: pure, thread-safe, never throws; any text yields either a path + options or a
// user-facing error (which never repeats the typed text, since drafts may be private). Grammar:
// the subcommand group (if any) and subcommand come first; then options, either `name:value` /
// `name=value` or positional in their declared order. A string option with a max_length (the
// "text" drafts) takes the rest of the line verbatim. Channel values go through `channel_ref`,
// which turns a platform mention (`<#C123|general>`, `~town-square`) into what the platform
// adapter wants in `options` (an id, or a name it resolves later); empty text for a command with
// a "help" subcommand means help.
#pragma once

#include "core/command_spec.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::core {

struct parsed_command_text {
    bool ok = false;
    std::vector<std::string> path;
    std::map<std::string, std::string> options;
    std::string error;   // set when !ok: what was wrong and the usage, never the typed text
};

using channel_ref_fn = std::function<std::optional<std::string>(std::string_view typed)>;

parsed_command_text parse_command_text(const command_spec& command, std::string_view text,
                                       const channel_ref_fn& channel_ref = {});

// One line per subcommand: "/nudge-admin channels enable [channel]".
std::string command_usage(const command_spec& command);

}  // namespace nudgebot::core
