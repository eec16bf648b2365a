// The situations nudgebot can suggest something for (DESIGN.md's push table and the pull flows).
//
// Contract: owned by nudge/. The ids are stable: they appear in suggestions.json, in button custom
// ids, in the muted list of a user's consent row and in counters.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace nudgebot::nudge {

enum class situation : std::uint8_t {
    own_heated,        // author: own message heated or blaming
    targeted,          // target of a hostile message
    escalation,        // each of two people escalating across turns
    own_distress,      // author: own message shows distress
    own_crisis,        // author: crisis language → the fixed crisis card
    dismissive_reply,  // replier who minimised someone's distress or rushed to advice
    kind_reply,        // replier who answered kindly (encouragement, rare)
    pull_reply,        // "Suggest a kind reply"
    check_calmer,      // `/nudge check`
};
inline constexpr std::size_t situation_count = 9;

constexpr std::string_view to_string(situation s) noexcept
{
    constexpr std::array<std::string_view, situation_count> names{
        "own_heated", "targeted",   "escalation", "own_distress", "own_crisis",
        "dismissive_reply", "kind_reply", "pull_reply", "check_calmer"};
    return names[static_cast<std::size_t>(s)];
}

constexpr std::optional<situation> parse_situation(std::string_view name) noexcept
{
    for (std::size_t i = 0; i < situation_count; ++i)
        if (to_string(static_cast<situation>(i)) == name) return static_cast<situation>(i);
    return std::nullopt;
}

}  // namespace nudgebot::nudge
