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

#include <cstdint>
#include <string>
#include <string_view>
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

// Reusable output of normalize(); clear() keeps capacity.
struct normalized_text {
    std::string chars;   // token texts back to back
    std::vector<token> tokens;
    bool has_lower = false;           // some lower-case letter in the message (outside markup)
    bool question = false;            // a '?' outside quotes/code
    bool question_burst = false;      // "??", "?!" ...
    bool exclamation_burst = false;   // "!!" ...
    bool mention = false;             // <@123> markup outside quotes (plain @name words are tokens)
    std::uint32_t sentences = 0;

    std::string_view text(const token& t) const noexcept
    {
        return std::string_view(chars).substr(t.text_begin, t.text_size);
    }
    void clear() noexcept
    {
        chars.clear();
        tokens.clear();
        has_lower = question = question_burst = exclamation_burst = mention = false;
        sentences = 0;
    }
};

class normalizer {
public:
    // Texts longer than this are analysed up to the limit (a chat message is far shorter; the
    // limit bounds the work per message). Spans stay valid for the analysed prefix.
    static constexpr std::size_t max_input_bytes = 1 << 20;

    // `vocab` may be null (then no vocabulary-guided folding happens, as for lexicon terms).
    void normalize(std::string_view text, normalized_text& out,
                   const vocabulary* vocab = nullptr) const;
};

// Folds one code point the way the normaliser does (confusables, small capitals) after case
// folding; returns the code point unchanged when there is nothing to fold. Exposed for tests.
char32_t fold_confusable(char32_t c) noexcept;

}  // namespace nudgebot::engine
