// The normaliser's scan (message_scan.hpp): links, mentions, markup, code spans and quotes.
#include "engine/message_scan.hpp"

namespace nudgebot::engine::scan {

// Whether fold() would find no spelling of a mention that at_word() took (`@` and `size` - 1
// lower-case letters at `text`, no three equal in a row, `doubles` of them equal to the one
// before): its only leet reading is `a` and those letters (fold_candidates()), tried as is
// and with up to four of the doubled letters dropped (with_squeeze_variants()). Every such
// spelling starts with the same three bytes when neither the second nor the third byte
// doubles the one before, and ends with the last letter (dropping a doubled letter keeps
// it); so when no prefix shares those three bytes and no word has that first and last byte
// and one of those sizes, none is known (see vocabulary::may_be_word, may_have_prefix).
// False when that cannot be told this way.
bool message_scan::unfoldable_mention(const char* text, std::size_t size, std::size_t doubles) const noexcept
{
    if (size < 3 || size > 48 || text[1] == 'a' || text[2] == text[1]) return false;
    const std::size_t dropped = std::min<std::size_t>(doubles, 4);
    if (size - dropped < 3) return false;
    const char first[3] = {'a', text[1], text[2]};
    if (vocab_->may_have_prefix(first)) return false;
    for (std::size_t s = size - dropped; s <= size; ++s)
        if (vocab_->may_be_word('a', text[size - 1], s)) return false;
    return true;
}

// Finds a closing double quote (straight or curly) before the end of the line.
bool message_scan::closing_quote_ahead(std::size_t i) const noexcept
{
    const std::size_t n = in_.size();
    // Eight bytes at a time past those that cannot matter: only `"`, a newline and the lead
    // bytes of U+201D (0xE2) and U+00BB (0xC2) are looked at one by one.
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    auto zero_bytes = [](std::uint64_t z) {   // high bit of each byte that is zero, exactly
        return ~(((z & low7) + low7) | z | low7);
    };
    while (i < n) {
        if (i + 8 <= n) {
            std::uint64_t v;
            std::memcpy(&v, in_.data() + i, 8);
            const std::uint64_t hit = zero_bytes(v ^ (ones * '"')) | zero_bytes(v ^ (ones * '\n')) |
                                      zero_bytes(v ^ (ones * 0xE2)) | zero_bytes(v ^ (ones * 0xC2));
            if (hit == 0) {
                i += 8;
                continue;
            }
            i += static_cast<std::size_t>(__builtin_ctzll(hit)) / 8;
        }
        char c = in_[i];
        if (c == '"' || c == '\n') return c == '"';
        if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < in_.size() &&
            static_cast<unsigned char>(in_[i + 1]) == 0x80 &&
            static_cast<unsigned char>(in_[i + 2]) == 0x9D)   // U+201D
            return true;
        if (static_cast<unsigned char>(c) == 0xC2 && i + 1 < in_.size() &&
            static_cast<unsigned char>(in_[i + 1]) == 0xBB)   // U+00BB
            return true;
        ++i;
    }
    return false;
}

bool message_scan::url_at(std::size_t i) const noexcept
{
    if (in_.size() - i >= 8) {
        // Eight bytes at once: OR-ing 0x20 into a byte gives a lower-case letter exactly for
        // that letter and its capital, so it goes into the letters' bytes only; the others
        // (`:`, `/`, `.`) are compared as they are. (As starts_with_ci(), which lower-cases
        // A-Z only.)
        std::uint64_t v, https, http, www;
        std::memcpy(&v, in_.data() + i, 8);
        std::memcpy(&https, "https://", 8);
        http = 0;
        std::memcpy(&http, "http://", 7);
        www = 0;
        std::memcpy(&www, "www.", 4);
        const std::uint64_t letters5 = 0x2020202020ull, letters4 = 0x20202020ull, letters3 = 0x202020ull;
        return (v | letters5) == https || ((v | letters4) & 0x00FFFFFFFFFFFFFFull) == http ||
               ((v | letters3) & 0xFFFFFFFFull) == www;
    }
    return starts_with_ci(in_, i, "http://") || starts_with_ci(in_, i, "https://") ||
           starts_with_ci(in_, i, "www.");
}

std::size_t message_scan::skip_url(std::size_t i) const noexcept
{
    while (i < in_.size() && in_[i] != ' ' && in_[i] != '\n' && in_[i] != '\t' && in_[i] != '>')
        ++i;
    return i;
}

