// Checks of the words nudgebot shows people, run by `nudgebot rules test` and the test suite:
// every library line, every restatement line and every crisis card (once per country) must fill
// all its {slots} and read cleanly.
//
// Placeholders: a {slot} is {feeling} or {situation} (filled from the message) or a key of the
// family's defaults; a line with {feeling} needs a default feeling (messages may name none);
// braces must pair. Restatement lines have one slot, {thing}, in every "thing_asks" line and in no
// other; a family's reason phrases are read as "Calmer draft (without <leaves_out>, <said_as>).". Spelling and typography: no doubled words ("the the"), none of the common
// misspellings listed in library_lint.cpp, no doubled spaces or space before punctuation,
// paired double quotes, a capital (or a quote) first and closing punctuation last.
//
// Contract: owned by nudge/. Pure; problems come back as one line each ("family reflect, gentle
// line 2: unknown slot {topic}", "restatements.blame, asks line 3: the doubled word \"the the\""),
// empty when all is well.
#pragma once

#include "nudge/composer.hpp"

#include <string>
#include <vector>

namespace nudgebot::nudge {

std::vector<std::string> lint_library(const composer& c);

// The spelling and typography checks of one finished text (no slots left).
std::vector<std::string> lint_text(std::string_view text);

}  // namespace nudgebot::nudge
