// The normaliser's scan (message_scan.hpp) beyond ASCII: emoji, invisible characters, look-alike
// letters folded to Latin ones, and the UTF-8 it writes.
#include "engine/message_scan.hpp"

#include <utf8proc.h>

namespace nudgebot::engine {
namespace scan {

void message_scan::put_utf8(char32_t c, std::size_t end)
{
    last_ = 0;
    run_ = 0;
    append(c);
    w_end_ = static_cast<std::uint32_t>(end);
}

void message_scan::emit_emoji(char32_t c, std::size_t begin, std::size_t end)
{
    end_word();
    token t;
    t.text_begin = static_cast<std::uint32_t>(len_);
    append(c);
    t.text_size = static_cast<std::uint32_t>(len_ - t.text_begin);
    t.span = {static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)};
    t.sentence = sentence_;
    t.clause = clause_;
    t.flags = token::emoji | (quoted_now() ? token::quoted : 0);
    if (vocab_) t.word = vocab_->find(std::string_view(buf_ + t.text_begin, t.text_size));
    out_.tokens.push_back(t);
    sentence_has_words_ = true;
}

// --- beyond ASCII ----------------------------------------------------------------------
std::size_t message_scan::non_ascii(std::size_t i)
{
    char32_t cp = 0;
    std::size_t len = decode(in_, i, cp);
    if (len == 0) {   // invalid byte: a separator, as U+FFFD would be
        end_word();
        mark_run_ = 0;
        return i + 1;
    }
    std::size_t end = i + len;
    line_start_ = false;
    if (is_invisible(cp)) return end;   // keeps the word together: "ki\u200Bll"
    auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    if (category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_ME ||
        category == UTF8PROC_CATEGORY_MC)
        return end;   // combining marks (zalgo)
    switch (cp) {
    case 0x2018: case 0x2019: case 0x02BC: case 0xFF07:   // curly apostrophes
        if (in_word_ && end < in_.size() &&
            (klass(static_cast<unsigned char>(in_[end])) == c_lower ||
             klass(static_cast<unsigned char>(in_[end])) == c_upper)) {
            put('\'', end, false);
            last_ = 0;
        } else {
            end_word();
        }
        return end;
    case 0x201C: case 0x201E: case 0x00AB:
        toggle_quote(end, true, quote_);
        return end;
    case 0x201D: case 0x00BB:
        toggle_quote(end, false, true);
        return end;
    case 0x2026:   // … ends a sentence
        mark_run_ = 0;
        end_sentence();
        return end;
    case 0x203C:   // ‼
        end_word();
        if (!quoted_now()) out_.exclamation_burst = true;
        end_sentence();
        return end;
    case 0x2047: case 0x2048: case 0x2049:   // ⁇ ⁈ ⁉
        end_word();
        if (!quoted_now()) out_.question_burst = out_.question = true;
        end_sentence();
        return end;
    default:
        break;
    }
    mark_run_ = 0;
    if (is_emoji(cp)) {
        emit_emoji(cp, i, end);
        return end;
    }
    bool upper = category == UTF8PROC_CATEGORY_LU || category == UTF8PROC_CATEGORY_LT;
    utf8proc_int32_t buf[16];
    int boundclass = 0;
    auto count = utf8proc_decompose_char(
        static_cast<utf8proc_int32_t>(cp), buf, 16,
        static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                       UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                                       UTF8PROC_IGNORE | UTF8PROC_LUMP),
        &boundclass);
    if (count < 0 || count > 16) {
        end_word();
        return end;
    }
    for (utf8proc_ssize_t k = 0; k < count; ++k) {
        char32_t d = fold_confusable(static_cast<char32_t>(buf[k]));
        if (d < 0x80) {
            auto dc = static_cast<unsigned char>(d);
            auto dk = klass(dc);
            if (dk == c_lower || dk == c_upper) {
                if (!in_word_) begin_word(i);
                ++w_letters_;
                if (upper) ++w_upper_;
                put(static_cast<char>(dc | 0x20), end, true);
            } else if (dk == c_digit) {
                if (!in_word_) begin_word(i);
                ++w_digits_;
                put(static_cast<char>(dc), end, false);
            } else if (dc == '\'' && in_word_) {
                put('\'', end, false);
            } else if (dc == '.' || dc == '!' || dc == '?') {
                end_word();
                if (dc != '.') punctuation_mark(static_cast<char>(dc));
                end_sentence();
            } else if (std::string_view(",;:-()").find(static_cast<char>(dc)) !=
                       std::string_view::npos) {
                end_clause();
            } else {
                end_word();
            }
            continue;
        }
        auto dcat = utf8proc_category(static_cast<utf8proc_int32_t>(d));
        if (dcat >= UTF8PROC_CATEGORY_LU && dcat <= UTF8PROC_CATEGORY_LO) {
            if (!in_word_) begin_word(i);
            ++w_letters_;
            if (upper) ++w_upper_;
            put_utf8(d, end);
        } else if (dcat >= UTF8PROC_CATEGORY_ND && dcat <= UTF8PROC_CATEGORY_NO) {
            if (!in_word_) begin_word(i);
            ++w_digits_;
            put_utf8(d, end);
        } else if (dcat == UTF8PROC_CATEGORY_SO) {
            emit_emoji(d, i, end);
        } else {
            end_word();
        }
    }
    return end;
}

void message_scan::append(char32_t c)
{
    room_for(4);
    char tmp[4];
    std::size_t n = 0;
    if (c < 0x80) {
        tmp[n++] = static_cast<char>(c);
    } else if (c < 0x800) {
        tmp[n++] = static_cast<char>(0xC0 | (c >> 6));
        tmp[n++] = static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        tmp[n++] = static_cast<char>(0xE0 | (c >> 12));
        tmp[n++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        tmp[n++] = static_cast<char>(0x80 | (c & 0x3F));
    } else {
        tmp[n++] = static_cast<char>(0xF0 | (c >> 18));
        tmp[n++] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        tmp[n++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        tmp[n++] = static_cast<char>(0x80 | (c & 0x3F));
    }
    std::memcpy(buf_ + len_, tmp, n);
    len_ += n;
}

}  // namespace scan

char32_t fold_confusable(char32_t c) noexcept
{
    if (c < 0x0131) return c;
    auto it = std::lower_bound(std::begin(chars::confusables), std::end(chars::confusables), c,
                               [](const chars::fold_pair& p, char32_t v) { return p.from < v; });
    return it != std::end(chars::confusables) && it->from == c ? it->to : c;
}

}  // namespace nudgebot::engine
