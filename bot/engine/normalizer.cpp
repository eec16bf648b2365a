// normalize(): the scan loop, words of ASCII letters (the fast loop and the general one) and
// ASCII marks; see message_scan.hpp for how the scan is split.
#include "engine/normalizer.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "engine/message_scan.hpp"
#include "engine/quote_marks.hpp"
#include "engine/single_quotes.hpp"
#include "engine/word_folding.hpp"

namespace nudgebot::engine {
namespace scan {

void message_scan::scan_message()
{
    std::size_t i = 0;
    const std::size_t n = in_.size();
    std::size_t letters_end = n;   // where the text's trailing ASCII letters begin
    while (letters_end > 0 && ascii_letter_lower[static_cast<unsigned char>(in_[letters_end - 1])] != 0)
        --letters_end;
    letters_end_ = letters_end;
    out_.chars.reserve(n + 64);   // ASCII never grows; other paths call room_for()
    buf_ = out_.chars.data();
    cap_ = out_.chars.capacity();
    const bool automaton = vocab_ && vocab_->has_letter_automaton();
    while (i < n) {
        auto c = static_cast<unsigned char>(in_[i]);
        if (fast_words_ && !in_word_ && static_cast<unsigned>((c | 0x20) - 'a') <= 25u) {
            // The common case: words of ASCII letters between single spaces, in one loop.
            bool stopped = false;
            std::size_t next = automaton ? plain_words<true>(i, stopped) : plain_words<false>(i, stopped);
            if (!stopped) {
                i = next;
                continue;
            }
            i = next;   // a word the general path below reads
            c = static_cast<unsigned char>(in_[i]);
        }
        if (c >= 'a' && c <= 'z') {   // a run of lower-case letters
            if (!in_word_) {
                if ((c == 'h' || c == 'w') && url_at(i)) {
                    i = skip_url(i);
                    continue;
                }
                begin_word(i);
            }
            mark_run_ = 0;
            line_start_ = false;
            i = lower_run(i);
            continue;
        }
        if (c == ' ') {
            end_word();
            mark_run_ = 0;
            ++i;
            continue;
        }
        if (c >= 'A' && c <= 'Z' && in_word_) {
            ++w_letters_;
            ++w_upper_;
            mark_run_ = 0;
            put(static_cast<char>(c | 0x20), i + 1, true);
            ++i;
            continue;
        }
        if (c < 0x80) {
            i = ascii(i, c);
        } else {
            i = non_ascii(i);
        }
    }
    end_word();
    out_.chars.set_size(len_);
    // has_lower: any unquoted token with a lower-case letter (plain_words() has looked at its
    // words already, and usually found one).
    if (!out_.has_lower)
        for (const auto& t : out_.tokens) {
            if (t.has(token::quoted) || t.letters == 0 || t.has(token::all_caps)) continue;
            if ((out_.has_lower = lowercase_in(t))) break;
        }
    finish();
}

// Words made only of ASCII letters (or letters with apostrophes inside, see
// apostrophe_word()), from i (not inside a word; in_[i] is an ASCII letter), each followed
// by the end of the text or a byte that ends a word before it does anything else (see
// ends_plain_word), consecutive ones separated by one space, `, `, `. `, `? `, `! ` or one
// separator, dot, tab or newline: emits their tokens exactly as begin_word/lower_run/put/
// end_word (and ascii() for what is between them) would and returns the index after the
// last one (after a `.`, `?` or `!` that ends the text). Sets `stopped` and returns the
// start of a word it leaves to the general path (a URL, or a word that a digit, `'`, leet
// symbol or non-ASCII byte may continue). Between the words nothing changes but mark_run_,
// line_start_, the marks of a `?` or `!` and the sentence and clause counters.
// Most of a message goes through here, a word at a time: the loop keeps few values live
// (they would be spilled to the stack), what is rare (squeezing, a possible URL, the word
// lookup without an automaton, apostrophes, marks) is out of line, and what is needed once
// per run (whether the sentence has words, has_lower) is worked out after it.
// `automaton`: the vocabulary has its letter automaton (then a word's id is known when its
// letters are copied).
// Kept out of line: inlined, it makes the general loop around it slower.
template <bool automaton>
std::size_t message_scan::plain_words(std::size_t i, bool& stopped)
{
    const std::size_t first_word = i;
    const std::size_t n = in_.size();
    const auto* const src = reinterpret_cast<const unsigned char*>(in_.data());
    room_for(n - i);   // letters never grow: one check for the whole run
    char* const buf = buf_;
    std::size_t len = len_;
    const std::uint8_t base = token::has_letter | (quoted_now() ? token::quoted : 0);
    // The counters stay members (they change at a run's `, ` and `. ` only): as locals they
    // took registers the word loop needs, and were spilled to the stack anyway. They change
    // only after a word was emitted, as the run is to leave them.
    std::uint32_t& sentence = sentence_;
    std::uint32_t& clause = clause_;
    // The vocabulary's letter automaton gives the word id as the letters are copied; without
    // one, a table whose every step is dead keeps the loop the same and find() is asked.
    static constexpr std::uint16_t dead[64] = {};
    static constexpr std::uint16_t dead_pairs[32 * 32] = {};
    const std::uint16_t* const steps = automaton ? vocab_->letter_table() : dead;
    const std::uint16_t* const pairs = automaton ? vocab_->letter_pairs() : dead_pairs;
    const std::int16_t* const word_at = automaton ? vocab_->letter_words() : nullptr;
    const std::size_t letters_end = letters_end_;
    auto& tokens = out_.tokens;
    // The word's first byte and its letter (each word's is read while checking that it
    // follows the one before).
    unsigned c = src[i];
    unsigned l = ascii_letter_lower[c];
    for (;;) {
        // A word starting with "http" or "www." may be a link.
        if (url_ahead(i)) [[unlikely]] {
            stopped = true;
            break;
        }
        // Letter j goes to out[j]: copied as is, squeezing comes after (below).
        char* const out = buf + len - i;
        std::uint32_t state = vocabulary::letter_start();
        std::size_t j = i;
        // The OR of the word's letters as written: bit 0x20 (which makes a letter lower
        // case) is clear when every letter is upper case. Tracked letter by letter (one OR
        // off the chain of steps): a test after the word, asked when its first letter was
        // upper case, was mispredicted about twice per message.
        unsigned cases = 0;
        if (i < letters_end) {
            // Before letters_end a non-letter byte always follows (the text's last byte is
            // not a letter there), so this loop needs no end-of-text check.
            out[j] = static_cast<char>(l);
            cases = c;
            c = src[++j];
            const unsigned second = ascii_letter_lower[c];
            // [[likely]]: without it GCC 12 laid the one-letter word out in line and the
            // usual word behind a jump (with `cases` tracked, 1.7 % fewer messages per second).
            if (second != 0) [[likely]] {
                // The first two letters in one step (letter_pairs()): its load does not
                // wait for another, so the word's chain of dependent loads is one shorter.
                out[j] = static_cast<char>(second);
                cases |= c;
                state = pairs[(l << 5) + second - (96 * 32 + 96)];   // columns l & 31, second & 31
                c = src[++j];
                l = ascii_letter_lower[c];
                while (l != 0) {
                    out[j] = static_cast<char>(l);
                    cases |= c;
                    state = steps[(state << 5) + l - 96];   // column l & 31, since l is `a`-`z`
                    c = src[++j];
                    l = ascii_letter_lower[c];
                }
            } else {
                state = steps[(state << 5) + l - 96];
                l = 0;
            }
        } else {
            for (;;) {
                out[j] = static_cast<char>(l);
                cases |= c;
                state = steps[(state << 5) + l - 96];
                if (++j == n) break;
                c = src[j];
                l = ascii_letter_lower[c];
                if (l == 0) break;
            }
        }
        // The byte after the word; the end of the text ends it as a space would.
        unsigned after = j < n ? src[j] : ' ';
        // `!` is a leet symbol, but one before a space or the end of the text ends the word
        // (ascii() finds no letter or digit after it) and then the sentence, as below.
        // (One table test for the usual space as for the other bytes: a test for the space
        // first was mispredicted about four times per message.)
        if (!ends_plain_word[after] && !(after == '!' && (j + 1 == n || src[j + 1] == ' '))) [[unlikely]] {
            // A word the byte may continue: taken here only when it is letters with
            // apostrophes inside ("don't", "don’t"), else left to the general path.
            const bool apostrophe = after == '\'' || after == 0xE2 || after == 0xCA || after == 0xEF;
            const auto taken = apostrophe ? apostrophe_word(i, j, len, base, state) : taken_word{};
            if (taken.end == 0) {
                stopped = true;
                break;
            }
            len += taken.size;
            j = taken.end;
            after = j < n ? src[j] : ' ';
        } else {
            const auto letters = static_cast<std::uint32_t>(j - i);
            std::uint32_t size = letters;
            std::uint8_t f = base;
            if (letters == 1) {   // then size == 1 too
                f |= token::single;
                ++singles_;
            }
            if (letters >= 3) {
                f |= static_cast<std::uint8_t>(((cases & 0x20u) ^ 0x20u) >> 3);   // token::all_caps (4)
                static_assert(token::all_caps == 0x20u >> 3);
                // The automaton's walk ends in state 0 exactly when it saw three equal
                // letters in a row (without an automaton it always does).
                if (state == 0) {
                    const auto squeezed = squeeze(out + i, letters);
                    size = squeezed.size;
                    state = squeezed.state;
                    if (size != letters) f |= token::squeezed;
                }
            }
            const word_id word = automaton ? word_at[state] : lookup(out + i, size);
            tokens.push_back(token{static_cast<std::uint32_t>(len), size, sentence, clause,
                                   {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)},
                                   word, static_cast<std::uint16_t>(std::min<std::uint32_t>(letters, 0xFFFF)),
                                   f});
            fold_flags_ |= f;
            len += size;
        }
        if (after == ' ') {
            if (j + 1 < n) {
                c = src[j + 1];
                l = ascii_letter_lower[c];
                if (l != 0) {
                    i = j + 1;
                    continue;
                }
            }
        } else if ((after == ',' || after == '.') && j + 2 < n && src[j + 1] == ' ' &&
                   (l = ascii_letter_lower[c = src[j + 2]]) != 0) {
            // `, ` and `. ` before a letter, as ascii() and the space would take them: a
            // comma ends the clause, a dot not followed by a letter or digit the sentence
            // (which has words here).
            ++clause;
            if (after == '.') ++sentence;
            i = j + 2;
            continue;
        } else if (ends_sentence(after)) {
            if (const std::size_t next = after_mark(j, base); next != 0) {
                ++clause;
                ++sentence;
                i = next;
                if (next == n) break;
                c = src[next];
                l = ascii_letter_lower[c];
                continue;
            }
        } else if (j + 1 < n && (l = ascii_letter_lower[c = src[j + 1]]) != 0) {
            // One byte between two words, as ascii() would take it: a separator (`a_b`,
            // `a/b`; , ; : ( and ) end the clause), a dot (before a letter it ends no
            // sentence), a tab, or a newline that ends no quote (it ends the sentence).
            const auto kind = ascii_table[after];
            if (kind == c_sep) {
                if (after == ',' || after == ';' || after == ':' || after == '(' || after == ')') ++clause;
            } else if (kind == c_newline && !quote_ && !quote_line_) {
                ++clause;
                ++sentence;
            } else if (kind != c_dot && kind != c_space) {
                i = j;
                break;
            }
            i = j + 1;
            continue;
        }
        i = j;
        break;
    }
    if (i != first_word) {   // some word was emitted
        len_ = len;
        if (stopped) {
            // At a word after ` `, `, `, `. `, `? ` or `! ` (the sentence has words unless a
            // mark ended it), or after one byte (only a newline ends the sentence, and the
            // next line starts: the general path reads that word).
            const unsigned before = src[i - 1];
            sentence_has_words_ = before == ' ' ? !ends_sentence(src[i - 2]) : before != '\n';
            line_start_ = before == '\n';
            mark_run_ = 0;
        } else {
            // Just after a word, or after a mark that ends the text (a `?` or `!` there is
            // a mark run of one).
            const unsigned last = src[i - 1];
            sentence_has_words_ = !ends_sentence(last);
            mark_run_ = last == '?' || last == '!' ? 1 : 0;
            line_start_ = false;
        }
        // has_lower for these words: the only letters in the bytes they span are theirs
        // (what is between them is no letter), and a word with a lower-case letter is not
        // all_caps, so a lower-case byte there is what scan_message()'s loop would find in a token.
        // The first word usually has one; after that the check is not made again.
        if (!out_.has_lower && !(base & token::quoted))
            for (std::size_t k = first_word; k < i; ++k)
                if (static_cast<unsigned>(src[k] - 'a') <= 25u) {
                    out_.has_lower = true;
                    break;
                }
    }
    return i;
}

// A `.`, `?` or `!` at j just after a word that ends the text, or a `? ` or `! ` before a
// letter: what ascii() and the space would do for them but counting the sentence and
// clause (the mark ends the sentence, which has words here; a `?` outside quotes makes the
// text a question; letters came just before, so there is no burst). Returns the index of
// the next word, or of the end of the text; 0 for any other mark (left to the general path).
std::size_t message_scan::after_mark(std::size_t j, std::uint8_t base) noexcept
{
    const std::size_t n = in_.size();
    const auto* const src = reinterpret_cast<const unsigned char*>(in_.data());
    const unsigned mark = src[j];
    std::size_t next = n;
    if (j + 1 < n) {
        if (mark == '.' || src[j + 1] != ' ' || j + 2 >= n || ascii_letter_lower[src[j + 2]] == 0)
            return 0;
        next = j + 2;
    }
    if (mark != '.') {
        if (mark == '?' && !(base & token::quoted)) out_.question = true;
        last_mark_ = static_cast<char>(mark);
    }
    return next;
}

// The length of the apostrophe at k: `'` or one of the curly ones non_ascii() takes for an
// apostrophe (U+2018, U+2019, U+02BC, U+FF07); 0 when there is none.
std::size_t message_scan::apostrophe_at(std::size_t k) const noexcept
{
    const std::size_t n = in_.size();
    const auto* const src = reinterpret_cast<const unsigned char*>(in_.data());
    switch (src[k]) {
    case '\'':
        return 1;
    case 0xE2:
        return k + 2 < n && src[k + 1] == 0x80 && (src[k + 2] == 0x98 || src[k + 2] == 0x99) ? 3 : 0;
    case 0xCA:
        return k + 1 < n && src[k + 1] == 0xBC ? 2 : 0;
    case 0xEF:
        return k + 2 < n && src[k + 1] == 0xBC && src[k + 2] == 0x87 ? 3 : 0;
    default:
        return 0;
    }
}

// Whether the ASCII letters [p, end) are all upper case.
bool message_scan::all_upper(const unsigned char* p, const unsigned char* end) noexcept
{
    for (; p < end; ++p)
        if (*p & 0x20u) return false;
    return true;
}

// The letters [i, j) are in buf_ + len already, as plain_words() copied them (not squeezed;
// `state`: the letter automaton's state after them, 0 when they may have three equal letters
// in a row or there is no automaton). With an automaton the walk goes on through the
// apostrophes (column letter_apostrophe) and the letters kept, and ends in the word's id.
message_scan::taken_word message_scan::apostrophe_word(std::size_t i, std::size_t j, std::size_t len, std::uint8_t base, std::uint32_t state)
{
    const bool walk = vocab_ && vocab_->has_letter_automaton();
    static constexpr std::uint16_t dead[64] = {};   // without one, state 0 throughout
    const std::uint16_t* const steps = walk ? vocab_->letter_table() : dead;
    const std::size_t n = in_.size();
    const auto* const src = reinterpret_cast<const unsigned char*>(in_.data());
    char* const start = buf_ + len;
    auto letters = static_cast<std::uint32_t>(j - i);
    char* dst = start + letters;
    bool squeezed = false;
    if (state == 0 && letters >= 3) {
        const auto squeezed_letters = squeeze(start, letters);
        dst = start + squeezed_letters.size;
        squeezed = dst != start + letters;
        state = squeezed_letters.state;
    }
    bool upper = true;   // the letters after the first apostrophe are all upper case
    unsigned last = 0;   // squeezing as put() does it
    unsigned run = 0;
    std::size_t k = j;
    for (;;) {
        const std::size_t apostrophe = apostrophe_at(k);
        if (apostrophe == 0 || k + apostrophe >= n || ascii_letter_lower[src[k + apostrophe]] == 0) break;
        *dst++ = '\'';
        state = steps[(state << 5) | vocabulary::letter_apostrophe];
        last = 0;
        k += apostrophe;
        for (unsigned l; k < n && (l = ascii_letter_lower[src[k]]) != 0; ++k) {
            upper &= (src[k] & 0x20u) == 0;
            ++letters;
            if (l == last) {
                if (++run > 2) {
                    squeezed = true;
                    continue;
                }
            } else {
                last = l;
                run = 1;
            }
            *dst++ = static_cast<char>(l);
            state = steps[(state << 5) + l - 96];   // column l & 31, since l is `a`-`z`
        }
        if (k == n) break;
    }
    if (k == j || (k < n && !ends_plain_word[src[k]])) return {};
    const auto size = static_cast<std::uint32_t>(dst - start);
    std::uint8_t f = base;
    if (letters >= 3 && upper && all_upper(src + i, src + j)) f |= token::all_caps;
    if (squeezed) f |= token::squeezed;
    fold_flags_ |= f;
    const word_id word = walk && state != 0 ? vocab_->letter_word(state)
                         : vocab_          ? vocab_->find(std::string_view(start, size))
                                           : no_word;
    out_.tokens.push_back(token{static_cast<std::uint32_t>(len), size, sentence_, clause_,
                                {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(k)},
                                word, static_cast<std::uint16_t>(std::min<std::uint32_t>(letters, 0xFFFF)),
                                f});
    return {k, size};
}

message_scan::squeezed_word message_scan::squeeze(char* word, std::uint32_t letters) const noexcept
{
    char* dst = word;
    unsigned last = 0;
    for (std::uint32_t k = 0; k < letters; ++k) {
        const auto l = static_cast<unsigned char>(word[k]);
        if (l == last && dst - word >= 2 && static_cast<unsigned char>(dst[-2]) == l) continue;
        last = l;
        *dst++ = static_cast<char>(l);
    }
    std::uint32_t state = 0;
    if (vocab_ && vocab_->has_letter_automaton()) {
        state = vocabulary::letter_start();   // the walk again, over the squeezed letters
        for (const char* p = word; p < dst; ++p) state = vocab_->letter_step(state, *p);
    }
    return {static_cast<std::uint32_t>(dst - word), state};
}

// The word id of a plain word when there is no letter automaton.
word_id message_scan::lookup(const char* word, std::uint32_t size) const noexcept
{
    return vocab_ ? vocab_->find(std::string_view(word, size)) : no_word;
}

// Copies a run of ASCII lower-case letters starting at i into the current word, squeezing
// repeats; returns the index after the run. Locals keep the loop in registers.
std::size_t message_scan::lower_run(std::size_t i)
{
    const std::size_t n = in_.size();
    const auto* src = reinterpret_cast<const unsigned char*>(in_.data());
    room_for(n - i + 8);   // one check for the rest of the text (+8 for whole-word stores)
    char* dst = buf_ + len_;
    char last = last_;
    int run = run_;
    bool squeezed = false;
    std::size_t j = i;
    // Up to eight letters per step (SWAR on one 64-bit word): find how many of the next
    // eight bytes are lower-case letters, copy them at once unless a letter repeats a third
    // time among them; the byte loop below handles that case and the last bytes of the text.
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t high = 0x8080808080808080ull;
    constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    auto zero_bytes = [](std::uint64_t z) {   // high bit of each byte that is zero, exactly
        return ~(((z & low7) + low7) | z | low7);
    };
    while (j + 8 <= n) {
        std::uint64_t v;
        std::memcpy(&v, src + j, 8);
        std::uint64_t x = v & low7;
        std::uint64_t lower = (x + ones * (0x80 - 'a')) & ~(x + ones * (0x80 - 'z' - 1)) & ~v & high;
        std::uint64_t other = ~lower & high;
        unsigned k = other ? static_cast<unsigned>(__builtin_ctzll(other)) / 8 : 8;   // letters
        if (k == 0) break;
        std::uint64_t keep = k == 8 ? ~0ull : ((std::uint64_t{1} << (8 * k)) - 1);
        auto last_byte = static_cast<std::uint64_t>(static_cast<unsigned char>(last));
        std::uint64_t before_last = run >= 2 ? last_byte : 0;
        std::uint64_t p1 = (v << 8) | last_byte;
        std::uint64_t p2 = (v << 16) | (last_byte << 8) | before_last;
        if (zero_bytes(v ^ p1) & zero_bytes(v ^ p2) & keep) break;   // a third repeat
        std::memcpy(dst, &v, 8);   // room_for() left eight bytes of slack
        dst += k;
        j += k;
        char b1 = static_cast<char>(v >> (8 * (k - 1)));
        if (k >= 2) {
            run = b1 == static_cast<char>(v >> (8 * (k - 2))) ? 2 : 1;
        } else {
            run = b1 == last ? run + 1 : 1;
        }
        last = b1;
        if (k < 8) break;
    }
    for (; j < n; ++j) {
        unsigned char c = src[j];
        if (static_cast<unsigned>(c - 'a') > 25u) break;
        if (static_cast<char>(c) == last) {
            if (++run > 2) {
                squeezed = true;
                continue;
            }
        } else {
            last = static_cast<char>(c);
            run = 1;
        }
        *dst++ = static_cast<char>(c);
    }
    len_ = static_cast<std::size_t>(dst - buf_);
    last_ = last;
    run_ = run;
    w_squeezed_ |= squeezed;
    w_letters_ += static_cast<std::uint32_t>(j - i);
    w_end_ = static_cast<std::uint32_t>(j);
    return j;
}

void message_scan::end_word()
{
    if (!in_word_) return;
    in_word_ = false;
    auto size = static_cast<std::uint32_t>(len_ - w_text_);
    if (size == 0) return;
    std::uint8_t f = quoted_now() ? token::quoted : 0;
    if (w_letters_ > 0) {
        f |= token::has_letter;
        if (w_digits_ + w_syms_ > 0) f |= token::leet;
        if (w_letters_ >= 3 && w_upper_ == w_letters_) f |= token::all_caps;
    }
    if (w_squeezed_) f |= token::squeezed;
    if (size == 1 && w_letters_ + w_digits_ == 1) {
        f |= token::single;
        ++singles_;
    }
    fold_flags_ |= f;
    // Looked up now, while the word is in cache; folding (rare) waits for finish().
    word_id word = vocab_ ? vocab_->find(std::string_view(buf_ + w_text_, size)) : no_word;
    out_.tokens.push_back(token{w_text_, size, sentence_, clause_, {w_begin_, w_end_}, word,
                                static_cast<std::uint16_t>(std::min<std::uint32_t>(w_letters_, 0xFFFF)),
                                f});
    sentence_has_words_ = true;
}

void message_scan::toggle_quote(std::size_t after, bool can_open, bool can_close)
{
    end_word();
    if (quote_) {
        if (can_close) quote_ = false;
    } else if (can_open && closing_quote_ahead(after)) {
        quote_ = true;
    }
}

void message_scan::punctuation_mark(char c)
{
    // Bursts: "??", "?!", "!?", "!!" (consecutive marks, nothing between).
    if (c == '?' && !quoted_now()) out_.question = true;
    if (mark_run_ > 0 && !quoted_now()) {
        if (c == '?' || last_mark_ == '?') out_.question_burst = true;
        else out_.exclamation_burst = true;
    }
    last_mark_ = c;
    ++mark_run_;
}

// A mention at i (`@` and a letter, no word open) taken whole by at_word(): returns the
// index after it, or 0 when at_word() leaves it to the general path.
inline std::size_t message_scan::take_mention(std::size_t i)
{
    room_for(in_.size() - i);
    const auto taken = at_word(i);
    if (taken.end == 0) return 0;
    len_ += taken.size;
    sentence_has_words_ = true;
    mark_run_ = 0;
    return taken.end;
}

// --- ASCII -----------------------------------------------------------------------------
// Separators, dots, newlines, `?` and `!`, which most often come right after a word that
// plain_words() has ended, and mentions (`@name`) are done here when no word is open, and
// digits (a number comes a digit at a time) always, exactly as ascii_any() does them but
// without its frame (it saves six registers for its other cases).
std::size_t message_scan::ascii(std::size_t i, unsigned char c)
{
    if (klass(c) == c_digit) {
        mark_run_ = 0;
        line_start_ = false;
        if (!in_word_) begin_word(i);
        ++w_digits_;
        put(static_cast<char>(c), i + 1, false);
        return i + 1;
    }
    if (!in_word_) {
        switch (klass(c)) {
        case c_sep:
            mark_run_ = 0;
            line_start_ = false;
            if (c == ',' || c == ';' || c == ':' || c == '(' || c == ')' ||
                (c == '-' && i + 1 < in_.size() && (in_[i + 1] == ' ' || in_[i + 1] == '-')))
                ++clause_;
            return i + 1;
        case c_dot:
            mark_run_ = 0;
            line_start_ = false;
            if (!(i + 1 < in_.size() && is_alnum(static_cast<unsigned char>(in_[i + 1]))))
                close_sentence();
            return i + 1;
        case c_newline:
            mark_run_ = 0;
            close_sentence();
            quote_line_ = false;
            quote_ = false;   // straight quotes do not span lines
            line_start_ = true;
            return i + 1;
        case c_leet:   // `!` starts no word (a `@` or `$` may)
            if (c == '@' && i + 1 < in_.size() &&
                ascii_letter_lower[static_cast<unsigned char>(in_[i + 1])] != 0) {
                // A mention, as ascii_any() takes it (which tries again when at_word()
                // leaves it).
                line_start_ = false;
                if (const auto end = take_mention(i); end != 0) return end;
            }
            if (c != '!') break;
            [[fallthrough]];
        case c_qmark:
            line_start_ = false;
            punctuation_mark(static_cast<char>(c));
            close_sentence();
            return i + 1;
        default:
            break;
        }
    }
    return ascii_any(i, c);
}

std::size_t message_scan::ascii_any(std::size_t i, unsigned char c)
{
    auto k = klass(c);
    if (k != c_leet && k != c_qmark) mark_run_ = 0;
    if (k != c_space && k != c_gt) line_start_ = false;
    switch (k) {
    case c_lower:
        if (!in_word_) begin_word(i);
        ++w_letters_;
        put(static_cast<char>(c), i + 1, true);
        return i + 1;
    case c_upper:
        if (!in_word_) {
            if ((c == 'H' || c == 'W') && url_at(i)) return skip_url(i);
            begin_word(i);
        }
        ++w_letters_;
        ++w_upper_;
        put(static_cast<char>(c | 0x20), i + 1, true);
        return i + 1;
    case c_digit:
        if (!in_word_) begin_word(i);
        ++w_digits_;
        put(static_cast<char>(c), i + 1, false);
        return i + 1;
    case c_apos:
        if (in_word_ && i + 1 < in_.size() &&
            (klass(static_cast<unsigned char>(in_[i + 1])) == c_lower ||
             klass(static_cast<unsigned char>(in_[i + 1])) == c_upper)) {
            put('\'', i + 1, false);
            last_ = 0;
            return i + 1;
        }
        end_word();
        return i + 1;
    case c_leet: {
        if (c == '@' && !in_word_ && i + 1 < in_.size() &&
            ascii_letter_lower[static_cast<unsigned char>(in_[i + 1])] != 0) {
            // A mention: `@` and letters, taken whole when nothing may continue it.
            if (const auto end = take_mention(i); end != 0) return end;
        }
        bool starts = c == '@' || c == '$';
        if ((in_word_ || starts) && leet_run_continues(i)) {
            if (!in_word_) begin_word(i);
            ++w_syms_;
            put(static_cast<char>(c), i + 1, false);
            mark_run_ = 0;
            return i + 1;
        }
        end_word();
        if (c == '!') {
            punctuation_mark('!');
            end_sentence();
        } else {
            mark_run_ = 0;
        }
        return i + 1;
    }
    case c_qmark:
        end_word();
        punctuation_mark('?');
        end_sentence();
        return i + 1;
    case c_dot:
        end_word();
        if (!(i + 1 < in_.size() && is_alnum(static_cast<unsigned char>(in_[i + 1]))))
            end_sentence();
        return i + 1;
    case c_newline:
        end_sentence();
        quote_line_ = false;
        quote_ = false;   // straight quotes do not span lines
        line_start_ = true;
        return i + 1;
    case c_space:
        end_word();
        return i + 1;
    case c_dquote:
        toggle_quote(i + 1, true, true);
        return i + 1;
    case c_tick:
        return backtick(i);
    case c_gt:
        end_word();
        if (line_start_) {
            if (in_.substr(i, 3) == ">>>") {
                quote_block_ = true;
                line_start_ = false;
                return i + 3;
            }
            quote_line_ = true;
            line_start_ = false;
        }
        return i + 1;
    case c_lt:
        end_word();
        return skip_markup(i);
    default:
        if (c == ',' || c == ';' || c == ':' || c == '(' || c == ')' ||
            (c == '-' && i + 1 < in_.size() && (in_[i + 1] == ' ' || in_[i + 1] == '-')))
            end_clause();
        else
            end_word();
        return i + 1;
    }
}

// --- after the scan --------------------------------------------------------------------
void message_scan::finish()
{
    out_.sentences = sentence_ + (sentence_has_words_ ? 1 : 0);
    if (!vocab_) return;
    // Word folding (word_folding.hpp) is for rare tokens; the flags seen while scanning say
    // whether any token could need it (joined tokens come from singles and are never refolded).
    if (singles_ < 3 && (fold_flags_ & (token::leet | token::squeezed)) == 0) return;
    fold_words(in_, out_, *vocab_, singles_ >= 3, (fold_flags_ & (token::leet | token::squeezed)) != 0);
}

// Kept beside its callers: inlined, most calls end at the first byte.
// The first bytes of a possible URL (a word of letters): a four-byte compare rules out
// nearly all words before url_at() is asked. Asked of every word: a test of the first
// letter before it (h or w) was mispredicted about twice per message. (OR-ing 0x20 into
// every byte lower-cases letters and leaves `.` as is; what else it maps onto "http" or
// "www." url_at() rejects.)
bool message_scan::url_ahead(std::size_t i) const noexcept
{
    if (in_.size() - i < 4) return false;   // too short for "www." as for "http://"
    std::uint32_t head;
    std::memcpy(&head, in_.data() + i, 4);
    head |= 0x20202020u;
    std::uint32_t http, www;
    std::memcpy(&http, "http", 4);
    std::memcpy(&www, "www.", 4);
    return ((head == http) | (head == www)) && url_at(i);
}

}  // namespace scan

void normalizer::normalize(std::string_view text, normalized_text& out, const vocabulary* vocab, word_loop loop) const
{
    out.clear();
    if (text.size() > max_input_bytes) text = text.substr(0, max_input_bytes);
    scan::message_scan(text, out, vocab, loop).scan_message();
    quote_marks::list_candidates(text, out.quote_mark_bytes);
    mark_single_quoted(text, out.quote_mark_bytes, out);
}

}  // namespace nudgebot::engine
