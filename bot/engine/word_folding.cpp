#include "engine/word_folding.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "engine/char_tables.hpp"

namespace nudgebot::engine {
namespace {

using chars::leet_readings;

class word_folding {
public:
    word_folding(std::string_view input, normalized_text& out, const vocabulary& vocab) noexcept
        : in_(input), out_(out), vocab_(&vocab)
    {
    }

    void run(bool join_singles, bool fold_spellings)
    {
        if (join_singles) join_spaced_runs();   // (a run to join has three at least)
        if (fold_spellings)
            for (auto& t : out_.tokens)
                if ((t.flags & (token::leet | token::squeezed)) && t.word == no_word) fold(t);
    }

private:
    // `k i l l`, `s.t.u.p.i.d`: runs of single characters separated by one space, dot, dash,
    // underscore or star, joined when the joined word is known.
    void join_spaced_runs()
    {
        auto& toks = out_.tokens;
        // Only a run of three or more singles can be joined; most texts have some single ("I",
        // "a") but no such run. Looking at the last of three first: no single at k rules out
        // the runs ending at k, k + 1 and k + 2, so most tokens are skipped.
        bool any = false;
        for (std::size_t k = 2; k < toks.size();) {
            if (!toks[k].has(token::single)) k += 3;
            else if (!toks[k - 1].has(token::single)) k += 2;
            else if (!toks[k - 2].has(token::single)) k += 1;
            else {
                any = true;
                break;
            }
        }
        if (!any) return;
        token joined;
        std::size_t write = 0;
        std::size_t i = 0;
        while (i < toks.size()) {
            std::size_t j = i;
            if (toks[i].has(token::single)) {
                while (j + 1 < toks.size() && j + 1 - i < 40 && toks[j + 1].has(token::single) &&
                       toks[j + 1].sentence == toks[i].sentence &&
                       toks[j + 1].span.begin == toks[j].span.end + 1 &&
                       std::string_view(" .-_*").find(in_[toks[j].span.end]) !=
                           std::string_view::npos &&
                       ((toks[j + 1].flags ^ toks[i].flags) & token::quoted) == 0)
                    ++j;
            }
            if (j - i + 1 >= 3) {
                // Longest known joined stretch starting at each position.
                std::size_t s = i;
                while (s <= j) {
                    std::size_t best_end = s;
                    for (std::size_t e = j; e >= s + 2; --e) {
                        if (try_join(s, e, joined)) {
                            best_end = e;
                            break;
                        }
                    }
                    if (best_end > s) {
                        toks[write++] = joined;
                        s = best_end + 1;
                    } else {
                        toks[write++] = toks[s++];
                    }
                }
            } else {
                for (std::size_t k = i; k <= j; ++k) toks[write++] = toks[k];
            }
            i = j + 1;
        }
        toks.resize(write);
    }

    bool try_join(std::size_t s, std::size_t e, token& joined)
    {
        auto& toks = out_.tokens;
        scratch_.size = 0;
        std::uint8_t flags = token::folded | (toks[s].flags & token::quoted);
        std::uint32_t letters = 0;
        std::uint32_t digits = 0;
        std::uint32_t caps = 0;
        for (std::size_t k = s; k <= e; ++k) {
            char c = out_.chars[toks[k].text_begin];
            scratch_.data[scratch_.size++] = c;   // at most 40 singles
            if (c >= '0' && c <= '9') ++digits;
            else ++letters;
            if (toks[k].has(token::all_caps) ||
                (in_[toks[k].span.begin] >= 'A' && in_[toks[k].span.begin] <= 'Z'))
                ++caps;
        }
        if (letters == 0) return false;
        std::string_view found;
        if (vocab_->known(scratch_.view())) {
            found = scratch_.view();
        } else if (digits > 0 && (found = fold_candidates(scratch_.view(), true, false)).empty()) {
            return false;
        } else if (digits == 0) {
            return false;
        }
        joined = token{};
        joined.text_begin = static_cast<std::uint32_t>(out_.chars.size());
        out_.chars += found;
        joined.text_size = static_cast<std::uint32_t>(found.size());
        joined.span = {toks[s].span.begin, toks[e].span.end};
        joined.sentence = toks[s].sentence;
        joined.clause = toks[s].clause;
        joined.letters = static_cast<std::uint16_t>(e - s + 1);
        flags |= token::has_letter;
        if (caps == e - s + 1 && e - s + 1 >= 3) flags |= token::all_caps;
        joined.flags = flags;
        joined.word = vocab_->find(found);
        return true;
    }

    // An unknown token with digits/symbols or squeezed letters: try the folded readings.
    void fold(token& t)
    {
        std::string_view text = out_.text(t);
        if (text.size() > 48) return;
        // A squeezed word that is known only through a prefix ("shitt" under "shit*") still
        // becomes the exact word its doubled letters stand for ("shit"), so that phrases such as
        // "oh shit" match it.
        // (A mention, `@name`, starts with a byte no word or prefix starts with.)
        const bool exact_only = vocab_->may_start(text[0]) && vocab_->known(text);
        if (exact_only && !t.has(token::squeezed)) return;
        auto found = fold_candidates(text, t.has(token::leet), exact_only);
        if (found.empty()) return;
        t.text_begin = static_cast<std::uint32_t>(out_.chars.size());
        t.text_size = static_cast<std::uint32_t>(found.size());
        std::string copy(found);   // `found` may point into chars, which may reallocate
        out_.chars += copy;
        t.flags |= token::folded;
        t.word = vocab_->find(copy);
    }

