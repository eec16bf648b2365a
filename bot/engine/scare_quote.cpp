#include "engine/scare_quote.hpp"

#include <cstddef>
#include <cstdint>

#include "engine/quote_marks.hpp"

namespace nudgebot::engine {
namespace {

using quote_marks::mark;

constexpr std::size_t max_quote_bytes = 48;
constexpr int max_spaces = 3;   // four words

enum class kind { none, single, dbl };

// The kind of quote a mark opens here (' and ‘ single, " and “ double).
kind opened_by(mark m) noexcept
{
    if (m == mark::apostrophe || m == mark::left_single) return kind::single;
    if (m == mark::straight_double || m == mark::left_double) return kind::dbl;
    return kind::none;
}

// Whether mark m closes a quote of kind k (' or ’ a single one, " or ” a double one).
bool closes(mark m, kind k) noexcept
{
    if (k == kind::single) return m == mark::apostrophe || m == mark::right_single;
    return m == mark::straight_double || m == mark::right_double;
}

bool opens_after(unsigned char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '(' || c == '['; }

// The first scare quote, visiting the bytes that may start a mark as next(from) gives them.
template <class Next>
std::optional<byte_span> first_scare_quote(std::string_view text, Next&& next) noexcept
{
    for (std::size_t i = next(0); i < text.size(); i = next(i + 1)) {
        const auto open = quote_marks::mark_at(text, i);
        const kind k = opened_by(open.what);
        if (k == kind::none) continue;
        if (i > 0 && !opens_after(static_cast<unsigned char>(text[i - 1]))) continue;
        const std::size_t first = i + open.length;
        if (first >= text.size()) break;
        const auto lead = static_cast<unsigned char>(text[first]);
        if (!(lead >= 'a' && lead <= 'z')) continue;
        int spaces = 0;
        for (std::size_t j = first + 1; j < text.size() && j - first <= max_quote_bytes; ++j) {
            const auto c = static_cast<unsigned char>(text[j]);
            if (c == '\n') break;
            if (c == ' ' && ++spaces > max_spaces) break;
            const auto close = quote_marks::mark_at(text, j);
            if (!closes(close.what, k)) continue;
            const auto before = static_cast<unsigned char>(text[j - 1]);
            if (before == ' ') break;   // a mark after a space opens, it does not close
            if (!quote_marks::may_end_before(text, j + close.length)) continue;   // an apostrophe inside a word
            return byte_span{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j + close.length)};
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<byte_span> find_scare_quote(std::string_view text) noexcept
{
    return first_scare_quote(text, [&](std::size_t from) { return quote_marks::next_candidate(text, from); });
}

std::optional<byte_span> find_scare_quote(std::string_view text, std::span<const std::uint32_t> candidates) noexcept
{
    quote_marks::candidate_cursor cursor(candidates, text.size());
    return first_scare_quote(text, [&](std::size_t from) { return cursor.next(from); });
}

}  // namespace nudgebot::engine
