#include "engine/vocabulary.hpp"

#include <algorithm>

namespace nudgebot::engine {

vocabulary::vocabulary() : slots_(64), trie_(1) { root_.fill(-1); }

void vocabulary::grow()
{
    std::vector<slot> bigger(slots_.size() * 2);
    std::size_t mask = bigger.size() - 1;
    for (const auto& s : slots_) {
        if (s.id == no_word) continue;
        std::size_t i = hash(words_[static_cast<std::size_t>(s.id)]) & mask;
        while (bigger[i].id != no_word) i = (i + 1) & mask;
        bigger[i] = s;
    }
    slots_.swap(bigger);
}

word_id vocabulary::add_word(std::string_view word)
{
    if (auto id = find(word); id != no_word) return id;
    letter_next_.clear();
    letter_word_.clear();
    letter_pairs_.clear();
    if ((words_.size() + 1) * 2 > slots_.size()) grow();   // at most half full
    auto h = hash(word);
    std::size_t mask = slots_.size() - 1;
    std::size_t i = h & mask;
    while (slots_[i].id != no_word) i = (i + 1) & mask;
    auto id = static_cast<word_id>(words_.size());
    words_.emplace_back(word);
    if (!word.empty()) {
        note_first_byte(word[0]);
        set_bit(outlines_, outline(word));
    }
    slots_[i] = {head(word.data(), std::min<std::size_t>(word.size(), 8)),
                 static_cast<std::uint32_t>(word.size()), id};
    return id;
}

word_id vocabulary::add_prefix(std::string_view prefix)
{
    letter_next_.clear();   // (prefixes are not in the automaton; kept simple: any add drops it)
    letter_word_.clear();
    letter_pairs_.clear();
    if (!prefix.empty()) note_first_byte(prefix[0]);
    if (prefix.size() < 3) {
        short_prefixes_ = true;
        trigrams_.fill(~std::uint64_t{0});   // every word of three bytes or more may have it
        quads_.fill(~std::uint64_t{0});
    } else {
        set_bit(trigrams_, trigram(prefix.data()));
        if (prefix.size() >= 4) {
            set_bit(quads_, quad(prefix.data()));
        } else {   // a word starting with these three bytes may have any fourth
            char four[4] = {prefix[0], prefix[1], prefix[2], 0};
            for (unsigned fourth = 0; fourth < 256; ++fourth) {
                four[3] = static_cast<char>(fourth);
                set_bit(quads_, quad(four));
            }
        }
    }
    std::int32_t node = 0;
    for (char c : prefix) {
        std::int32_t child = node == 0 ? root_[static_cast<unsigned char>(c)]
                                       : trie_[static_cast<std::size_t>(node)].first_child;
        while (node != 0 && child >= 0 && trie_[static_cast<std::size_t>(child)].c != c)
            child = trie_[static_cast<std::size_t>(child)].next_sibling;
        if (child < 0) {
            trie_node fresh;
            fresh.c = c;
            fresh.next_sibling = trie_[static_cast<std::size_t>(node)].first_child;
            child = static_cast<std::int32_t>(trie_.size());
            trie_.push_back(fresh);
            if (node == 0) root_[static_cast<unsigned char>(c)] = child;
            else trie_[static_cast<std::size_t>(node)].first_child = child;
        }
        node = child;
    }
    auto& target = trie_[static_cast<std::size_t>(node)];
    if (target.prefix == no_word) target.prefix = static_cast<word_id>(prefix_count_++);
    return target.prefix;
}

void vocabulary::build_letter_automaton()
{
    // Rows of 32: column (c & 31) for c in `a`-`z` is 1..26, `'` is column 27
    // (letter_apostrophe); the other columns go to state 0. State 0: three equal bytes in a row
    // were seen (absorbing). 1: the root. Then the trie of the words, then the 54 states "no
    // word any more; the last byte was x, once or twice".
    if (words_.size() > letter_word_max + 1) return;   // ids would not fit letter_words()
    std::vector<std::uint16_t> next(2 * 32, 0);
    std::vector<word_id> word_at(2, no_word);
    std::vector<std::uint8_t> last(2, 0);   // per state: its last letter (column), run length
    std::vector<std::uint8_t> run(2, 0);
    for (std::size_t id = 0; id < words_.size(); ++id) {
        const auto& w = words_[id];
        if (w.empty() || !std::all_of(w.begin(), w.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '\''; }))
            continue;
        // A word with three equal letters in a row is left out (see the header): the normaliser
        // squeezes such runs, so no token is spelt that way.
        bool triple = false;
        for (std::size_t k = 2; k < w.size() && !triple; ++k) triple = w[k] == w[k - 1] && w[k] == w[k - 2];
        if (triple) continue;
        std::size_t state = 1;
        for (char c : w) {
            const unsigned column = c == '\'' ? letter_apostrophe : static_cast<unsigned char>(c) & 31u;
            const std::size_t cell = (state << 5) | column;
            if (next[cell] == 0) {
                const std::size_t fresh = word_at.size();
                if (fresh > 0xFFFF - 54) return;   // too many states for 16 bits: no automaton
                next[cell] = static_cast<std::uint16_t>(fresh);
                next.resize(next.size() + 32, 0);
                word_at.push_back(no_word);
                last.push_back(static_cast<std::uint8_t>(column));
                run.push_back(static_cast<std::uint8_t>(last[state] == column ? run[state] + 1 : 1));
            }
            state = next[cell];
        }
        word_at[state] = static_cast<word_id>(id);
    }
    const std::size_t trie_states = word_at.size();
    auto off_trie = [&](unsigned column, unsigned r) -> std::uint16_t {   // column 1..27, r 1..3
        return r >= 3 ? 0 : static_cast<std::uint16_t>(trie_states + 2 * (column - 1) + (r - 1));
    };
    next.resize((trie_states + 54) * 32, 0);
    word_at.resize(trie_states + 54, no_word);
    for (std::size_t state = 1; state < trie_states; ++state)
        for (unsigned column = 1; column <= letter_apostrophe; ++column) {
            auto& cell = next[(state << 5) | column];
            if (cell == 0) cell = off_trie(column, last[state] == column ? run[state] + 1u : 1u);
        }
    for (unsigned x = 1; x <= letter_apostrophe; ++x)
        for (unsigned r = 1; r <= 2; ++r) {
            const std::size_t state = off_trie(x, r);
            for (unsigned column = 1; column <= letter_apostrophe; ++column)
                next[(state << 5) | column] = off_trie(column, column == x ? r + 1 : 1);
        }
    letter_next_ = std::move(next);
    letter_word_.assign(word_at.begin(), word_at.end());   // every id fits 16 bits (above)
    letter_pairs_.assign(32 * 32, 0);
    for (char a = 'a'; a <= 'z'; ++a)
        for (char b = 'a'; b <= 'z'; ++b)
            letter_pairs_[letter_pair(a, b)] =
                static_cast<std::uint16_t>(letter_step(letter_step(letter_start(), a), b));
}

bool vocabulary::known(std::string_view word) const noexcept
{
    if (find(word) != no_word) return true;
    bool any = false;
    for_each_prefix(word, [&](word_id) { any = true; });
    return any;
}

std::size_t vocabulary::memory_bytes() const noexcept
{
    std::size_t total = slots_.capacity() * sizeof(slot) + trie_.capacity() * sizeof(trie_node) +
                        letter_next_.capacity() * sizeof(std::uint16_t) +
                        letter_word_.capacity() * sizeof(std::int16_t) + sizeof(first_bytes_) +
                        sizeof(quads_);
    for (const auto& w : words_) total += sizeof(std::string) + (w.size() > 15 ? w.capacity() : 0);
    return total;
}

}  // namespace nudgebot::engine
