// The learned second signal: a linear model per reported category (conflict, distress, crisis)
// over hashed word n-grams of the normalised message, read from rules/<lang>/learned.json
// (rules/README.md "The learned signal").
//
// Contract:
// - Features: every n-gram of 1..order (order 1-3, from the file) consecutive tokens of a
//   normalized_text that are all outside quotes (token::quoted), emoji included; a quoted token
//   breaks the run. Keys are 64-bit hashes of the token texts in order (ngram_key(); for_each_ngram()
//   computes the same keys incrementally), so the training verb (`nudgebot rules learn`, through
//   analyzer::ngrams()) and the analyzer compute identical keys from the same normaliser and
//   vocabulary. A token whose text holds a space cannot be written in the file (n-grams are token
//   texts joined by one space); its n-grams count in N but never match.
// - Score: N = number of n-gram occurrences in the message (with the file's "count": "known", the
//   number of distinct n-grams of the message that the model has); per category
//   z = bias + (sum of the weights of the distinct n-grams present) / sqrt(N + 1), each n-gram
//   counted once however often it occurs (presence features, as trained).
// - read() is for start-up / reload: it validates the file through core::json_document and
//   reports every mistake as `file:line:col: error: ...`; it returns false on any error.
// - evaluate() is const, thread-safe (each thread passes its own scratch) and allocates nothing
//   once the scratch is warm; its work is linear in the tokens.
// - The look-up table is built once by read(): open addressing with linear probing over a power
//   of two of slots, each a 64-bit key (0 = empty) with its three weights side by side, so one
//   probe gives all three; a bit array of the keys' bits turns most absent n-grams away first.
//   Owner: engine.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "engine/analysis.hpp"
#include "engine/normalizer.hpp"
#include "engine/vocabulary.hpp"

