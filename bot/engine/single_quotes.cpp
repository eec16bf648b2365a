#include "engine/single_quotes.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace nudgebot::engine {
namespace {

// ‘ is E2 80 98, ’ is E2 80 99.
bool curly(std::string_view text, std::size_t i, unsigned char last) noexcept
{
    return i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xE2 &&
           static_cast<unsigned char>(text[i + 1]) == 0x80 && static_cast<unsigned char>(text[i + 2]) == last;
}

bool ascii_letter(unsigned char c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

// The length of an opening mark at i (0: none there).
std::size_t opening_at(std::string_view text, std::size_t i) noexcept
{
    std::size_t length = 0;
    if (text[i] == '\'') length = 1;
    else if (curly(text, i, 0x98)) length = 3;
    else return 0;
    if (i > 0) {
        const auto before = static_cast<unsigned char>(text[i - 1]);
        if (before != ' ' && before != '\t' && before != '\n' && before != '(' && before != '[' && before != ':')
            return 0;
    }
    if (i + length >= text.size()) return 0;
    const auto first = static_cast<unsigned char>(text[i + length]);
    return ascii_letter(first) || first >= 0x80 ? length : 0;
}

// The length of a closing mark at i (0: none there).
std::size_t closing_at(std::string_view text, std::size_t i) noexcept
{
    std::size_t length = 0;
    if (text[i] == '\'') length = 1;
    else if (curly(text, i, 0x99)) length = 3;
    else return 0;
    const auto before = static_cast<unsigned char>(text[i - 1]);
    if (before == ' ' || before == '\t' || before == '\n') return 0;
    if (i + length == text.size()) return length;
    const auto after = static_cast<unsigned char>(text[i + length]);
    return ascii_letter(after) || digit(after) || after >= 0x80 ? 0 : length;
}

}  // namespace

void mark_single_quoted(std::string_view text, normalized_text& out) noexcept
{
    if (out.tokens.empty()) return;
    const std::size_t n = text.size();
    // The next ' and the next 0xE2 (the lead byte of ‘ and ’) at or after `from`, or n; each is
    // searched again only once passed, so the text is read once however many apostrophes it has.
    const auto find = [&](char c, std::size_t from) {
        const void* hit = from < n ? std::memchr(text.data() + from, c, n - from) : nullptr;
        return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - text.data()) : n;
    };
    std::size_t next_plain = find('\'', 0);
    std::size_t next_curly = find(static_cast<char>(0xE2), 0);
    std::size_t next_token = 0;
    std::size_t i = 0;
    while (true) {
        if (next_plain < i) next_plain = find('\'', i);
        if (next_curly < i) next_curly = find(static_cast<char>(0xE2), i);
        const std::size_t at = std::min(next_plain, next_curly);
        if (at >= n) return;
        const std::size_t open = opening_at(text, at);
        if (open == 0) {
            i = at + 1;
            continue;
        }
        std::size_t close_at = 0;
        for (std::size_t j = at + open; j < n && text[j] != '\n'; ++j)
            if (closing_at(text, j) != 0) {
                close_at = j;
                break;
            }
        if (close_at == 0) {
            i = at + open;
            continue;
        }
        while (next_token < out.tokens.size() && out.tokens[next_token].span.begin < at + open) ++next_token;
        for (; next_token < out.tokens.size() && out.tokens[next_token].span.end <= close_at; ++next_token)
            out.tokens[next_token].flags |= token::quoted;
        i = close_at + 1;
    }
}

}  // namespace nudgebot::engine
