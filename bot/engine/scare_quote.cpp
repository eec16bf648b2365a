#include "engine/scare_quote.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace nudgebot::engine {
namespace {

constexpr std::size_t max_quote_bytes = 48;
constexpr int max_spaces = 3;   // four words

enum class mark { none, single, dbl };

// The quote mark opening at text[i] (and its length), if any.
mark opening_mark(std::string_view text, std::size_t i, std::size_t& length) noexcept
{
    const auto c = static_cast<unsigned char>(text[i]);
    length = 1;
    if (c == '\'') return mark::single;
    if (c == '"') return mark::dbl;
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
        length = 3;
        const auto k = static_cast<unsigned char>(text[i + 2]);
        if (k == 0x98) return mark::single;   // ‘
        if (k == 0x9C) return mark::dbl;      // “
    }
    return mark::none;
}

// Whether a closing mark of kind `m` sits at text[i]; its length in `length`.
bool closes(std::string_view text, std::size_t i, mark m, std::size_t& length) noexcept
{
    const auto c = static_cast<unsigned char>(text[i]);
    length = 1;
    if (m == mark::single && c == '\'') return true;
    if (m == mark::dbl && c == '"') return true;
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
        length = 3;
        const auto k = static_cast<unsigned char>(text[i + 2]);
        return (m == mark::single && k == 0x99) || (m == mark::dbl && k == 0x9D);   // ’ ”
    }
    return false;
}

bool is_letter(unsigned char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool opens_after(unsigned char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '(' || c == '['; }
// After a closing mark: the end, a space or punctuation, never a letter or digit (don't, 90's).
bool ends_before(std::string_view text, std::size_t i) noexcept
{
    if (i >= text.size()) return true;
    const auto c = static_cast<unsigned char>(text[i]);
    return !(is_letter(c) || (c >= '0' && c <= '9') || c >= 0x80);
}

// The first byte at or after `from` that may start a quote mark (' " or the 0xE2 of ‘ “), or
// text.size(). Eight bytes at a time: a byte equal to b makes (x ^ b...) have a zero byte, and
// the lowest flagged byte of the zero-byte test is always a true one.
std::size_t next_mark(std::string_view text, std::size_t from) noexcept
{
    constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const auto zero_bytes = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
    std::size_t i = from;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t v;
        std::memcpy(&v, text.data() + i, 8);
        const std::uint64_t hits = zero_bytes(v ^ (ones * '\'')) | zero_bytes(v ^ (ones * '"')) | zero_bytes(v ^ (ones * 0xE2));
        if (hits != 0 && std::endian::native == std::endian::little)
            return i + static_cast<std::size_t>(std::countr_zero(hits)) / 8;
        if (hits != 0) break;   // big-endian: find it byte by byte below
    }
    for (; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\'' || c == '"' || c == 0xE2) return i;
    }
    return text.size();
}

}  // namespace

std::optional<byte_span> find_scare_quote(std::string_view text) noexcept
{
    for (std::size_t i = next_mark(text, 0); i < text.size(); i = next_mark(text, i + 1)) {
        std::size_t open = 0;
        const mark m = opening_mark(text, i, open);
        if (m == mark::none) continue;
        if (i > 0 && !opens_after(static_cast<unsigned char>(text[i - 1]))) continue;
        const std::size_t first = i + open;
        if (first >= text.size()) break;
        const auto lead = static_cast<unsigned char>(text[first]);
        if (!(lead >= 'a' && lead <= 'z')) continue;
        int spaces = 0;
        for (std::size_t j = first + 1; j < text.size() && j - first <= max_quote_bytes; ++j) {
            const auto c = static_cast<unsigned char>(text[j]);
            if (c == '\n') break;
            if (c == ' ' && ++spaces > max_spaces) break;
            std::size_t close = 0;
            if (!closes(text, j, m, close)) continue;
            const auto before = static_cast<unsigned char>(text[j - 1]);
            if (before == ' ') break;   // a mark after a space opens, it does not close
            if (!ends_before(text, j + close)) continue;   // an apostrophe inside a word
            return byte_span{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j + close)};
        }
    }
    return std::nullopt;
}

}  // namespace nudgebot::engine
