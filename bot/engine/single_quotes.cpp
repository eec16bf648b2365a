#include "engine/single_quotes.hpp"

#include <cstddef>

#include "engine/quote_marks.hpp"

namespace nudgebot::engine {
namespace {

using quote_marks::mark;

// The length of an opening mark (' or ‘) at i (0: none there).
std::size_t opening_at(std::string_view text, std::size_t i) noexcept
{
    const auto m = quote_marks::mark_at(text, i);
    if (m.what != mark::apostrophe && m.what != mark::left_single) return 0;
    if (i > 0) {
        const auto before = static_cast<unsigned char>(text[i - 1]);
        if (before != ' ' && before != '\t' && before != '\n' && before != '(' && before != '[' && before != ':')
            return 0;
    }
    if (i + m.length >= text.size()) return 0;
    const auto first = static_cast<unsigned char>(text[i + m.length]);
    return quote_marks::ascii_letter(first) || first >= 0x80 ? m.length : 0;
}

// The length of a closing mark (' or ’) at i (0: none there).
std::size_t closing_at(std::string_view text, std::size_t i) noexcept
{
    const auto m = quote_marks::mark_at(text, i);
    if (m.what != mark::apostrophe && m.what != mark::right_single) return 0;
    const auto before = static_cast<unsigned char>(text[i - 1]);
    if (before == ' ' || before == '\t' || before == '\n') return 0;
    return quote_marks::may_end_before(text, i + m.length) ? m.length : 0;
}

}  // namespace

void mark_single_quoted(std::string_view text, std::span<const std::uint32_t> candidates, normalized_text& out) noexcept
{
    if (out.tokens.empty()) return;
    const std::size_t n = text.size();
    std::size_t next_token = 0;
    // The listed candidate bytes, each once.
    quote_marks::candidate_cursor cursor(candidates, n);
    for (std::size_t at = cursor.next(0); at < n;) {
        const std::size_t open = opening_at(text, at);
        if (open == 0) {
            at = cursor.next(at + 1);
            continue;
        }
        std::size_t close_at = 0;
        for (std::size_t j = at + open; j < n && text[j] != '\n'; ++j)
            if (closing_at(text, j) != 0) {
                close_at = j;
                break;
            }
        if (close_at == 0) {
            at = cursor.next(at + open);
            continue;
        }
        while (next_token < out.tokens.size() && out.tokens[next_token].span.begin < at + open) ++next_token;
        for (; next_token < out.tokens.size() && out.tokens[next_token].span.end <= close_at; ++next_token)
            out.tokens[next_token].flags |= token::quoted;
        at = cursor.next(close_at + 1);
    }
}

}  // namespace nudgebot::engine
