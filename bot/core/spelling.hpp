// "Did you mean …?" for names people type in files (config keys, lexicon and rule ids).
//
// Contract: pure functions, no allocation beyond one row of the distance table. Used while loading
// config and rule packs (start-up), never on the message path.
#pragma once

#include <cstddef>
#include <string_view>

namespace nudgebot::core {

// Levenshtein distance (insertions, deletions, substitutions), in bytes.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` with fewer than 3 edits and fewer edits than its own length,
// or an empty view. Ties keep the first candidate. The view points into the candidates.
template <class It>
std::string_view closest_match(std::string_view name, It first, It last)
{
    std::string_view best;
    std::size_t best_distance = 3;
    for (; first != last; ++first) {
        std::string_view candidate = *first;
        auto d = edit_distance(name, candidate);
        if (d < best_distance && d < candidate.size()) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

}  // namespace nudgebot::core
