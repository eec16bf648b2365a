// The normaliser's scan of one message (private to bot/engine): bytes in, tokens out, as
// normalizer.hpp promises. The work is split by what it reads: normalizer.cpp has the scan loop,
// words of letters and ASCII marks (the hot paths, together so they inline); normalizer_markup.cpp
// links, mentions, code spans and quotes; normalizer_unicode.cpp everything beyond ASCII (emoji,
// look-alike letters, UTF-8 output). Word folding follows the scan (word_folding.hpp). Owner:
// engine.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "engine/char_tables.hpp"
#include "engine/normalizer.hpp"
#include "engine/vocabulary.hpp"

namespace nudgebot::engine::scan {

using namespace chars;

class message_scan {
public:
    message_scan(std::string_view in, normalized_text& out, const vocabulary* vocab, normalizer::word_loop loop)
        : in_(in), out_(out), vocab_(vocab), fast_words_(loop == normalizer::word_loop::fast)
    {}

    void scan_message();

    bool lowercase_in(const token& t) const noexcept
    {
        for (auto k = t.span.begin; k < t.span.end; ++k)
            if (in_[k] >= 'a' && in_[k] <= 'z') return true;
        return false;
    }

    void room_for(std::size_t extra)
    {
        if (len_ + extra <= cap_) return;
        grow(extra);
    }

    // Out of line: inlined, it costs plain_words() registers.
    [[gnu::noinline]] void grow(std::size_t extra)
    {
        out_.chars.set_size(len_);   // what is kept
        out_.chars.reserve(std::max(cap_ * 2, len_ + extra + 64));
        buf_ = out_.chars.data();
        cap_ = out_.chars.capacity();
    }

private:
    // --- words -----------------------------------------------------------------------------
    void begin_word(std::size_t at)
    {
        in_word_ = true;
        w_begin_ = static_cast<std::uint32_t>(at);
        w_text_ = static_cast<std::uint32_t>(len_);
        w_letters_ = w_upper_ = w_digits_ = w_syms_ = 0;
        w_squeezed_ = false;
        last_ = 0;
        run_ = 0;
    }

    template <bool automaton>
    [[gnu::noinline]] std::size_t plain_words(std::size_t i, bool& stopped);

    [[gnu::noinline]] std::size_t after_mark(std::size_t j, std::uint8_t base) noexcept;

    std::size_t apostrophe_at(std::size_t k) const noexcept;

    static bool all_upper(const unsigned char* p, const unsigned char* end) noexcept;

    // A word of ASCII letters with apostrophes inside ("don't", "y'all", "don’t"), from i: the
    // general path (ascii(), non_ascii()) keeps an apostrophe between two letters in the word
    // as `'`, counts it as no letter and starts counting repeated letters afresh after it; it
    // is no separator then, so the word goes on. Emits its token as end_word() would
    // (the letter automaton has no such words: find() gives its id) and returns the index
    // after it and its size; end 0 when the byte after it may continue it (an apostrophe not
    // before a letter, a digit...), or when it is no such word: the general path takes it then.
    struct taken_word {
        std::size_t end = 0;
        std::uint32_t size = 0;
    };
    [[gnu::noinline]] taken_word apostrophe_word(std::size_t i, std::size_t j, std::size_t len, std::uint8_t base, std::uint32_t state);

    [[gnu::noinline]] taken_word at_word(std::size_t i);

    bool unfoldable_mention(const char* text, std::size_t size, std::size_t doubles) const noexcept;

    bool url_ahead(std::size_t i) const noexcept;

    // Squeezes the letters of a plain word at `word` (each three equal letters in a row cut to
    // two) in place; returns the new size and the automaton's state after the squeezed letters
    // (0 without an automaton). Returned, not written through pointers: the caller keeps
    // both in registers.
    struct squeezed_word {
        std::uint32_t size;
        std::uint32_t state;
    };
    [[gnu::noinline]] squeezed_word squeeze(char* word, std::uint32_t letters) const noexcept;

