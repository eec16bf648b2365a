// The words the compiled rule set knows: exact words and `word*` prefixes, each with a dense id.
//
// Contract: built once while packs compile (add_*), then build_letter_automaton() once, then only
// read (find*, for_each_prefix, letter_*), from any number of threads. The normaliser asks it
// whether a folded spelling is a known word (so `id10t` becomes `idiot` but `800mg` stays
// `800mg`) and walks the letter automaton while it copies a word of letters, so the word's id
// falls out of the scan; the matcher maps tokens to ids. An add_* after the automaton was built
// drops it (has_letter_automaton() is false until it is built again). No allocation on the read
// path. Owner: engine.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::engine {

using word_id = std::int32_t;
inline constexpr word_id no_word = -1;

class vocabulary {
public:
    vocabulary();

    // Adds (or finds) an exact word / a prefix; returns its id. Ids of words and prefixes are
    // separate dense ranges starting at 0.
    word_id add_word(std::string_view word);
    word_id add_prefix(std::string_view prefix);

    // Inlined into the token loop: a call would save and restore registers for every token.
    [[gnu::always_inline]] word_id find(std::string_view word) const noexcept
    {
        if (!maybe_word(word)) return no_word;
        const std::size_t n = word.size();
        const std::uint64_t first = head(word.data(), n < 8 ? n : 8);
        const std::size_t mask = slots_.size() - 1;
        // For up to eight bytes hash() is mix(seed ^ head), and the head is already at hand.
        const std::uint64_t h = n <= 8 ? mix(seed(n) ^ first) : hash(word);
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const slot& s = slots_[i];
            if (s.id == no_word) return no_word;
            if (s.head == first && s.size == n &&
                (n <= 8 || words_[static_cast<std::size_t>(s.id)] == word))
                return s.id;
        }
    }
    // The letter automaton: a trie over the exact words made only of `a`-`z` (and `'`, see
    // letter_apostrophe) with no letter three times in a row (the normaliser squeezes such runs, so no token has one), one row of 32
    // states per node, plus states for spellings that are no word any more. letter_start() is
    // the root; state 0 means three equal letters in a row were seen (every step stays there),
    // and only such a walk reaches it. After stepping through the letters of a token,
    // letter_word() is the id of the token when it is such a word, else no_word; so
    // letter_word(walk(w)) == find(w) for any string w of `a`-`z` without three equal letters in
    // a row. Built by build_letter_automaton() (see the contract above); states are 16 bits,
    // so when the words need more than 65,535 states, or some word id is above
    // letter_word_max, none is built and callers use find().
    void build_letter_automaton();
    bool has_letter_automaton() const noexcept { return !letter_next_.empty(); }
    static constexpr std::uint32_t letter_start() noexcept { return 1; }
    // The automaton also has the exact words made of `a`-`z` and `'`: column 27 of a row is
    // the step for `'` (letter_step() takes letters only), so walking a token with apostrophes
    // through letter_table() ends in its id the same way (three equal bytes in a row, `'`
    // included, lead to state 0).
    static constexpr unsigned letter_apostrophe = 27;
    // `c` is one of `a`-`z` (its low five bits pick the column).
    std::uint32_t letter_step(std::uint32_t state, char c) const noexcept
    {
        return letter_next_[(state << 5) | (static_cast<unsigned char>(c) & 31u)];
    }
    const std::uint16_t* letter_table() const noexcept { return letter_next_.data(); }
    // The state after two letters `a`, `b` from letter_start(): letter_pairs()[letter_pair(a, b)]
    // == letter_step(letter_step(letter_start(), a), b). The normaliser takes a
    // word's first two letters in one load whose address depends on the letters only, so a
    // word's chain of dependent steps is one shorter.
    const std::uint16_t* letter_pairs() const noexcept { return letter_pairs_.data(); }
    // The index of letters `a`, `b` in letter_pairs(): column a & 31, then b & 31.
    static constexpr unsigned letter_pair(char a, char b) noexcept
    {
        return ((static_cast<unsigned char>(a) & 31u) << 5) | (static_cast<unsigned char>(b) & 31u);
    }
    word_id letter_word(std::uint32_t state) const noexcept { return letter_word_[state]; }
    // letter_word() of every state as 16 bits (no_word is -1 there too; an automaton is built
    // only while every word id fits, see letter_word_max): half the bytes of 32-bit ids, so
    // more of the table stays in the L1 cache.
    const std::int16_t* letter_words() const noexcept { return letter_word_.data(); }
    static constexpr std::size_t letter_word_max = 0x7FFF;   // the largest id it holds

    // True when `word` is an exact word or starts with a registered prefix.
    bool known(std::string_view word) const noexcept;
    // Exact rejections, for callers that reason about many spellings at once: false when no
    // word of `size` bytes starts with `first` and ends with `last` (then find() of such a word
    // is no_word); false when no prefix is shared by a word of three bytes or more whose first
    // three bytes are those at `p` (then for_each_prefix() calls nothing for it).
    bool may_be_word(char first, char last, std::size_t size) const noexcept
    {
        return has_bit(outlines_, outline(first, last, size));
    }
    bool may_have_prefix(const char* p) const noexcept
    {
        return has_bit(trigrams_, trigram(p));
    }
    // False when no word or prefix starts with the byte `c` (then no word starting with it is
    // known()).
    bool may_start(char c) const noexcept
    {
        return has_bit(first_bytes_, static_cast<unsigned char>(c));
    }
    // Calls f(prefix_id) for every registered prefix of `word`, shortest first.
    template <typename F>
    void for_each_prefix(std::string_view word, F&& f) const;

    std::size_t word_count() const noexcept { return words_.size(); }
    std::size_t prefix_count() const noexcept { return prefix_count_; }
    std::string_view word(word_id id) const noexcept { return words_[static_cast<std::size_t>(id)]; }
    std::size_t memory_bytes() const noexcept;

    // Token hashing is on the hot path: whole-word loads, no per-byte loop.
    static std::uint64_t hash(std::string_view s) noexcept
    {
        const char* p = s.data();
        std::size_t n = s.size();
        std::uint64_t h = seed(n);
        if (n <= 8) return mix(h ^ head(p, n));
        while (n > 8) {
            h = mix(h ^ load64(p));
            p += 8;
            n -= 8;
        }
        return mix(h ^ load64(p + n - 8));   // last eight bytes, overlapping
    }
    static std::uint64_t seed(std::size_t n) noexcept
    {
        return 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
    }
    // An exact encoding of up to eight bytes, given their count (overlapping loads).
    static std::uint64_t head(const char* p, std::size_t n) noexcept
    {
        if (n >= 4) return (static_cast<std::uint64_t>(load32(p)) << 32) | load32(p + n - 4);
        if (n == 0) return 0;
        return (static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
               (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8) |
               static_cast<unsigned char>(p[n - 1]);
    }

private:
    static std::uint64_t load64(const char* p) noexcept
    {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    static std::uint32_t load32(const char* p) noexcept
    {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }
    static std::uint64_t mix(std::uint64_t h) noexcept
    {
        h *= 0xc4ceb9fe1a85ec53ull;
        h ^= h >> 32;
        h *= 0xff51afd7ed558ccdull;
        return h ^ (h >> 29);
    }

    // Cheap pre-check on (first byte, last byte, length): most tokens of a message are not
    // words of any lexicon, and this rejects them before hashing.
    static std::size_t outline(std::string_view w) noexcept { return outline(w.front(), w.back(), w.size()); }
    static std::size_t outline(char first, char last, std::size_t size) noexcept
    {
        auto a = static_cast<unsigned char>(first), z = static_cast<unsigned char>(last);
        return ((a * 263u) ^ (z * 31u) ^ (static_cast<unsigned>(size) * 4099u)) & 0xFFFFu;
    }
    bool maybe_word(std::string_view w) const noexcept
    {
        return !w.empty() && may_be_word(w.front(), w.back(), w.size());
    }

    // The first four bytes hashed to 16 bits by one multiply.
    static std::size_t quad(const char* p) noexcept { return (load32(p) * 0x9E3779B1u) >> 16; }
    // The first three bytes (one 16-bit and one 8-bit load) hashed to 16 bits by one multiply.
    static std::size_t trigram(const char* p) noexcept
    {
        std::uint16_t ab;
        std::memcpy(&ab, p, 2);
        const std::uint32_t x = ab | (static_cast<std::uint32_t>(static_cast<unsigned char>(p[2])) << 16);
        return (x * 0x9E3779B1u) >> 16;
    }
    // 16 bytes, so the table stays small enough for the cache. Words of up to eight bytes are
    // identified exactly by (head, size); longer ones are compared in full.
    struct slot {
        std::uint64_t head = 0;
        std::uint32_t size = 0;
        word_id id = no_word;
    };
    struct trie_node {
        std::int32_t first_child = -1;
        std::int32_t next_sibling = -1;
        word_id prefix = no_word;
        char c = 0;
    };
    void grow();
    // The filters below are bit sets over small hashes: bit t is bit t % 64 of word t / 64.
    template <std::size_t N>
    static bool has_bit(const std::array<std::uint64_t, N>& bits, std::size_t t) noexcept
    {
        return (bits[t >> 6] >> (t & 63)) & 1u;
    }
    template <std::size_t N>
    static void set_bit(std::array<std::uint64_t, N>& bits, std::size_t t) noexcept
    {
        bits[t >> 6] |= std::uint64_t{1} << (t & 63);
    }
    void note_first_byte(char c) noexcept
    {
        set_bit(first_bytes_, static_cast<unsigned char>(c));
    }

    std::vector<std::string> words_;
    std::vector<slot> slots_;   // open addressing, power-of-two size
    std::vector<trie_node> trie_;           // node 0 is the root; its children are in root_
    std::array<std::int32_t, 256> root_;    // first byte -> node, for a fast first step
    std::size_t prefix_count_ = 0;
    bool short_prefixes_ = false;                   // a prefix shorter than three bytes exists
    std::array<std::uint64_t, 1024> trigrams_{};    // first three bytes of every prefix (all set
                                                    // when a prefix is shorter than that)
    std::array<std::uint64_t, 1024> quads_{};       // first four bytes of every prefix (of a
                                                    // prefix of three, with any fourth byte)
    std::array<std::uint64_t, 1024> outlines_{};    // outline() of every word
    std::array<std::uint64_t, 4> first_bytes_{};    // first byte of every word and prefix
    std::vector<std::uint16_t> letter_next_;        // state * 32 + (letter & 31) -> state
    std::vector<std::int16_t> letter_word_;         // state -> word id or no_word (-1)
    std::vector<std::uint16_t> letter_pairs_;       // (a & 31) * 32 + (b & 31) -> state
};

template <typename F>
void vocabulary::for_each_prefix(std::string_view word, F&& f) const
{
    // Most tokens share no first four bytes with any prefix (no first three with one of three
    // bytes): one bit test rejects them. (With no prefix no bit is set; with a prefix shorter
    // than three bytes every bit is, and shorter words are walked.)
    if (word.size() >= 4) {
        if (!has_bit(quads_, quad(word.data()))) return;
    } else if (word.size() == 3 ? !may_have_prefix(word.data()) : !short_prefixes_) {
        return;
    }
    std::int32_t node = 0;
    bool first = true;
    for (char c : word) {
        std::int32_t child = first ? root_[static_cast<unsigned char>(c)]
                                   : trie_[static_cast<std::size_t>(node)].first_child;
        first = false;
        while (child >= 0 && trie_[static_cast<std::size_t>(child)].c != c)
            child = trie_[static_cast<std::size_t>(child)].next_sibling;
        if (child < 0) return;
        node = child;
        if (trie_[static_cast<std::size_t>(node)].prefix != no_word)
            f(trie_[static_cast<std::size_t>(node)].prefix);
    }
}

}  // namespace nudgebot::engine
