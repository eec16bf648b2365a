// Turns raw message text into the tokens the matcher sees, each mapped back to original bytes.
//
// Contract: pure and reentrant; one `normalizer` may be shared by all threads, each thread owning
// its `normalized_text` (reused across messages so the hot path does not allocate once warm).
// Any byte sequence is accepted: invalid UTF-8 becomes a separator, NUL is a separator, nothing
// throws, work is linear in the input. Steps, in order (rules/README.md "Text as the matcher sees
// it"): UTF-8 validation; zero-width, variation-selector and combining-mark removal (zalgo);
// NFKC + case folding + accent stripping (utf8proc, skipped for ASCII); confusable folding
// (Cyrillic/Greek look-alikes, small capitals); letters squeezed to at most two repeats; emoji as
// one-code-point tokens; "quoted", `code` and `> ` quote lines marked; URLs and chat markup
// (`<@123>`) skipped; sentences split at . ! ? and newlines. With a vocabulary, a token that
// mixes letters with digits/symbols is leet-folded (`id10t`, `st*pid`, `@ss`) and a squeezed
// token is reduced further (`stuuupid`) only when the folded spelling is a known word, and runs of
// single characters (`k i l l`, `s.t.u.p.i.d`) are joined only when the joined word is known; so
// `800mg`, `2fa` and `a b c` stay as they are. Owner: engine.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/analysis.hpp"
#include "engine/vocabulary.hpp"

namespace nudgebot::engine {

struct token {
    enum flag : std::uint8_t {
        quoted = 1,      // inside quotes, a code span or a `> ` quote line
        emoji = 2,
        all_caps = 4,    // every letter was upper case in the original, 3+ letters
        folded = 8,      // text came from leet/squeeze/join folding
        has_letter = 16,
        leet = 32,       // letters mixed with digits/symbols (candidate for leet folding)
        squeezed = 64,   // a run of 3+ equal letters was cut to two
        single = 128,    // one ASCII letter/digit (candidate for joining `k i l l`)
    };
    std::uint32_t text_begin = 0;   // into normalized_text::chars
    std::uint32_t text_size = 0;
    std::uint32_t sentence = 0;     // 0-based sentence index
    std::uint32_t clause = 0;       // 0-based; also advances at , ; : ( ) and dashes
    byte_span span;                 // bytes of the original text
    word_id word = no_word;         // filled by the normaliser when it has a vocabulary
    std::uint16_t letters = 0;      // letter count (for shouting)
    std::uint8_t flags = 0;

    bool has(flag f) const noexcept { return (flags & f) != 0; }
};

// The bytes of token texts: like a std::string (data(), size(), clear()), but growing it leaves
// the new bytes uninitialised, so the normaliser can size it for a message without writing
// every byte first. Owner: engine.
class text_bytes {
public:
    text_bytes() = default;
    text_bytes(const text_bytes& o) { *this += o.view(); }
    // A moved-from text is empty (as a moved-from std::string in practice), not a size without
    // bytes.
    text_bytes(text_bytes&& o) noexcept
        : bytes_(std::move(o.bytes_)), size_(std::exchange(o.size_, 0)),
          capacity_(std::exchange(o.capacity_, 0))
    {}
    text_bytes& operator=(const text_bytes& o)
    {
        if (this != &o) {
            clear();
            *this += o.view();
        }
        return *this;
    }
    text_bytes& operator=(text_bytes&& o) noexcept
    {
        if (this != &o) {
            bytes_ = std::move(o.bytes_);
            size_ = std::exchange(o.size_, 0);
            capacity_ = std::exchange(o.capacity_, 0);
        }
        return *this;
    }

    const char* data() const noexcept { return bytes_.get(); }
    char* data() noexcept { return bytes_.get(); }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t capacity() const noexcept { return capacity_; }
    char operator[](std::size_t k) const noexcept { return bytes_[k]; }
    std::string_view view() const noexcept { return {bytes_.get(), size_}; }
    operator std::string_view() const noexcept { return view(); }
    void clear() noexcept { size_ = 0; }
    // Room for n bytes: keeps the first size() bytes, the others are uninitialised.
    void reserve(std::size_t n)
    {
        if (n <= capacity_) return;
        std::unique_ptr<char[]> bigger(new char[n]);
        if (size_ > 0) std::memcpy(bigger.get(), bytes_.get(), size_);
        bytes_ = std::move(bigger);
        capacity_ = n;
    }
    // n <= capacity(): the bytes up to n are whatever was written there.
    void set_size(std::size_t n) noexcept { size_ = n; }
    text_bytes& operator+=(std::string_view s)
    {
        if (size_ + s.size() > capacity_) reserve(std::max(2 * capacity_, size_ + s.size()));
        if (!s.empty()) std::memcpy(bytes_.get() + size_, s.data(), s.size());
        size_ += s.size();
        return *this;
    }

private:
    std::unique_ptr<char[]> bytes_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// Reusable output of normalize(); clear() keeps capacity.
struct normalized_text {
    text_bytes chars;   // token texts back to back
    std::vector<token> tokens;
    bool has_lower = false;           // some lower-case letter in the message (outside markup)
    bool question = false;            // a '?' outside quotes/code
    bool question_burst = false;      // "??", "?!" ...
    bool exclamation_burst = false;   // "!!" ...
    bool mention = false;             // <@123> markup outside quotes (plain @name words are tokens)
    std::uint32_t sentences = 0;
    // The bytes of the text that may start a quote mark, in order (' " or the lead byte of a
    // curly one: quote_marks::list_candidates()), for the quote searches.
    std::vector<std::uint32_t> quote_mark_bytes;

    std::string_view text(const token& t) const noexcept
    {
        return chars.view().substr(t.text_begin, t.text_size);
    }
    void clear() noexcept
    {
        chars.clear();
        tokens.clear();
        has_lower = question = question_burst = exclamation_burst = mention = false;
        sentences = 0;
        quote_mark_bytes.clear();
    }
};

class normalizer {
public:
    // Texts longer than this are analysed up to the limit (a chat message is far shorter; the
    // limit bounds the work per message). Spans stay valid for the analysed prefix.
    static constexpr std::size_t max_input_bytes = 1 << 20;

    // Which loop reads a word of plain ASCII letters: the fast one (plain_words(), with the
    // vocabulary's letter automaton when it has one) or only the general one that reads every
    // other byte. They must give identical output; `general_only` exists so that tests and the
    // differential fuzz target (tests/fuzz/fuzz_word_paths.cpp) can check that promise.
    enum class word_loop { fast, general_only };

    // `vocab` may be null (then no vocabulary-guided folding happens, as for lexicon terms).
    void normalize(std::string_view text, normalized_text& out, const vocabulary* vocab = nullptr,
                   word_loop loop = word_loop::fast) const;
};

// Folds one code point the way the normaliser does (confusables, small capitals) after case
// folding; returns the code point unchanged when there is nothing to fold. Exposed for tests.
char32_t fold_confusable(char32_t c) noexcept;

}  // namespace nudgebot::engine