    // Tries leet readings (each symbol/digit as the letters it can stand for) and, for
    // doubled letters, single-letter readings; returns the first known spelling or "".
    // Callers have found that `text` itself does not fit (fold() has a token without a word id
    // and, unless exact_only, asked known(); try_join() asked known()), so a reading that
    // changes nothing is not asked again.
    std::string_view fold_candidates(std::string_view text, bool leet, bool exact_only)
    {
        // The readings are the text with each leet symbol or digit replaced by one of its
        // letters: candidate_ starts as the text and only those positions change (usually one
        // or none), turned like an odometer, first position fastest.
        const std::size_t n = std::min<std::size_t>(text.size(), 48);
        std::memcpy(candidate_.data, text.data(), n);
        candidate_.size = n;
        // Per leet position: where, its letters, how many; left uninitialised beyond m.
        std::uint8_t at[48];
        const char* options[48];
        std::uint8_t sizes[48];
        std::uint8_t pick[48];   // the reading taken at each
        std::size_t m = 0;
        std::size_t combos = 1;
        if (leet) {
            for (std::size_t k = 0; k < n; ++k) {
                const std::string_view o = leet_readings[static_cast<unsigned char>(text[k])];
                if (o.empty()) continue;
                at[m] = static_cast<std::uint8_t>(k);
                pick[m] = 0;
                options[m] = o.data();
                sizes[m] = static_cast<std::uint8_t>(o.size());
                ++m;
                combos *= o.size();
                if (combos > 64) return {};
            }
        }
        for (std::size_t p = 0; p < m; ++p) candidate_.data[at[p]] = options[p][0];
        for (std::size_t combo = 0; combo < combos; ++combo) {
            // (every leet reading differs from its symbol: with none, this is the text)
            if (!hopeless(candidate_.view()))
                if (auto hit = with_squeeze_variants(exact_only, m == 0); !hit.empty()) return hit;
            if (combo + 1 == combos) break;
            for (std::size_t p = 0; p < m; ++p) {   // odometer
                const bool carry = ++pick[p] == sizes[p];
                if (carry) pick[p] = 0;
                candidate_.data[at[p]] = options[p][pick[p]];
                if (!carry) break;
            }
        }
        return {};
    }

    // Whether no spelling with_squeeze_variants() tries for `c` can fit: they all start with
    // its first three bytes when neither the second nor the third equals the one before (only
    // the second of two equal letters is dropped), end with its last byte (which stays when a
    // doubled letter is dropped), and are up to four bytes shorter. No prefix shares those
    // three bytes (so none is shorter than three either) and no word has that first and last
    // byte and one of those sizes: the rejections find() and for_each_prefix() make.
    bool hopeless(std::string_view c) const noexcept
    {
        const std::size_t n = c.size();
        if (n < 3 || c[1] == c[0] || c[2] == c[1] || vocab_->may_have_prefix(c.data())) return false;
        for (std::size_t size = n > 4 ? n - 4 : 1; size <= n; ++size)
            if (vocab_->may_be_word(c[0], c[n - 1], size)) return false;
        return true;
    }

    // candidate_ as is (unless it is the text, which does not fit), then with up to four
    // doubled letters reduced to one each; with exact_only only an exact word (not a prefix
    // match) is accepted.
    std::string_view with_squeeze_variants(bool exact_only, bool is_text)
    {
        auto fits = [&](std::string_view w) {
            return exact_only ? vocab_->find(w) != no_word : vocab_->known(w);
        };
        if (!is_text && fits(candidate_.view())) return candidate_.view();
        std::array<std::size_t, 4> doubles{};
        std::size_t count = 0;
        const char* const c = candidate_.data;
        const std::size_t n = candidate_.size;
        for (std::size_t k = 1; k < n && count < doubles.size(); ++k)
            if (c[k] == c[k - 1] && c[k] >= 'a' && c[k] <= 'z') doubles[count++] = k;
        for (std::size_t mask = 1; mask < (std::size_t{1} << count); ++mask) {
            variant_.size = 0;
            std::size_t next = 0;
            for (std::size_t k = 0; k < n; ++k) {
                if (next < count && doubles[next] == k) {
                    bool drop = (mask >> next) & 1;
                    ++next;
                    if (drop) continue;
                }
                variant_.data[variant_.size++] = c[k];
            }
            if (fits(variant_.view())) return variant_.view();
        }
        return {};
    }

    std::string_view in_;
    normalized_text& out_;
    const vocabulary* vocab_;
    // Spellings tried, at most 48 bytes (longer tokens are not folded). Left uninitialised: most
    // messages fold nothing.
    struct spelling {
        char data[48];
        std::size_t size;
        std::string_view view() const noexcept { return {data, size}; }
    };
    spelling scratch_;
    spelling candidate_;
    spelling variant_;
};

}  // namespace

void fold_words(std::string_view input, normalized_text& out, const vocabulary& vocab, bool join_singles,
                bool fold_spellings)
{
    word_folding(input, out, vocab).run(join_singles, fold_spellings);
}

}  // namespace nudgebot::engine
