// The steps of the calmer-draft rewriter (nudge/calmer_draft.hpp), each in a file of its own:
//   calmer_draft_cues.cpp      what kind of cue fired (family read from rule id and label), heat
//   calmer_draft_loudness.cpp  shouting in capitals and "?!" bursts
//   calmer_draft_verdicts.cpp  "you always / you never ..." as an observation and a request;
//                              a question asked with a jab ("did you even ...")
//   calmer_draft_words.cpp     deleting a swear word so the sentence still reads whole; sarcasm
//                              and emphasis markers that stand alone as a clause
//   calmer_draft_harm.cpp      words that threaten or wish harm (no draft at all)
//   calmer_draft_fragments.cpp whether a cut draft still reads as a message of its own
//   calmer_draft_restate.cpp   a message with nothing left to keep, said as what the writer feels
//                              or wants, in the words of its cue family (from the language pack)
//
// Contract: internal to nudge/. Pure functions (no I/O, no shared state); the text and every
// candidate live in memory only.
#pragma once

#include "engine/analysis.hpp"
#include "nudge/calmer_draft.hpp"
#include "nudge/calmer_draft_text.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::nudge::drafting {

// ---------------------------------------------------------------- cues (calmer_draft_cues.cpp)

enum class family : std::uint8_t { verdict, profanity, attack };

// A cue's rule id and label in lower case, for asking what kind of cue it is; folded once into a
// buffer of its own (no allocation). Text beyond 120 bytes of either is not looked at.
class folded_cue {
public:
    explicit folded_cue(const engine::cue& c) : id_len_(fold(c.rule_id, 0)), label_len_(fold(c.label, id_len_) - id_len_) {}
    bool id_has(std::string_view part) const { return id().find(part) != std::string_view::npos; }
    bool label_has(std::string_view part) const { return label().find(part) != std::string_view::npos; }
    bool has(std::string_view part) const { return id_has(part) || label_has(part); }

private:
    std::string_view id() const { return {buf_.data(), id_len_}; }
    std::string_view label() const { return {buf_.data() + id_len_, label_len_}; }
    std::size_t fold(std::string_view s, std::size_t at)
    {
        for (std::size_t i = 0; i < s.size() && i < 120; ++i) buf_[at++] = lower(s[i]);
        return at;
    }
    std::array<char, 240> buf_;
    std::size_t id_len_, label_len_;
};


// A conflict cue that adds heat. Modifiers that only count loud features are undone by the first
// pass; the profanity modifier is a swear word like any other.
bool heated(const engine::cue& c);
family family_of(const engine::cue& c);
// "a contemptuous put-down ('you ...')" -> "the contemptuous put-down"
std::string plain_change(std::string_view label);
// How many heated cues of `rule` the analysis holds, and the summed weight of its heated cues.
int count_rule(const engine::analysis& a, std::string_view rule);
float heat(const engine::analysis& a);

// ---------------------------------------------------------------- loud features (calmer_draft_loudness.cpp)

// A word in capitals that reads as shouting, not as the name of something: five letters or more,
// or a short everyday word ("YOU", "STOP").
bool reads_as_shouting(std::string_view w);
// Lower-cases shouted words and shortens ?!/??/!!! bursts; records what it changed.
std::string calm_loud_features(std::string_view text, const engine::analysis& a, std::vector<std::string>& changes);

// ---------------------------------------------------------------- verdicts (calmer_draft_verdicts.cpp)

struct rewrite_step {
    std::string text;
    std::string change;
};

// "you always break the build" -> "the build got broken again. Could we look at how to avoid
// that next time?" Works on the clause holding the cue; nullopt when the clause is not of that
// shape. `only_specific`: without a verdict rule behind it, only a rewrite that names the thing.
std::optional<rewrite_step> verdict_to_request(std::string_view text, const engine::cue& cue, text_structure& parts,
                                               bool only_specific = false);

