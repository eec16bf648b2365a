#include "app/cli_json.hpp"

#include <charconv>
#include <cmath>

namespace nudgebot::app {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are not one
// (overlong forms, surrogates and code points past U+10FFFF are rejected, as RFC 3629 says).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    const std::size_t left = s.size() - i;
    const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
    if (c >= 0xC2 && c <= 0xDF) {
        return left >= 2 && cont(i + 1) ? 2 : 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
        const unsigned char c1 = byte(i + 1);
        if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
        if (c == 0xED && c1 > 0x9F) return 0;   // UTF-16 surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
        const unsigned char c1 = byte(i + 1);
        if (c == 0xF0 && c1 < 0x90) return 0;   // overlong
        if (c == 0xF4 && c1 > 0x8F) return 0;   // past U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text)
{
    out.push_back('"');
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        // Copy the longest run of plain printable ASCII in one go: that is nearly all chat text.
        std::size_t run = i;
        while (run < n) {
            const auto c = static_cast<unsigned char>(text[run]);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
            ++run;
        }
        out.append(text.data() + i, run - i);
        i = run;
        if (i >= n) break;

        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"') {
            out += "\\\"";
            ++i;
        } else if (c == '\\') {
            out += "\\\\";
            ++i;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out.push_back(hex_digits[c >> 4]);
                out.push_back(hex_digits[c & 0xF]);
            }
            ++i;
        } else {
            const std::size_t len = utf8_sequence_length(text, i);
            if (len == 0) {
                out += "\xEF\xBF\xBD";   // U+FFFD for each byte that is not valid UTF-8
                ++i;
            } else {
                out.append(text.data() + i, len);
                i += len;
            }
        }
    }
    out.push_back('"');
}

void append_json_number(std::string& out, float value)
{
    if (!std::isfinite(value)) value = 0;
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_json_number(std::string& out, std::uint64_t value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void append_json_number(std::string& out, std::int64_t value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

}  // namespace nudgebot::app
