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
//      clause leaves its mentions, links and code in place);
//   4. a draft of the message's own words that reads as a fragment is not offered
//      (calmer_draft_fragments.cpp: it ends on a word that needs more after it, "... I mean.";
//      a sentence is left with only an interjection or swearing and names, "jfc Tanner."; or a
//      subject is left without its verb, "you consistently, ...");
//   5. when nothing of the message's own words is left to offer, a flagged message's point is
//      said in other words by cue family (calmer_draft_restate.cpp: how the writer feels and a
//      question, a calm no for now, an offer to explain, ...), with every mention, code span and
//      link kept; each candidate is re-analysed and must not flag conflict. The words come from
//      the language pack (suggestions.json, "restatements"; restatement_library below).
// Never a draft (nullopt) for a message that threatens or wishes harm, holds a slur or crisis
// language, whether rewritten or restated.
//
// Contract: owned by nudge/. Pure apart from the `reanalyse` callback (which must analyse at the
// sensitivity the original was analysed at). The text and the draft live in memory only: never
// stored, logged or counted. Cost: one or two re-analyses per message on average (tests/bench
// measures it). Thread-safe: no shared state (what a rule's id and label say about its tone is
// remembered per thread).
#pragma once

#include "engine/analysis.hpp"

#include <array>
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

// How a restatement says a heated message's point in other words, for one family of what the
// message does. Read from the language pack's suggestions.json ("restatements"), so a translator
// edits them there; `nudgebot rules test` checks their spelling and placeholders.
struct restatement_wording {
    std::string leaves_out;                // for the reason line: "the brush-off"
    std::string said_as;                   // "said as a calm no for now"
    std::vector<std::string> feelings;     // how the writer feels or where they stand
    std::vector<std::string> asks;         // a question when the message names no thing
    std::vector<std::string> thing_asks;   // a question with {thing} (the code, #reference or name)
};

// The families, in the order of restatement_library (the keys of the "restatements" section).
inline constexpr std::array<std::string_view, 8> restatement_families{
    "frustration",        // insults, contempt, swearing at someone
    "blame",              // "you broke it", a pattern pinned on a person, a harsh review
    "dismissal",          // a brush-off
    "trash_talk",         // flaming a teammate in a game
    "exclusion",          // pushing someone out of the group
    "condescension",      // talking down to someone
    "passive_aggression", // a jab said sideways
    "gaslighting",        // denying what someone experienced
};
using restatement_library = std::array<restatement_wording, restatement_families.size()>;

using reanalyse_fn = std::function<void(std::string_view text, engine::analysis& out)>;

// nullopt when no safe draft exists (threats, harm words, slurs, crisis language; or every
// candidate would still read as heated), and for a message that does not flag conflict and needs
// no change. `restating` is the composer's library().restatements; a family without lines is never
// restated.
std::optional<calmer_draft> calmer_rewrite(std::string_view text, const engine::analysis& analysis,
                                           const reanalyse_fn& reanalyse, const restatement_library& restating);

}  // namespace nudgebot::nudge
