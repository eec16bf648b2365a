// Quote marks in raw message text, shared by quoted speech (single_quotes.cpp) and scare quotes
// (scare_quote.cpp): where the next byte that may start a mark is, which mark sits at a place,
// (listing them once per message), and whether a closing mark ends where one may (before the end of the text, a space or
// punctuation, never before a letter or digit: don't, 90's). What may open a quote differs
// between the two and stays with each. Header-only, pure, no allocation. Owner: engine.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nudgebot::engine::quote_marks {

// The marks: ' and " (each opens and closes), ‘ ’ (E2 80 98 / 99) and “ ” (E2 80 9C / 9D).
enum class mark : std::uint8_t { none, apostrophe, straight_double, left_single, right_single, left_double, right_double };

struct found {
    mark what = mark::none;
    std::uint32_t length = 0;   // bytes of the mark (1 or 3; 0 for none)
};

// The mark at text[i] (i < text.size()).
inline found mark_at(std::string_view text, std::size_t i) noexcept
{
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\'') return {mark::apostrophe, 1};
    if (c == '"') return {mark::straight_double, 1};
    if (c != 0xE2 || i + 2 >= text.size() || static_cast<unsigned char>(text[i + 1]) != 0x80) return {};
    switch (static_cast<unsigned char>(text[i + 2])) {
    case 0x98: return {mark::left_single, 3};
    case 0x99: return {mark::right_single, 3};
    case 0x9C: return {mark::left_double, 3};
    case 0x9D: return {mark::right_double, 3};
    default: return {};
    }
}

inline bool ascii_letter(unsigned char c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

// A closing mark whose last byte is before text[i] may end a quote there: i is the end of the
// text, or text[i] is no ASCII letter, digit or non-ASCII byte (so not don't, 90's, it’s).
inline bool may_end_before(std::string_view text, std::size_t i) noexcept
{
    if (i >= text.size()) return true;
    const auto c = static_cast<unsigned char>(text[i]);
    return !(ascii_letter(c) || digit(c) || c >= 0x80);
}

// The first byte at or after `from` that may start a mark (' " or the E2 of the curly ones), or
// text.size(). Sixteen bytes at a time where the target has SSE2 (the last sixteen of the text
// in one load that overlaps bytes already searched), else eight at a time.
inline std::size_t next_candidate(std::string_view text, std::size_t from) noexcept
{
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = from;
#if defined(__SSE2__)
    if (n >= 16 && i < n) {
        const __m128i apostrophe = _mm_set1_epi8('\'');
        const __m128i straight = _mm_set1_epi8('"');
        const __m128i curly = _mm_set1_epi8(static_cast<char>(0xE2));
        const auto marks_in = [&](std::size_t at) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
            const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, apostrophe), _mm_cmpeq_epi8(v, straight)),
                                             _mm_cmpeq_epi8(v, curly));
            return static_cast<unsigned>(_mm_movemask_epi8(hit));
        };
        for (; i + 16 <= n; i += 16)
            if (const unsigned bits = marks_in(i); bits != 0) return i + static_cast<std::size_t>(std::countr_zero(bits));
        if (i == n) return n;
        const std::size_t last = n - 16;   // i - last is 1..15: those bytes were searched
        const unsigned bits = marks_in(last) & (~0u << (i - last));
        return bits != 0 ? last + static_cast<std::size_t>(std::countr_zero(bits)) : n;
    }
#endif
    if constexpr (std::endian::native == std::endian::little) {
        // A byte equal to b makes (x ^ b...) have a zero byte; the lowest flagged byte of the
        // zero-byte test is always a true one.
        constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        const auto zero_bytes = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
        for (; i + 8 <= n; i += 8) {
            std::uint64_t v;
            std::memcpy(&v, p + i, 8);
            const std::uint64_t hits =
                zero_bytes(v ^ (ones * '\'')) | zero_bytes(v ^ (ones * '"')) | zero_bytes(v ^ (ones * 0xE2));
            if (hits != 0) return i + static_cast<std::size_t>(std::countr_zero(hits)) / 8;
        }
    }
    for (; i < n; ++i)
        if (p[i] == '\'' || p[i] == '"' || p[i] == 0xE2) return i;
    return n;
}

// Every byte of the text next_candidate() stops at, in order (`out` is cleared first): one pass
// over the text serves each search that follows (candidate_cursor).
inline void list_candidates(std::string_view text, std::vector<std::uint32_t>& out)
{
    out.clear();
    for (std::size_t i = next_candidate(text, 0); i < text.size(); i = next_candidate(text, i + 1))
        out.push_back(static_cast<std::uint32_t>(i));
}

// next_candidate() over a text whose candidates were listed (list_candidates()): the same
// answers, for `from` that never decreases, without reading the text again.
class candidate_cursor {
public:
    candidate_cursor(std::span<const std::uint32_t> list, std::size_t text_size) noexcept
        : list_(list), end_(text_size)
    {}
    std::size_t next(std::size_t from) noexcept
    {
        while (at_ < list_.size() && list_[at_] < from) ++at_;
        return at_ < list_.size() ? list_[at_] : end_;
    }

private:
    std::span<const std::uint32_t> list_;
    std::size_t end_;
    std::size_t at_ = 0;
};

}  // namespace nudgebot::engine::quote_marks