// "did you even read the ticket before starting?": a question about something, asked with a jab.
// Returns where " even" is in the clause when the clause is such a question: a helper verb, "you
// even", then at least three words; nullopt for "are you even trying" and everything else.
// `words` is bare_words(clause).
std::optional<std::size_t> question_without_even(std::string_view clause, const std::string& words);

// ---------------------------------------------------------------- words (calmer_draft_words.cpp)

// Words a deleted word must not be (they hold the sentence together).
bool is_dangling_word(std::string_view lower_case);
// Swear stems: only a tie-break between deletions that quiet a cue equally well, so that
// "READ THE DAMN WIKI" loses "DAMN", not "READ".
bool looks_like_swearing(std::string_view lower_case);
// Deleting one word (or "the hell" / "the fuck" after a question word): acceptable only when a
// content word follows in the same clause, so the words around it still read whole.
std::optional<std::string> delete_word(std::string_view text, word w);
// Emphasis that stands alone as a clause after a verdict became a request ("... not once. ever.").
bool is_emphasis_marker(std::string_view bare);
// Sarcasm and exasperation markers that read as a jab when they stand alone as a clause of a
// heated message ("..., seriously?!", "great job everyone").
bool is_sarcasm_marker(std::string_view bare);

// ---------------------------------------------------------------- harm (calmer_draft_harm.cpp)

// Words that threaten or wish harm (to the reader or anyone): a message holding them gets no
// calmer draft, since cutting around them could leave the threat looking mild.
bool carries_harm(std::string_view text);

// ---------------------------------------------------------------- fragments (calmer_draft_fragments.cpp)

// Why a draft of the message's own words does not read as a message of its own.
enum class fragment : std::uint8_t {
    dangling_end,           // it ends on a word that needs more after it: "the", "and", "I mean"
    interjection_only,      // a sentence left with only an interjection or swearing and names: "jfc Tanner."
    subject_without_verb,   // a clause of a subject and adverbs only: "you consistently, ..."
};
std::string_view to_string(fragment f);
// nullopt when the draft reads whole. `kept` is the draft's protected_spans (never judged).
std::optional<fragment> reads_as_fragment(std::string_view draft, const std::vector<kept_span>& kept);

// ---------------------------------------------------------------- restating (calmer_draft_restate.cpp)

// What a heated message does, read from its cues' rule ids and labels (and, for pushing someone
// out, from its words): each has its own honest restatement. In the order of
// restatement_families (nudge/calmer_draft.hpp).
enum class tone : std::uint8_t {
    frustration,          // insults, contempt, swearing at someone
    blame,                // "you broke it", a pattern pinned on a person, a harsh review
    dismissal,            // a brush-off
    trash_talk,           // flaming a teammate in a game
    exclusion,            // pushing someone out of the group
    condescension,        // talking down to someone
    passive_aggression,   // a jab said sideways (sarcasm, "per my last email")
    gaslighting,          // denying what someone experienced
};
inline constexpr std::size_t tone_count = 8;

tone tone_of(std::string_view text, const engine::analysis& a);
// What the restatement leaves out ("the brush-off") and how it says it instead ("said as a calm no
// for now").
std::string_view tone_change(const restatement_library& words, tone t);
std::string_view tone_how(const restatement_library& words, tone t);

// The restatements of one message, best first: the people mentioned, a feeling or position line
// and a question, with every mention, code span, link and #reference of `text` kept.
// Deterministic (picked by a hash of the text); each variant is built only when asked for.
class restater {
public:
    // `words` must outlive the restater.
    restater(std::string_view text, const engine::analysis& a, const restatement_library& words, tone t);
    std::size_t count() const noexcept;
    std::string variant(std::size_t n) const;

private:
    const restatement_wording* wording_;
    const std::vector<std::string>* asks_ = nullptr;
    std::string lead_, thing_, tail_;   // the people mentioned, the things named, the links
    std::size_t feeling0_ = 0, ask0_ = 0;
};

// Up to `max` of them at once (for tests and tools).
std::vector<std::string> restatements(std::string_view text, const engine::analysis& a,
                                      const restatement_library& words, tone t, std::size_t max);

}  // namespace nudgebot::nudge::drafting
