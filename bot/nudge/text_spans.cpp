#include "nudge/text_spans.hpp"

#include <algorithm>
#include <array>

namespace nudgebot::nudge {

namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_word(char c) noexcept
{
    auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '_' || u >= 0x80;
}
bool starts_with(std::string_view text, std::size_t at, std::string_view prefix) noexcept
{
    if (text.size() - at < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[at + i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}
// A word starts here: the text start or a byte that cannot be part of a word before it.
bool word_start(std::string_view text, std::size_t at) noexcept
{
    return at == 0 || (!is_word(text[at - 1]) && text[at - 1] != '@' && text[at - 1] != '/' && text[at - 1] != '.');
}

// The end of the protected span starting at `i`, or `i` when none starts there.
std::size_t protected_end(std::string_view text, std::size_t i) noexcept
{
    const std::size_t n = text.size();
    const char c = text[i];
    if (c == '`') {
        if (starts_with(text, i, "```")) {
            auto close = text.find("```", i + 3);
            return close == std::string_view::npos ? n : close + 3;
        }
        auto close = text.find('`', i + 1);
        auto line = text.find('\n', i + 1);
        if (close == std::string_view::npos || (line != std::string_view::npos && line < close)) return i;
        return close + 1;
    }
    if (c == '<' && i + 1 < n) {
        const char k = text[i + 1];
        const bool platform_form = k == '@' || k == '#' || k == '!' || starts_with(text, i + 1, "http") ||
                                   starts_with(text, i + 1, "mailto:");
        if (platform_form) {
            auto close = text.find('>', i + 1);
            if (close != std::string_view::npos && close - i <= 512 &&
                std::none_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(close),
                             [](char ch) { return ch == ' ' || ch == '\n'; }))
                return close + 1;
        }
        return i;
    }
    if (!word_start(text, i)) return i;
    if (starts_with(text, i, "http://") || starts_with(text, i, "https://") || starts_with(text, i, "www.")) {
        std::size_t j = i;
        while (j < n && !is_space(text[j]) && text[j] != '>' && text[j] != '"') ++j;
        // Sentence punctuation right after a link is not part of it.
        while (j > i && (text[j - 1] == '.' || text[j - 1] == ',' || text[j - 1] == '!' || text[j - 1] == '?' ||
                         text[j - 1] == ':' || text[j - 1] == ';' || (text[j - 1] == ')' && text.find('(', i) >= j)))
            --j;
        return j;
    }
    if ((c == '@' || c == '#') && i + 1 < n && is_word(text[i + 1])) {
        std::size_t j = i + 1;
        while (j < n && (is_word(text[j]) || text[j] == '-' || text[j] == '.' || text[j] == '/')) ++j;
        while (j > i + 1 && (text[j - 1] == '.' || text[j - 1] == '-' || text[j - 1] == '/')) --j;
        return j;
    }
    return i;
}

bool ends_sentence(std::string_view text, std::size_t i) noexcept
{
    const char c = text[i];
    if (c == '\n') return true;
    if (c != '.' && c != '!' && c != '?') return false;
    return i + 1 == text.size() || is_space(text[i + 1]) || text[i + 1] == '"' || text[i + 1] == ')';
}

bool ends_clause(std::string_view text, std::size_t i) noexcept
{
    if (ends_sentence(text, i)) return true;
    const char c = text[i];
    if ((c == ',' || c == ';' || c == ':') && (i + 1 == text.size() || is_space(text[i + 1]))) return true;
    // " - " and " — " (U+2014, 3 bytes ending at i)
    if (c == '-' && i > 0 && text[i - 1] == ' ' && i + 1 < text.size() && text[i + 1] == ' ') return true;
    if (static_cast<unsigned char>(c) == 0x94 && i >= 2 && static_cast<unsigned char>(text[i - 2]) == 0xE2 &&
        static_cast<unsigned char>(text[i - 1]) == 0x80)
        return true;
    return false;
}

// The bytes a sentence or clause can end at (. ! ? , ; : - a line break, and the last byte of "—").
constexpr auto may_end_piece = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view(".!?,;:-\n")) t[c] = true;
    t[0x94] = true;
    return t;
}();

template <class Ends>
std::vector<engine::byte_span> pieces(std::string_view text, const std::vector<kept_span>& kept, Ends ends)
{
    std::vector<engine::byte_span> out;
    std::size_t k = 0, begin = 0, i = 0;
    while (i < text.size()) {
        if (k < kept.size() && kept[k].span.begin == i) {
            i = kept[k++].span.end;
            continue;
        }
        if (may_end_piece[static_cast<unsigned char>(text[i])] && ends(text, i)) {
            std::size_t j = i + 1;
            // A run of closing punctuation stays with its sentence ("?!", "...", '."').
            while (j < text.size() && (text[j] == '.' || text[j] == '!' || text[j] == '?' || text[j] == '"' ||
                                       text[j] == ')'))
                ++j;
            out.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(j)});
            begin = i = j;
            continue;
        }
        ++i;
    }
    if (begin < text.size()) out.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(text.size())});
    return out;
}

// The bytes a protected span can start with: ` < @ # and the h / w of http:// and www.
constexpr auto can_start_span = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view("`<@#hHwW")) t[c] = true;
    return t;
}();

}  // namespace

std::vector<kept_span> protected_spans(std::string_view text)
{
    std::vector<kept_span> out;
    for (std::size_t i = 0; i < text.size();) {
        // Only these bytes can start a protected span; everything else is passed over at once.
        if (!can_start_span[static_cast<unsigned char>(text[i])]) {
            ++i;
            continue;
        }
        auto end = protected_end(text, i);
        if (end == i) {
            ++i;
            continue;
        }
        kept_kind kind = text[i] == '`'                                            ? kept_kind::code
                         : text[i] == '@' || text[i] == '#'                        ? kept_kind::mention
                         : text[i] == '<' && i + 1 < text.size() && (text[i + 1] == '@' || text[i + 1] == '#' ||
                                                                     text[i + 1] == '!')
                             ? kept_kind::mention
                             : kept_kind::link;
        out.push_back({{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(end)}, kind});
        i = end;
    }
    return out;
}

std::vector<std::string_view> protected_texts(std::string_view text)
{
    std::vector<std::string_view> out;
    for (const auto& k : protected_spans(text)) out.push_back(text.substr(k.span.begin, k.span.end - k.span.begin));
    return out;
}

bool keeps_protected(std::string_view original, std::string_view rewrite)
{
    auto wanted = protected_texts(original);
    auto have = protected_texts(rewrite);
    std::sort(wanted.begin(), wanted.end());
    std::sort(have.begin(), have.end());
    return std::includes(have.begin(), have.end(), wanted.begin(), wanted.end());
}

std::vector<engine::byte_span> sentences(std::string_view text)
{
    return sentences(text, protected_spans(text));
}
std::vector<engine::byte_span> clauses(std::string_view text) { return clauses(text, protected_spans(text)); }
std::vector<engine::byte_span> sentences(std::string_view text, const std::vector<kept_span>& kept)
{
    return pieces(text, kept, [](std::string_view t, std::size_t i) { return ends_sentence(t, i); });
}
std::vector<engine::byte_span> clauses(std::string_view text, const std::vector<kept_span>& kept)
{
    return pieces(text, kept, [](std::string_view t, std::size_t i) { return ends_clause(t, i); });
}

bool overlaps(engine::byte_span a, engine::byte_span b) noexcept { return a.begin < b.end && b.begin < a.end; }

}  // namespace nudgebot::nudge