namespace nudgebot::engine {

struct pack_source;

namespace learned {

inline constexpr unsigned max_order = 3;
inline constexpr unsigned default_order = 2;

namespace detail {
inline std::uint64_t mix(std::uint64_t x) noexcept
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ull;
    x ^= x >> 32;
    return x;
}
inline std::uint64_t load64(const char* p) noexcept
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
}  // namespace detail

// Hash of one token text: its bytes in 8-byte words, the last one zero-padded, mixed in turn.
// `end` bounds the memory that may be read: when 8 bytes from the last word's start lie before
// it, they are read at once and the bytes beyond the text masked off (the same value, without a
// branch on the length); token_hash(text) reads exactly the text.
inline std::uint64_t token_hash(const char* p, std::size_t n, const char* end) noexcept
{
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    for (; n > 8; p += 8, n -= 8) h = detail::mix(h ^ detail::load64(p)) * 0x9e3779b97f4a7c15ull;
    std::uint64_t last = 0;
    if (std::endian::native == std::endian::little && end - p >= 8)
        last = detail::load64(p) & (n == 0 ? 0 : ~std::uint64_t{0} >> (64 - 8 * n));
    else
        std::memcpy(&last, p, n);
    return detail::mix(h ^ last);
}
inline std::uint64_t token_hash(std::string_view text) noexcept
{
    return token_hash(text.data(), text.size(), text.data() + text.size());
}
// The key of the n-gram `prefix` (the key of the tokens before, or ngram_seed for none) extended by
// a token with hash `token`.
inline constexpr std::uint64_t ngram_seed = 0x6a09e667f3bcc908ull;
inline std::uint64_t extend_key(std::uint64_t prefix, std::uint64_t token) noexcept
{
    std::uint64_t x = (prefix ^ (prefix >> 29)) * 0xbf58476d1ce4e5b9ull + token;
    x ^= x >> 32;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 29;
    return x;
}
// The key of an n-gram written as token texts joined by one space ("goodbye everyone").
std::uint64_t ngram_key(std::string_view ngram) noexcept;

// Calls f(key, first_token, last_token) for every n-gram of up to `order` consecutive unquoted
// tokens of `text`, in token order (for each last token, the unigram first, then the longer
// ones). Returns the number of n-grams (N).
template <class F>
std::uint32_t for_each_ngram(const normalized_text& text, unsigned order, F&& f)
{
    std::uint32_t n = 0;
    std::uint32_t run = 0;   // unquoted tokens in a row ending before this one
    std::uint64_t prev1 = 0, prev2 = 0;   // keys of the uni- and bigram ending at the last token
    const auto& toks = text.tokens;
    const char* end = text.chars.data() + text.chars.size();
    for (std::uint32_t i = 0; i < toks.size(); ++i) {
        const auto& t = toks[i];
        if (t.has(token::quoted)) {
            run = 0;
            continue;
        }
        // The token's text (as text.text(t), without substr()'s range check: token texts lie
        // within chars).
        const std::uint64_t h = token_hash(text.chars.data() + t.text_begin, t.text_size, end);
        const std::uint64_t uni = extend_key(ngram_seed, h);
        f(uni, i, i);
        ++n;
        std::uint64_t bi = 0;
        if (order >= 2 && run >= 1) {
            bi = extend_key(prev1, h);
            f(bi, i - 1, i);
            ++n;
            if (order >= 3 && run >= 2) {
                f(extend_key(prev2, h), i - 2, i);
                ++n;
            }
        }
        prev2 = bi;
        prev1 = uni;
        ++run;
    }
    return n;
}

// The combination parameters of one category (rules/README.md "The learned signal").
struct category_params {
    bool defined = false;   // the category is in the file's "categories"
    double bias = 0;
    double scale = 1.0;
    double offset = 0.0;
    double min_effect = 0.3;
    double max_effect = 4.0;
    bool damp = false;
    bool yield_to_modifiers = false;   // a modifier that lowered the category keeps it from raising it
    std::string label;        // for a positive cue
    std::string damp_label;   // for a damping cue
    std::string rule_id;      // "learned.<category>"
};

// What the learned signal computes from the text of one vocabulary word, worked out once
// (model::index_words()), so that evaluate() takes it from here for a token with a word id.
struct word_keys {
    std::uint64_t hash = 0;      // token_hash() of the word's text
    std::uint64_t unigram = 0;   // the key of the word alone: extend_key(ngram_seed, hash)
    std::uint64_t present = 0;   // 1 when that unigram is in the model
};

// A matched n-gram of a message.
struct match {
    std::uint32_t entry = 0;   // its slot in the model's table
    std::uint32_t first = 0;   // token range
    std::uint32_t last = 0;
};

// Per-thread buffers of evaluate(), reused across messages and models.
struct scratch {
    // The table slots (+ 1) counted in this message: a small open-addressing set sized to the
    // message (so it stays in the L1 cache), cleared per message.
    std::vector<std::uint32_t> counted;
    // The distinct n-grams of the message found in the model: the first `matched` entries
    // (sized for every n-gram of the longest message yet, written without a check per entry).
    std::vector<match> matches;
    std::uint32_t matched = 0;
    // The n-grams the filter lets through: their keys, and their tokens as first << 2 |
    // (last - first) (an n-gram has at most three tokens; a message far fewer than 2^30).
    std::vector<std::uint64_t> keys;
    std::vector<std::uint32_t> places;
};

// What the model says about one message.
struct result {
    std::uint32_t ngrams = 0;                                  // N
    std::array<float, reported_category_count> z{};            // model logit per category
    std::array<float, reported_category_count> effect{};       // clamp(scale (z - offset)), 0 when undefined
};

class model {
public:
    // Reads and validates learned.json. On any error reports it and returns false (the model is
    // then empty). A category whose `scored` entry is false (no entry in scoring.json) is an error.
    bool read(const pack_source& source, core::diagnostics& diags,
              std::array<bool, reported_category_count> scored = {true, true, true});

    bool empty() const noexcept { return size_ == 0; }   // no n-gram: no signal
    unsigned order() const noexcept { return order_; }
    bool counts_known_only() const noexcept { return count_known_; }   // "count": "known"
    std::size_t size() const noexcept { return size_; }   // n-grams
    std::size_t memory_bytes() const noexcept;
    const category_params& params(category c) const noexcept
    {
        return params_[static_cast<std::size_t>(c)];
    }
    const std::string& file_name() const noexcept { return file_; }

    // The three weights of `key`, or nullptr when the n-gram is not in the model.
    const float* find(std::uint64_t key) const noexcept
    {
        if (slots_.empty()) return nullptr;
        const std::uint32_t at = probe(key);
        return at == no_entry ? nullptr : slots_[at].weights.data();
    }