// Chat markup such as <@123>, <#42>, <:name:id>, <https://x|label>: skipped whole when it
// closes within a short distance without spaces.
std::size_t message_scan::skip_markup(std::size_t i) noexcept
{
    if (i + 1 >= in_.size()) return i + 1;
    char next = in_[i + 1];
    bool markup = next == '@' || next == '#' || next == ':' || next == '!' || next == '/' ||
                  (next == 'a' && i + 2 < in_.size() && in_[i + 2] == ':') ||
                  starts_with_ci(in_, i + 1, "http");
    if (!markup) return i + 1;
    for (std::size_t k = i + 1; k < in_.size() && k < i + 512; ++k) {
        char c = in_[k];
        if (c == '>') {
            // <@123>, <@!123>, <@U123>: someone is addressed by mention (not a role or channel)
            if (next == '@' && k > i + 2 && in_[i + 2] != '&' && !quoted_now()) out_.mention = true;
            return k + 1;
        }
        if (c == ' ' || c == '\n' || c == '<') break;
    }
    return i + 1;
}

std::size_t message_scan::backtick(std::size_t i)
{
    end_word();
    if (in_.substr(i, 3) == "```") {
        if (code_) {
            if (fence_) {
                code_ = fence_ = false;
            }
            return i + 3;
        }
        if (in_.find("```", i + 3) != std::string_view::npos) code_ = fence_ = true;
        return i + 3;
    }
    if (code_ && !fence_) {
        code_ = false;
    } else if (!code_) {
        auto close = in_.find_first_of("`\n", i + 1);
        if (close != std::string_view::npos && in_[close] == '`') code_ = true;
    }
    return i + 1;
}

// A `@` and ASCII letters ("@name") from i, with no word open, as the general path takes
// it: ascii() keeps a leet symbol that a letter follows in the word (which makes it leet),
// and the letters after it are squeezed afresh (put() after the `@`). Emits its token at
// buf_ + len_ as end_word() would and returns its end and size; end 0 when the byte after
// the letters may continue the word (a digit, `'`, ...): the general path takes it then.
message_scan::taken_word message_scan::at_word(std::size_t i)
{
    const std::size_t n = in_.size();
    const auto* const src = reinterpret_cast<const unsigned char*>(in_.data());
    char* const start = buf_ + len_;
    char* dst = start;
    *dst++ = '@';
    bool upper = true;   // every letter upper case
    bool squeezed = false;
    unsigned last = 0;   // squeezing as put() does it
    unsigned run = 0;
    std::size_t doubles = 0;   // letters kept that equal the one before
    std::size_t k = i + 1;
    for (unsigned l; k < n && (l = ascii_letter_lower[src[k]]) != 0; ++k) {
        upper &= (src[k] & 0x20u) == 0;
        if (l == last) {
            if (++run > 2) {
                squeezed = true;
                continue;
            }
            ++doubles;
        } else {
            last = l;
            run = 1;
        }
        *dst++ = static_cast<char>(l);
    }
    if (k < n && src[k] != ' ' && !ends_plain_word[src[k]]) return {};
    const auto letters = static_cast<std::uint32_t>(k - i - 1);
    const auto size = static_cast<std::uint32_t>(dst - start);
    std::uint8_t f = token::has_letter | token::leet | (quoted_now() ? token::quoted : 0);
    if (letters >= 3 && upper) f |= token::all_caps;
    if (squeezed) f |= token::squeezed;
    // No word starts with `@` in most vocabularies (then no find()). The flags that make
    // finish() fold tokens are left out of fold_flags_ for a mention fold() would not change
    // (should another token need folding, fold() finds that again).
    const word_id word = vocab_ && vocab_->may_start('@') ? vocab_->find(std::string_view(start, size)) : no_word;
    const bool unfoldable = word == no_word && vocab_ && unfoldable_mention(start, size, doubles);
    fold_flags_ |= unfoldable ? static_cast<std::uint8_t>(f & ~(token::leet | token::squeezed)) : f;
    out_.tokens.push_back(token{static_cast<std::uint32_t>(len_), size, sentence_, clause_,
                                {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(k)},
                                word, static_cast<std::uint16_t>(std::min<std::uint32_t>(letters, 0xFFFF)),
                                f});
    return {k, size};
}

}  // namespace nudgebot::engine::scan
