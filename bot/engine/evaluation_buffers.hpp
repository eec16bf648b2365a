// The per-thread buffers of one analysis (private to bot/engine, see evaluation.hpp): the hit
// list, per-token records for the phrase matcher, stamps that mark what this message has seen,
// and the learned signal's scratch. Reused across messages and analyzers, sized up on demand;
// after warm-up an analysis allocates nothing. Owner: engine.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/compiled.hpp"

namespace nudgebot::engine::eval {

inline constexpr std::uint32_t no_position = 0xFFFFFFFFu;
inline constexpr std::uint32_t negation_reach = 3;      // tokens before a hit that a negator covers
inline constexpr std::size_t max_hits_per_cue = 16;     // for window/ordered/sentence searches
inline constexpr std::size_t search_budget = 2000;      // steps per rule; beyond it the rule stays quiet
inline constexpr std::uint32_t short_message_words = 8;  // @short: at most this many tokens outside quotes
inline constexpr float repeat_factor = 0.5f;   // a rule firing on the very words another did
inline constexpr std::size_t words = analyzer::compiled::cue_mask_words;   // of a cue set

struct hit {
    std::uint32_t cue = 0;
    std::uint32_t first = no_position;   // token range, or no_position for message-wide features
    std::uint32_t last = no_position;
    std::uint32_t term = 0;
};

// The hits of a message: a buffer that only grows (so two of them swap without copying; beyond
// the hits in use it is written only by growing and by a caller of room()).
class hit_list {
public:
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t capacity() const noexcept { return capacity_; }
    hit* data() noexcept { return store_.get(); }
    const hit* data() const noexcept { return store_.get(); }
    hit* begin() noexcept { return data(); }
    hit* end() noexcept { return data() + size_; }
    const hit* begin() const noexcept { return data(); }
    const hit* end() const noexcept { return data() + size_; }
    hit& operator[](std::size_t k) noexcept { return store_[k]; }
    const hit& operator[](std::size_t k) const noexcept { return store_[k]; }
    void clear() noexcept { size_ = 0; }
    // To at most capacity(); hits beyond the old size() must have been written.
    void resize(std::size_t n) noexcept { size_ = n; }
    void push_back(const hit& h)
    {
        if (size_ == capacity_) grow(size_ + 1);
        store_[size_++] = h;
    }
    // Room for `n` more hits, counted in size(): the caller writes them.
    hit* append(std::size_t n)
    {
        if (capacity_ - size_ < n) grow(size_ + n);
        hit* at = data() + size_;
        size_ += n;
        return at;
    }
    // Room for `n` more hits, not counted in size(): the caller may write them, then counts those
    // it keeps with resize().
    hit* room(std::size_t n)
    {
        if (capacity_ - size_ < n) grow(size_ + n);
        return data() + size_;
    }
    // At least `n` hits of room (the contents are kept up to size()).
    void reserve(std::size_t n)
    {
        if (capacity_ < n) grow(n);
    }
    void swap(hit_list& o) noexcept
    {
        std::swap(store_, o.store_);
        std::swap(size_, o.size_);
        std::swap(capacity_, o.capacity_);
    }

private:
    [[gnu::noinline]] void grow(std::size_t n)
    {
        std::size_t cap = std::max<std::size_t>(64, 2 * capacity_);
        while (cap < n) cap *= 2;
        std::unique_ptr<hit[]> bigger(new hit[cap]);
        std::copy(data(), data() + size_, bigger.get());
        store_ = std::move(bigger);
        capacity_ = cap;
    }

    std::unique_ptr<hit[]> store_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// Per-thread buffers reused across messages and analyzers (sized up on demand).
struct scratch {
    normalized_text text;
    // Per token, what it brings to the phrase matcher (see compiled::word_info): a plain known
    // word's record in the compiled set, else one built in `built` (indexed by token) from
    // items and starts written to `items` / `starts`; one more entry, an empty record, ends
    // the list, so the token after the last one continues no phrase.
    std::vector<const analyzer::compiled::word_info*> per_token;
    std::vector<analyzer::compiled::word_info> built;
    std::vector<std::int32_t> items;
    std::vector<const analyzer::compiled::trie_node*> starts;
    // Token indices: the emoji and unknown words, whose record collect_items() builds, and the
    // tokens that end a phrase or start one the next token may continue (most do neither).
    std::vector<std::uint32_t> slow_tokens;
    std::vector<std::uint32_t> phrase_tokens;
    // Unquoted tokens with a word class or all caps: the token index in the low 32 bits, the
    // word's classes above (so add_feature_hits() need not look the word up again).
    std::vector<std::uint64_t> feature_tokens;
    hit_list hits;
    std::vector<std::uint32_t> masked;   // per token, == stamp when masked
    std::vector<std::uint32_t> cue_stamp;
    std::vector<std::uint32_t> cue_first;
    std::vector<std::uint32_t> cue_count;
    std::vector<std::uint32_t> rule_stamp;
    std::vector<std::uint32_t> present;   // distinct present cues (without cue masks)
    // Counting sort of the hits by cue (with cue masks, so cue ids below 64 * words): per cue its
    // count (0 between messages) and next place, and the buffer the hits are moved to.
    std::array<std::uint32_t, 64 * words> bucket_count{};   // per cue (cue_masks only)
    std::array<std::uint32_t, 64 * words> bucket_place{};
    hit_list sorted_hits;
    std::vector<const hit*> chosen;
    learned::scratch learned;   // the learned signal's buffers
    std::uint32_t stamp = 0;

    std::uint32_t next_stamp(std::size_t cues, std::size_t rules, std::size_t tokens)
    {
        if (cue_stamp.size() < cues) {
            cue_stamp.resize(cues, 0);
            cue_first.resize(cues, 0);
            cue_count.resize(cues, 0);
        }
        if (rule_stamp.size() < rules) rule_stamp.resize(rules, 0);
        if (masked.size() < tokens) masked.resize(tokens, 0);
        if (++stamp == 0) {   // wrapped: forget every old mark
            std::fill(cue_stamp.begin(), cue_stamp.end(), 0);
            std::fill(rule_stamp.begin(), rule_stamp.end(), 0);
            std::fill(masked.begin(), masked.end(), 0);
            stamp = 1;
        }
        return stamp;
    }
};

}  // namespace nudgebot::engine::eval
