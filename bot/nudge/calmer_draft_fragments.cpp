// Whether a draft of the message's own words, after the cuts, still reads as a message someone
// would send, or as the remains of one. Three checks, each one a reason a person would see at a
// glance (the draft is then restated instead, or the library line is shown):
//   - it ends on a word that needs more after it: an article, a conjunction, a possessive, or a
//     filler ("I mean", "oh wait"): "This is embarrassing. I mean.";
//   - a sentence is left with nothing but an interjection or swearing, and names: "jfc Tanner.";
//   - a clause is left as a subject with only adverbs after it, its verb gone: "you consistently,
//     without fail".
// Words inside protected spans (code, links, mentions, #references) are never judged: they are
// names of things, and a draft may end on one.
#include "nudge/calmer_draft_steps.hpp"

#include <algorithm>
#include <array>

namespace nudgebot::nudge::drafting {

namespace {

// Words a message cannot end on.
constexpr std::array<std::string_view, 14> dangling_ends{
    "the", "a", "an", "and", "but", "or", "because", "cause", "cuz", "if", "than", "my", "your", "our"};
// Two-word fillers a message cannot end on.
constexpr std::array<std::string_view, 2> dangling_pairs{"i mean", "oh wait"};

// Interjections that say nothing on their own.
constexpr std::array<std::string_view, 22> interjections{
    "jfc", "jesus", "christ", "omg",  "omfg", "wtf",  "ffs",  "smh",   "lmao", "lmfao", "lol",
    "rofl", "ugh",  "wow",    "god",  "oh",   "bruh", "geez", "jeez",  "yikes", "tf",   "welp"};

// Subjects whose verb must follow.
constexpr std::array<std::string_view, 7> subjects{"i", "you", "u", "we", "they", "he", "she"};
// Adverbs that can stand between a subject and its verb.
constexpr std::array<std::string_view, 12> between_subject_and_verb{
    "always", "never", "just", "still", "really", "even", "again", "also", "only", "ever", "sometimes", "often"};

template <std::size_t n>
bool listed(const std::array<std::string_view, n>& list, std::string_view w)
{
    return std::find(list.begin(), list.end(), w) != list.end();
}

bool is_adverb(std::string_view w)
{
    return (w.size() > 4 && w.ends_with("ly")) || listed(between_subject_and_verb, w);
}

// The words of `within` outside protected spans, lower case, with whether each was written with
// a capital first.
struct plain_word {
    std::string lower;
    bool capital;
};
std::vector<plain_word> own_words(std::string_view text, byte_span within, const std::vector<kept_span>& kept)
{
    std::vector<plain_word> out;
    for (const auto& w : words_in(text, within)) {
        if (inside_kept(kept, {w.begin, w.end})) continue;
        const auto s = text.substr(w.begin, w.end - w.begin);
        out.push_back({lowered(s), is_upper(s[0])});
    }
    return out;
}

bool ends_dangling(std::string_view text, const std::vector<kept_span>& kept)
{
    // Only when the text ends on a word of its own (a link or code at the end is fine).
    auto end = text.size();
    while (end > 0 && (is_space(text[end - 1]) || sentence_mark(text[end - 1]) || clause_mark(text[end - 1]))) --end;
    if (end == 0 || std::any_of(kept.begin(), kept.end(), [&](const kept_span& k) { return k.span.end >= end; }))
        return false;
    const auto words = own_words(text, {0, static_cast<std::uint32_t>(end)}, kept);
    if (words.empty()) return false;
    if (listed(dangling_ends, words.back().lower)) return true;
    return words.size() >= 2 && listed(dangling_pairs, words[words.size() - 2].lower + " " + words.back().lower);
}

bool interjection_only(std::string_view text, const std::vector<kept_span>& kept)
{
    for (const auto& s : sentences(text, kept)) {
        const auto words = own_words(text, s, kept);
        bool exclaims = false, other = false;
        for (const auto& w : words) {
            if (listed(interjections, w.lower) || looks_like_swearing(w.lower)) exclaims = true;
            else if (!w.capital) other = true;   // a name ("Tanner") says nothing more
        }
        if (exclaims && !other) return true;
    }
    return false;
}

bool subject_without_verb(std::string_view text, const std::vector<kept_span>& kept)
{
    for (const auto& c : clauses(text, kept)) {
        const auto words = own_words(text, c, kept);
        if (words.size() < 2 || !listed(subjects, words[0].lower)) continue;
        if (std::all_of(words.begin() + 1, words.end(), [](const plain_word& w) { return is_adverb(w.lower); }))
            return true;
    }
    return false;
}

}  // namespace

std::string_view to_string(fragment f)
{
    switch (f) {
        case fragment::dangling_end: return "it ends on a word that needs more after it";
        case fragment::interjection_only: return "a sentence is only an interjection or swearing";
        case fragment::subject_without_verb: return "a subject is left without its verb";
    }
    return "";
}

std::optional<fragment> reads_as_fragment(std::string_view draft, const std::vector<kept_span>& kept)
{
    if (ends_dangling(draft, kept)) return fragment::dangling_end;
    if (interjection_only(draft, kept)) return fragment::interjection_only;
    if (subject_without_verb(draft, kept)) return fragment::subject_without_verb;
    return std::nullopt;
}

}  // namespace nudgebot::nudge::drafting
