// The normaliser's character tables: byte classes, ASCII lower-casing, the bytes that end a plain
// word, leet readings (the letters a digit or symbol can stand for), look-alike letters folded
// to Latin ones, invisible and emoji code points, and a strict UTF-8 decoder. Shared by the
// scan (normalizer.cpp) and word folding (word_folding.cpp); everything here is constexpr or a
// small inline function. Owner: engine.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nudgebot::engine::chars {

enum ascii_class : std::uint8_t {
    c_sep,      // space, most punctuation, control bytes, NUL
    c_upper,
    c_lower,
    c_digit,
    c_apos,     // '
    c_leet,     // @ $ * ! | + : may stand for letters inside a word
    c_dquote,   // "
    c_tick,     // `
    c_dot,      // .
    c_qmark,    // ?
    c_newline,  // \n
    c_gt,       // >
    c_lt,       // <
    c_space,    // ' ' \t \r
};

constexpr std::array<std::uint8_t, 128> make_ascii_table()
{
    std::array<std::uint8_t, 128> t{};
    for (auto& x : t) x = c_sep;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = c_lower;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = c_upper;
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = c_digit;
    t['\''] = c_apos;
    for (char c : {'@', '$', '*', '!', '|', '+'}) t[static_cast<std::size_t>(c)] = c_leet;
    t['"'] = c_dquote;
    t['`'] = c_tick;
    t['.'] = c_dot;
    t['?'] = c_qmark;
    t['\n'] = c_newline;
    t['>'] = c_gt;
    t['<'] = c_lt;
    t[' '] = c_space;
    t['\t'] = c_space;
    t['\r'] = c_space;
    return t;
}
inline constexpr auto ascii_table = make_ascii_table();

// ASCII letters lower-cased; 0 for every other byte.
constexpr std::array<std::uint8_t, 256> make_ascii_letter_lower()
{
    std::array<std::uint8_t, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c);
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c | 0x20);
    return t;
}
inline constexpr auto ascii_letter_lower = make_ascii_letter_lower();

// Bytes after a word of ASCII letters that end it before anything else happens (see
// the normaliser's plain-word loop): every ASCII byte but letters, digits, `'` and the leet symbols.
constexpr std::array<bool, 256> make_ends_plain_word()
{
    std::array<bool, 256> t{};
    for (std::size_t c = 0; c < 128; ++c) {
        auto k = ascii_table[c];
        t[c] = k != c_lower && k != c_upper && k != c_digit && k != c_apos && k != c_leet;
    }
    return t;
}
inline constexpr auto ends_plain_word = make_ends_plain_word();

inline bool ends_sentence(unsigned c) noexcept { return c == '.' || c == '?' || c == '!'; }

inline std::uint8_t klass(unsigned char c) noexcept
{
    return c < 128 ? ascii_table[c] : static_cast<std::uint8_t>(c_sep);
}
inline bool is_alnum(unsigned char c) noexcept
{
    auto k = klass(c);
    return k == c_lower || k == c_upper || k == c_digit;
}

// The letters a digit or symbol can stand for in a leet spelling ("" for other bytes).
constexpr std::array<std::string_view, 256> make_leet_readings()
{
    std::array<std::string_view, 256> t{};
    t['0'] = "o";
    t['1'] = "il";
    t['3'] = "e";
    t['4'] = "a";
    t['5'] = "s";
    t['7'] = "t";
    t['8'] = "b";
    t['9'] = "g";
    t['@'] = "a";
    t['$'] = "s";
    t['!'] = "i";
    t['|'] = "li";
    t['+'] = "t";
    t['*'] = "aeiou";
    return t;
}
inline constexpr auto leet_readings = make_leet_readings();

struct fold_pair {
    char32_t from;
    char32_t to;
};
// Look-alikes after case folding. Sorted by `from`. Written for this project: common Cyrillic and
// Greek letters that render like Latin ones, IPA/small-capital letters used to dodge filters.
inline constexpr fold_pair confusables[] = {
    {0x0131, 'i'}, {0x01C0, 'l'}, {0x0251, 'a'}, {0x0261, 'g'}, {0x0262, 'g'}, {0x0269, 'i'},
    {0x026A, 'i'}, {0x0274, 'n'}, {0x0280, 'r'}, {0x028F, 'y'}, {0x0299, 'b'}, {0x029C, 'h'},
    {0x029F, 'l'}, {0x03B1, 'a'}, {0x03B2, 'b'}, {0x03B3, 'y'}, {0x03B5, 'e'}, {0x03B6, 'z'},
    {0x03B7, 'n'}, {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BC, 'm'}, {0x03BD, 'v'}, {0x03BF, 'o'},
    {0x03C1, 'p'}, {0x03C2, 's'}, {0x03C4, 't'}, {0x03C5, 'u'}, {0x03C7, 'x'}, {0x03C9, 'w'},
    {0x0430, 'a'}, {0x0432, 'b'}, {0x0435, 'e'}, {0x043A, 'k'}, {0x043C, 'm'}, {0x043D, 'h'},
    {0x043E, 'o'}, {0x043F, 'n'}, {0x0440, 'p'}, {0x0441, 'c'}, {0x0442, 't'}, {0x0443, 'y'},
    {0x0445, 'x'}, {0x044C, 'b'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04AF, 'y'},
    {0x04BB, 'h'}, {0x04CF, 'l'}, {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'}, {0x1D00, 'a'},
    {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'}, {0x1D0A, 'j'}, {0x1D0B, 'k'}, {0x1D0D, 'm'},
    {0x1D0F, 'o'}, {0x1D18, 'p'}, {0x1D1B, 't'}, {0x1D1C, 'u'}, {0x1D20, 'v'}, {0x1D21, 'w'},
    {0x1D22, 'z'}, {0xA730, 'f'}, {0xA731, 's'},
};

inline bool is_invisible(char32_t c) noexcept
{
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF ||
           c == 0x00AD || c == 0x034F || c == 0x180E || (c >= 0xFE00 && c <= 0xFE0F) ||
           (c >= 0xE0100 && c <= 0xE01EF) || (c >= 0x1F3FB && c <= 0x1F3FF) ||
           (c >= 0xE0000 && c <= 0xE007F);
}

inline bool is_emoji(char32_t c) noexcept
{
    return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF) ||
           (c >= 0x2300 && c <= 0x23FF) || (c >= 0x2B00 && c <= 0x2BFF) || c == 0x3030 ||
           c == 0x303D || c == 0x3297 || c == 0x3299;
}

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 when the bytes are invalid
// (overlong, surrogate, out of range, truncated).
inline std::size_t decode(std::string_view s, std::size_t i, char32_t& out) noexcept
{
    auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t n;
    char32_t cp;
    if (b0 >= 0xC2 && b0 <= 0xDF) { n = 2; cp = b0 & 0x1F; }
    else if (b0 >= 0xE0 && b0 <= 0xEF) { n = 3; cp = b0 & 0x0F; }
    else if (b0 >= 0xF0 && b0 <= 0xF4) { n = 4; cp = b0 & 0x07; }
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    out = cp;
    return n;
}

inline bool starts_with_ci(std::string_view s, std::size_t i, std::string_view prefix) noexcept
{
    if (s.size() - i < prefix.size()) return false;
    for (std::size_t k = 0; k < prefix.size(); ++k) {
        char c = s[i + k];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
        if (c != prefix[k]) return false;
    }
    return true;
}

}  // namespace nudgebot::engine::chars
