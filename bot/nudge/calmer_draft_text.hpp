// Text tools of the calmer-draft rewriter (nudge/calmer_draft.hpp): ASCII case and character
// tests, words and their spans, what a cut leaves behind (tidy), and the draft's structure
// (protected spans, clauses, sentences) worked out once per version of the text.
//
// Contract: internal to nudge/ (the calmer_draft*.cpp files). Pure functions over the text, no
// state beyond a text_structure's cache; offsets are bytes into the text given.
#pragma once

#include "engine/analysis.hpp"
#include "nudge/text_spans.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::nudge::drafting {

using engine::byte_span;

inline bool has(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

inline char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline bool sentence_mark(char c) { return c == '.' || c == '!' || c == '?'; }
inline bool clause_mark(char c) { return c == ',' || c == ';' || c == ':'; }

inline bool is_one_of(std::string_view w, std::initializer_list<std::string_view> list)
{
    return std::find(list.begin(), list.end(), w) != list.end();
}

std::string lowered(std::string_view s);
// `part` (lower case) occurs in `s` whatever the case of `s`.
bool has_folded(std::string_view s, std::string_view part);
// "you " followed by one of `next` (lower case), whatever the case of `text`: one pass.
bool has_you_then(std::string_view text, std::initializer_list<std::string_view> next);
// `w` equals `lower_case` whatever its case; nothing is copied.
bool equals_folded(std::string_view w, std::string_view lower_case);

struct word {
    std::uint32_t begin, end;
};

// The words (letters and apostrophes, and bytes of multi-byte characters) inside `within`.
std::vector<word> words_in(std::string_view text, byte_span within);
bool inside_kept(const std::vector<kept_span>& kept, byte_span s);
bool at_sentence_start(std::string_view text, std::size_t at);

// The clause's words, lower case, one space apart, without punctuation.
std::string bare_words(std::string_view clause);
std::size_t word_count(std::string_view text);
// The same, leaving out protected spans (`kept`, the text's protected_spans) and quoted lines
// ("> what someone else wrote").
std::size_t own_word_count(std::string_view text, const std::vector<kept_span>& kept);

// What the rewrite reads from the draft as it stands (protected spans, clauses, sentences),
// worked out once per version of the text instead of once per use. A reference it returns stays
// valid until it is asked about another text.
class text_structure {
public:
    const std::vector<kept_span>& kept(std::string_view text)
    {
        refresh(text);
        if (!kept_) kept_ = protected_spans(text);
        return *kept_;
    }
    const std::vector<byte_span>& clauses(std::string_view text)
    {
        refresh(text);
        if (!clauses_) clauses_ = nudge::clauses(text, kept(text));
        return *clauses_;
    }
    const std::vector<byte_span>& sentences(std::string_view text)
    {
        refresh(text);
        if (!sentences_) sentences_ = nudge::sentences(text, kept(text));
        return *sentences_;
    }

private:
    void refresh(std::string_view text)
    {
        if (known_ && text == text_) return;
        text_.assign(text);
        known_ = true;
        kept_.reset();
        clauses_.reset();
        sentences_.reset();
    }
    std::string text_;
    bool known_ = false;
    std::optional<std::vector<kept_span>> kept_;
    std::optional<std::vector<byte_span>> clauses_, sentences_;
};

// Collapses what a cut leaves behind: doubled spaces, a space before punctuation, a clause mark
// right before a sentence mark, a line or the text starting with punctuation. Protected spans
// are copied as they are.
std::string tidy(std::string_view text, const std::vector<kept_span>& kept);
std::string tidy(std::string_view text);

// At least three letters outside the protected spans.
bool has_own_words(std::string_view text, const std::vector<kept_span>& kept);
bool has_own_words(std::string_view text);

// The text without `piece`, keeping the protected spans inside it (and a sentence end when the cut
// closed a sentence that goes on before it).
std::string cut(std::string_view text, byte_span piece);

}  // namespace nudgebot::nudge::drafting
