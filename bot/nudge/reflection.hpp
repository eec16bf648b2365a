// Reflections that name the situation: the words a reply suggestion can hand back to someone who
// said they are struggling ("It sounds like this release crunch has you running on fumes").
//
// situation_phrase() takes the clause around the message's strongest stressor cue (falling back
// to a feeling cue), turns the writer's first person into the second ("my" -> "your",
// "I'm" -> "you're") and trims it to a short phrase. It gives nothing when the message is about
// ending one's life (the reply flow then shows its fixed crisis pointer), when the clause talks to
// or about "you" (handing it back would be wrong), holds code, links or mentions, or is too long.
//
// Contract: owned by nudge/. Pure, linear in the text. The phrase is message text: it may only be
// shown to the person who asked for reply ideas, in memory, never stored or logged.
#pragma once

#include "engine/analysis.hpp"

#include <string>
#include <string_view>

namespace nudgebot::nudge {

inline constexpr std::size_t max_situation_words = 12;

// "" when no safe phrase exists.
std::string situation_phrase(std::string_view text, const engine::analysis& analysis);

}  // namespace nudgebot::nudge