    // Per word id of `vocab`, the keys of that word (see word_keys).
    std::vector<word_keys> index_words(const vocabulary& vocab) const;

    // Scores a normalised message (the model must not be empty); leaves its distinct matched
    // n-grams in s.matches (the first s.matched) for strongest(). `words`: index_words() of the
    // vocabulary the text was normalised with, or empty; a token with a word id is not hashed
    // again then (a token's word id is that of its text, so the keys are the ones
    // for_each_ngram() computes).
    void evaluate(const normalized_text& text, scratch& s, result& out, std::span<const word_keys> words = {}) const;

    // The span of the matched n-gram (s.matches) with the largest weight for `c` (the most negative one
    // when !positive), joined with the second when that weighs at least half as much; false when
    // no matched n-gram weighs that way.
    bool strongest(const normalized_text& text, const scratch& s, category c, bool positive,
                   byte_span& span) const noexcept;

private:
    static constexpr std::uint32_t no_entry = 0xFFFFFFFFu;
    // A slot holds the key's top 32 bits with the lowest of them set (so 0 marks an empty slot);
    // the key's low bits chose the slot, so together about 46 bits of the key tell n-grams
    // apart. An absent n-gram that passes the filter takes another's weights with a chance of
    // about 2^-31 per slot it probes (read() refuses two n-grams of the file that would share one).
    static std::uint32_t slot_tag(std::uint64_t key) noexcept
    {
        return static_cast<std::uint32_t>(key >> 32) | 1u;
    }
    // Many n-grams of a message are not in the model: a blocked filter turns most of those away
    // before the table is touched. A key's top bits pick one 64-bit word of it and two of its
    // middle bits two bits in that word (16 filter bits per n-gram, so about one absent n-gram in
    // 90 passes), so one load tells. 1 when `key` may be there.
    static std::uint64_t filter_bits(std::uint64_t key) noexcept
    {
        return (std::uint64_t{1} << ((key >> 24) & 63)) | (std::uint64_t{1} << ((key >> 30) & 63));
    }
    static std::uint32_t may_have(const std::uint64_t* filter, unsigned shift, std::uint64_t key) noexcept
    {
        const std::uint64_t bits = filter_bits(key);
        return static_cast<std::uint32_t>((filter[key >> shift] & bits) == bits);
    }
    std::uint32_t may_have(std::uint64_t key) const noexcept { return may_have(filter_.data(), filter_shift_, key); }
    std::uint32_t probe(std::uint64_t key) const noexcept
    {
        if (may_have(key) == 0) return no_entry;
        return probe_table(key);
    }
    std::uint32_t probe_table(std::uint64_t key) const noexcept
    {
        const std::uint32_t tag = slot_tag(key);
        const slot* slots = slots_.data();
        for (std::size_t at = key & mask_;; at = (at + 1) & mask_) {
            const std::uint32_t t = slots[at].tag;
            if (t == tag) return static_cast<std::uint32_t>(at);
            if (t == 0) return no_entry;
        }
    }

    bool insert(std::uint64_t key, const std::array<float, reported_category_count>& weights);

    std::string file_;
    unsigned order_ = default_order;
    bool count_known_ = false;   // N counts only the distinct n-grams found in the model
    std::array<category_params, reported_category_count> params_{};
    // The key's tag and its weights together in 16 aligned bytes: a hit costs one cache line
    // (a separate index and weight array cost two more misses per hit, 10 % of the analyzer's
    // time on dev.jsonl; 24-byte slots with the whole key straddled two lines one time in four).
    struct alignas(16) slot {
        std::uint32_t tag = 0;   // slot_tag(key); 0 = empty
        std::array<float, reported_category_count> weights{};   // conflict, distress, crisis
    };
    static_assert(sizeof(slot) == 16);
    std::vector<slot> slots_;            // a power of two, at most half full
    std::size_t size_ = 0;               // n-grams
    std::size_t mask_ = 0;
    std::vector<std::uint64_t> filter_;  // filter_bits(key) set in word key >> filter_shift_, for every key
    unsigned filter_shift_ = 58;         // 64 - log2(filter_.size())
};

}  // namespace learned
}  // namespace nudgebot::engine
