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
// - Score: N = number of n-gram occurrences in the message; per category
//   z = bias + (sum of the weights of the distinct n-grams present) / sqrt(N + 1), each n-gram
//   counted once however often it occurs (presence features, as trained).
// - read() is for start-up / reload: it validates the file through core::json_document and
//   reports every mistake as `file:line:col: error: ...`; it returns false on any error.
// - evaluate() is const, thread-safe, never throws and allocates nothing once the caller's
//   scratch vector is warm; its work is linear in the tokens (plus sorting the matched n-grams).
// - The look-up table is built once by read(): open addressing with linear probing over a power
//   of two of 64-bit keys (0 = empty), each with the index of its three weights, which lie side
//   by side. Owner: engine.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "engine/analysis.hpp"
#include "engine/normalizer.hpp"

namespace nudgebot::engine {

struct pack_source;

namespace learned {

inline constexpr unsigned max_order = 3;
inline constexpr unsigned default_order = 2;

// Hash of one token text.
std::uint64_t token_hash(std::string_view text) noexcept;
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
    for (std::uint32_t i = 0; i < toks.size(); ++i) {
        const auto& t = toks[i];
        if (t.has(token::quoted)) {
            run = 0;
            continue;
        }
        const std::uint64_t h = token_hash(text.text(t));
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
    std::string label;        // for a positive cue
    std::string damp_label;   // for a damping cue
    std::string rule_id;      // "learned.<category>"
};

// A matched n-gram of a message (scratch for evaluate()).
struct match {
    std::uint32_t entry = 0;   // weight index
    std::uint32_t first = 0;   // token range
    std::uint32_t last = 0;
};

// What the model says about one message.
struct result {
    std::uint32_t ngrams = 0;                                  // N
    std::uint32_t matched = 0;                                 // distinct n-grams found in the model
    std::array<float, reported_category_count> z{};            // model logit per category
    std::array<float, reported_category_count> effect{};       // clamp(scale (z - offset)), 0 when undefined
    std::array<byte_span, reported_category_count> positive{}; // span of the strongest positive n-gram(s)
    std::array<byte_span, reported_category_count> negative{}; // span of the strongest negative n-gram(s)
    std::array<bool, reported_category_count> has_positive{};
    std::array<bool, reported_category_count> has_negative{};
};

class model {
public:
    // Reads and validates learned.json. On any error reports it and returns false (the model is
    // then empty). A category whose `scored` entry is false (no entry in scoring.json) is an error.
    bool read(const pack_source& source, core::diagnostics& diags,
              std::array<bool, reported_category_count> scored = {true, true, true});

    bool empty() const noexcept { return weights_.empty(); }   // no n-gram: no signal
    unsigned order() const noexcept { return order_; }
    std::size_t size() const noexcept { return weights_.size() / reported_category_count; }   // n-grams
    std::size_t memory_bytes() const noexcept;
    const category_params& params(category c) const noexcept
    {
        return params_[static_cast<std::size_t>(c)];
    }
    const std::string& file_name() const noexcept { return file_; }

    // The three weights of `key`, or nullptr when the n-gram is not in the model.
    const float* find(std::uint64_t key) const noexcept
    {
        if (keys_.empty()) return nullptr;
        key = key != 0 ? key : 1;
        for (std::size_t slot = key & mask_;; slot = (slot + 1) & mask_) {
            const std::uint64_t k = keys_[slot];
            if (k == key) return weights_.data() + std::size_t{index_[slot]} * reported_category_count;
            if (k == 0) return nullptr;
        }
    }

    // Scores a normalised message; `scratch` is reused.
    void evaluate(const normalized_text& text, std::vector<match>& scratch, result& out) const;

private:
    bool insert(std::uint64_t key, std::uint32_t index);

    std::string file_;
    unsigned order_ = default_order;
    std::array<category_params, reported_category_count> params_{};
    std::vector<std::uint64_t> keys_;    // power of two; 0 = empty slot
    std::vector<std::uint32_t> index_;   // per slot, the n-gram's weight index
    std::vector<float> weights_;         // per n-gram: conflict, distress, crisis
    std::size_t mask_ = 0;
};

}  // namespace learned
}  // namespace nudgebot::engine
