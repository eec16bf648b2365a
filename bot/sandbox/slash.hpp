// Turns a line typed in the sandbox's composer ("/nudge on style:direct", "/nudge check I think
// this is wrong", "/nudge-admin channels enable #general") into the `data` object of a Discord
// APPLICATION_COMMAND interaction, the way Discord's own client would after the user filled in the
// command form — validated against core::nudgebot_commands().
//
// Contract: pure, thread-safe, never throws. Options may be given as name:value (Discord's
// syntax; a value runs up to the next known "name:") or positionally (whitespace-separated, the
// last option takes the rest of the line). Channel values are "#name" or "name", mapped to ids by
// `channel_id_of`; booleans accept true/false/yes/no/on/off; integers must be within their bounds;
// choices accept the value or the shown name. A required option that is missing, an unknown
// subcommand or a bad value yields ok=false with a short error the page can show.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::sandbox {

struct slash_result {
    bool ok = false;
    std::string error;          // when !ok, for the person typing
    std::string name;           // command name
    nlohmann::json options;     // Discord's nested option array (subcommand group / subcommand / values)
};

using channel_lookup = std::function<std::optional<std::string>(std::string_view name)>;

slash_result parse_slash(std::string_view line, const channel_lookup& channel_id_of);

}  // namespace nudgebot::sandbox
