// The calmer draft: a rewrite of the person's own heated message, built from the analysis spans,
// that they may copy and send instead. Used by `/nudge check`, the own-heated push nudge and
// `nudgebot check`; never sent on anyone's behalf.
//
// How (deterministic, every step explainable):
//   1. while the message still flags conflict, its strongest cue is handled by its family, which is
//      read from the cue's rule id and label (so new rules of a known kind work unchanged):
//      - a verdict about the person ("you always / you never …") becomes an observation and a
//        request ("the build got broken again. Could we look at how to avoid that next time?");
//      - swearing loses the swear word when the sentence still reads whole without it;
//      - anything else aimed at the person (insults, contempt, taunts, sarcasm, threats, blame,
//        rhetorical attacks) is dropped with its clause, or its sentence when that is not enough;
//      each step is kept only when re-analysis shows the cue gone and the heat not higher;
//   2. then shouting in capitals becomes lower case (words that look like names of things, such
//      as short acronyms or words with digits, stay) and "?!" / "??" / "!!!" bursts become one mark;
//   3. the draft is re-analysed; it is offered only when it no longer flags conflict, still has
//      words of its own, and keeps every code span, link and mention of the original (a dropped
//      clause leaves its mentions, links and code in place).
//
// Contract: owned by nudge/. Pure apart from the `reanalyse` callback (which must analyse at the
// sensitivity the original was analysed at). The text and the draft live in memory only: never
// stored, logged or counted. Cost: a handful of re-analyses per message (tests/bench measures it).
// Thread-safe (no shared state).
#pragma once

#include "engine/analysis.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::nudge {

struct calmer_draft {
    std::string text;                  // the rewrite, for the person to copy
    std::vector<std::string> changes;  // what was left out, in plain words ("the 'you always'", "the capitals")
    // Empty for a rewrite of the message's own words; for a restatement, how it says the point
    // instead ("said as how you feel").
    std::string restated;
    // "without the 'you always' and the capitals"; "without the insult, said as how you feel"
    std::string reason() const;
};

using reanalyse_fn = std::function<void(std::string_view text, engine::analysis& out)>;

// nullopt when no safe rewrite exists (everything in it was aimed at the person, or the rewrite
// would still read as heated).
std::optional<calmer_draft> calmer_rewrite(std::string_view text, const engine::analysis& analysis,
                                           const reanalyse_fn& reanalyse);

}  // namespace nudgebot::nudge