    [[gnu::noinline]] word_id lookup(const char* word, std::uint32_t size) const noexcept;

    std::size_t lower_run(std::size_t i);

    // Appends one ASCII byte (already lower-cased) of the current word, squeezing letter runs.
    void put(char c, std::size_t end, bool letter)
    {
        if (letter && c == last_) {
            if (++run_ > 2) {
                w_squeezed_ = true;
                w_end_ = static_cast<std::uint32_t>(end);
                return;
            }
        } else {
            last_ = c;
            run_ = 1;
        }
        if (len_ == cap_) room_for(1);
        buf_[len_++] = c;
        w_end_ = static_cast<std::uint32_t>(end);
    }

    void put_utf8(char32_t c, std::size_t end);

    void end_word();

    void emit_emoji(char32_t c, std::size_t begin, std::size_t end);

    void end_sentence()
    {
        end_word();
        close_sentence();
    }

    // end_sentence() when no word is open.
    void close_sentence()
    {
        if (sentence_has_words_) {
            ++sentence_;
            sentence_has_words_ = false;
        }
        ++clause_;
    }

    void end_clause()
    {
        end_word();
        ++clause_;
    }

    bool quoted_now() const noexcept { return quote_ | code_ | quote_line_ | quote_block_; }

    // A run of leet symbols at i belongs to a word only when a letter or digit follows it.
    bool leet_run_continues(std::size_t i) const noexcept
    {
        while (i < in_.size() && klass(static_cast<unsigned char>(in_[i])) == c_leet) ++i;
        return i < in_.size() && is_alnum(static_cast<unsigned char>(in_[i]));
    }

    bool closing_quote_ahead(std::size_t i) const noexcept;

    void toggle_quote(std::size_t after, bool can_open, bool can_close);

    void punctuation_mark(char c);

    std::size_t ascii(std::size_t i, unsigned char c);

    [[gnu::always_inline]] inline std::size_t take_mention(std::size_t i);

    [[gnu::noinline]] std::size_t ascii_any(std::size_t i, unsigned char c);

    [[gnu::noinline]] bool url_at(std::size_t i) const noexcept;
    std::size_t skip_url(std::size_t i) const noexcept;

    std::size_t skip_markup(std::size_t i) noexcept;

    std::size_t backtick(std::size_t i);

    std::size_t non_ascii(std::size_t i);

    void finish();

    void append(char32_t c);

    std::string_view in_;
    normalized_text& out_;
    const vocabulary* vocab_;
    const bool fast_words_;   // plain_words() reads words of ASCII letters (normalizer::word_loop)
    char* buf_ = nullptr;
    std::size_t len_ = 0;
    std::size_t cap_ = 0;

    bool in_word_ = false;
    std::uint32_t w_begin_ = 0;
    std::uint32_t w_end_ = 0;
    std::uint32_t w_text_ = 0;
    std::uint32_t w_letters_ = 0;
    std::uint32_t w_upper_ = 0;
    std::uint32_t w_digits_ = 0;
    std::uint32_t w_syms_ = 0;
    bool w_squeezed_ = false;
    char last_ = 0;
    int run_ = 0;

    std::uint32_t sentence_ = 0;
    std::uint32_t clause_ = 0;
    bool sentence_has_words_ = false;
    bool quote_ = false;
    bool code_ = false;
    bool fence_ = false;
    bool quote_line_ = false;
    bool quote_block_ = false;
    bool line_start_ = true;
    char last_mark_ = 0;
    int mark_run_ = 0;

    std::uint8_t fold_flags_ = 0;   // union of the flags of the scanned words (see at_word())
    std::uint32_t singles_ = 0;     // tokens flagged single
    std::size_t letters_end_ = 0;   // start of the ASCII letters that end the text (n if none)
};

}  // namespace nudgebot::engine::scan
