#include "nudge/calmer_draft_steps.hpp"

#include <algorithm>
#include <array>

namespace nudgebot::nudge::drafting {

namespace {

// Lexicographic order that looks at the first bytes before calling the library's compare (most
// words differ there). Words are never empty.
constexpr bool word_less(std::string_view a, std::string_view b) noexcept
{
    return a.front() != b.front() ? static_cast<unsigned char>(a.front()) < static_cast<unsigned char>(b.front()) : a < b;
}

// Every phrase of harm_phrases holds one of these words (sorted, for a binary search).
constexpr std::array<std::string_view, 35> harm_words{
    "address", "alive", "beat", "bleach", "burn", "dead", "die", "end", "face", "favor", "find", "fingers",
    "hope", "hurt", "jump", "k", "kill", "killing", "kys", "legs", "mom's", "neck", "punch", "regret", "rope",
    "run", "share", "shoot", "stab", "unalive", "urself", "watch", "where", "yours", "yourself"};
static_assert(std::is_sorted(harm_words.begin(), harm_words.end(), word_less));

// What carries_harm() looks for, in the words of bare_words() (sorted, for a binary search).
constexpr std::array<std::string_view, 40> harm_phrases{
    "beat you", "better hope", "bleach", "break your face", "break your fingers", "break your legs",
    "break your neck", "burn", "dead", "delete yourself", "die", "end you", "find out what", "hang yourself",
    "hurt you", "i know where", "jump off", "k y s", "kill", "kill urself", "kill yourself", "killing", "kys",
    "neck yourself", "off yourself", "post yours", "punch", "rope", "run into you", "share them here", "shoot",
    "stab", "still alive", "unalive", "uninstall yourself", "watch your back", "world a favor",
    "you'll regret", "your address", "your mom's"};
static_assert(std::is_sorted(harm_phrases.begin(), harm_phrases.end(), word_less));

}  // namespace

bool carries_harm(std::string_view text)
{
    // Cheap first: every phrase of harm_phrases holds one of harm_words.
    const auto words = bare_words(text);
    bool maybe = false;
    for (std::size_t i = 0; i < words.size() && !maybe;) {
        auto end = words.find(' ', i);
        if (end == std::string::npos) end = words.size();
        const auto w = std::string_view(words).substr(i, end - i);
        maybe = std::binary_search(harm_words.begin(), harm_words.end(), w, word_less);
        i = end + 1;
    }
    if (!maybe) return false;
    // A phrase counts where it starts a word and ends one (or the text). The phrases are sorted,
    // so those that start with the word at hand are next to each other.
    // "brain dead" is an insult, not a wish of harm (the insult is handled like any other).
    const std::string_view all(words);
    std::string_view previous;
    for (std::size_t i = 0; i < all.size();) {
        auto end = all.find(' ', i);
        if (end == std::string_view::npos) end = all.size();
        const auto w = all.substr(i, end - i);
        const auto rest = all.substr(i);
        for (auto it = std::lower_bound(harm_phrases.begin(), harm_phrases.end(), w, word_less);
             it != harm_phrases.end() && it->starts_with(w); ++it)
            if (rest.starts_with(*it) && (rest.size() == it->size() || rest[it->size()] == ' ') &&
                !(*it == "dead" && previous == "brain"))
                return true;
        previous = w;
        i = end + 1;
    }
    return false;
}

}  // namespace nudgebot::nudge::drafting
