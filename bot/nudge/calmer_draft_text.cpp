#include "nudge/calmer_draft_text.hpp"

namespace nudgebot::nudge::drafting {

namespace {

// Writes into a string sized up front to the most it can hold (these functions never lengthen
// the text), so appending a byte is a store, not a call that checks the capacity.
class char_sink {
public:
    explicit char_sink(std::size_t most) { buf_.resize(most); }
    bool empty() const noexcept { return n_ == 0; }
    std::size_t size() const noexcept { return n_; }
    char back() const noexcept { return buf_[n_ - 1]; }
    char operator[](std::size_t i) const noexcept { return buf_[i]; }
    void push_back(char c) noexcept { buf_[n_++] = c; }
    void pop_back() noexcept { --n_; }
    void append(std::string_view s) noexcept
    {
        s.copy(buf_.data() + n_, s.size());
        n_ += s.size();
    }
    std::string take() &&
    {
        buf_.resize(n_);
        return std::move(buf_);
    }

private:
    std::string buf_;
    std::size_t n_ = 0;
};

}  // namespace

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

bool has_folded(std::string_view s, std::string_view part)
{
    for (std::size_t i = 0; i + part.size() <= s.size(); ++i) {
        std::size_t j = 0;
        while (j < part.size() && lower(s[i + j]) == part[j]) ++j;
        if (j == part.size()) return true;
    }
    return false;
}

bool has_you_then(std::string_view text, std::initializer_list<std::string_view> next)
{
    for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
        if (lower(text[i]) != 'y' || !equals_folded(text.substr(i, 4), "you ")) continue;
        const auto rest = text.substr(i + 4);
        for (auto n : next)
            if (rest.size() >= n.size() && equals_folded(rest.substr(0, n.size()), n)) return true;
    }
    return false;
}

bool equals_folded(std::string_view w, std::string_view lower_case)
{
    if (w.size() != lower_case.size()) return false;
    for (std::size_t i = 0; i < w.size(); ++i)
        if (lower(w[i]) != lower_case[i]) return false;
    return true;
}

std::vector<word> words_in(std::string_view text, byte_span within)
{
    std::vector<word> out;
    std::uint32_t i = within.begin;
    while (i < within.end) {
        if (!is_alpha(text[i]) && text[i] != '\'') {
            ++i;
            continue;
        }
        std::uint32_t b = i;
        while (i < within.end && (is_alpha(text[i]) || text[i] == '\'' || static_cast<unsigned char>(text[i]) >= 0x80))
            ++i;
        out.push_back({b, i});
    }
    return out;
}

bool inside_kept(const std::vector<kept_span>& kept, byte_span s)
{
    for (const auto& k : kept)
        if (overlaps(k.span, s)) return true;
    return false;
}

bool at_sentence_start(std::string_view text, std::size_t at)
{
    while (at > 0 && text[at - 1] == ' ') --at;
    return at == 0 || text[at - 1] == '\n' || sentence_mark(text[at - 1]);
}

std::string bare_words(std::string_view clause)
{
    char_sink out(clause.size());
    for (char c : clause) {
        if (is_alpha(c) || c == '/' || c == '\'') out.push_back(lower(c));
        else if (!out.empty() && out.back() != ' ') out.push_back(' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return std::move(out).take();
}

std::size_t word_count(std::string_view text)
{
    // The words bare_words() would give, counted without building it.
    std::size_t n = 0;
    bool in_word = false;
    for (char c : text) {
        const bool part = is_alpha(c) || c == '/' || c == '\'';
        n += part && !in_word;
        in_word = part;
    }
    return n;
}

std::size_t own_word_count(std::string_view text, const std::vector<kept_span>& kept)
{
    // Words of the writer's own: not inside code, links or mentions, not on a quoted line.
    std::size_t n = 0, k = 0;
    bool in_word = false, quoted = !text.empty() && text[0] == '>';
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (k < kept.size() && kept[k].span.begin == i) {
            i = kept[k++].span.end - 1;
            in_word = false;
            continue;
        }
        const char c = text[i];
        if (c == '\n') quoted = i + 1 < text.size() && text[i + 1] == '>';
        const bool part = !quoted && (is_alpha(c) || c == '/' || c == '\'');
        n += part && !in_word;
        in_word = part;
    }
    return n;
}

// Collapses what a cut leaves behind: doubled spaces, a space before punctuation, a clause mark
// right before a sentence mark, a line or the text starting with punctuation. Protected spans
// are copied as they are.
std::string tidy(std::string_view text, const std::vector<kept_span>& kept)
{
    char_sink out(text.size());
    std::size_t k = 0;
    auto last_kept_end = std::string::npos;   // out.size() right after a protected span
    for (std::size_t i = 0; i < text.size();) {
        if (k < kept.size() && kept[k].span.begin == i) {
            out.append(text.substr(i, kept[k].span.end - i));
            i = kept[k++].span.end;
            last_kept_end = out.size();
            continue;
        }
        char c = text[i++];
        const bool at_line_start = out.empty() || out.back() == '\n';
        const bool after_kept = last_kept_end == out.size();
        if (c == ' ' || c == '\t') {
            if (at_line_start || (!out.empty() && out.back() == ' ')) continue;
            out.push_back(' ');
            continue;
        }
        if (c == '\n') {
            while (!out.empty() && out.back() == ' ') out.pop_back();
            if (!out.empty() && clause_mark(out.back()) && last_kept_end != out.size()) out.pop_back();
            if (out.size() >= 2 && out.back() == '\n' && out[out.size() - 2] == '\n') continue;
            if (!out.empty()) out.push_back('\n');
            continue;
        }
        if (sentence_mark(c) || clause_mark(c)) {
            if (at_line_start) continue;   // nothing before it any more
            if (!after_kept) {
                while (!out.empty() && out.back() == ' ') out.pop_back();
                if (out.empty() || out.back() == '\n') continue;
            }
            const char prev = out.back();
            if (!after_kept && clause_mark(c) && (clause_mark(prev) || sentence_mark(prev))) continue;
            if (!after_kept && sentence_mark(c) && clause_mark(prev)) out.pop_back();
            else if (!after_kept && c == '.' && (prev == '!' || prev == '?') && (i >= text.size() || text[i] != '.'))
                continue;
            out.push_back(c);
            continue;
        }
        if (c == '-' && at_line_start && i < text.size() && text[i] == ' ') continue;   // a dangling dash
        out.push_back(c);
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || clause_mark(out.back()) ||
                            (out.back() == '-' && last_kept_end != out.size())))
        out.pop_back();
    return std::move(out).take();
}

std::string tidy(std::string_view text) { return tidy(text, protected_spans(text)); }

bool has_own_words(std::string_view text, const std::vector<kept_span>& kept)
{
    int letters = 0;
    std::size_t k = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (k < kept.size() && kept[k].span.begin == i) {
            i = kept[k++].span.end - 1;
            continue;
        }
        if (is_alpha(text[i]) && ++letters >= 3) return true;
    }
    return false;
}

bool has_own_words(std::string_view text) { return has_own_words(text, protected_spans(text)); }

// The text without [b, e), keeping the protected spans inside it (and a sentence end when the cut
// closed a sentence that goes on before it).
std::string cut(std::string_view text, byte_span piece)
{
    std::string out(text.substr(0, piece.begin));
    auto region = text.substr(piece.begin, piece.end - piece.begin);
    for (auto k : protected_texts(region)) {
        out += ' ';
        out.append(k);
    }
    std::size_t last = region.find_last_not_of(" \t\r\n\"')");
    const auto before = out.find_last_not_of(" \t\r\n");
    const bool closed_before = before == std::string::npos || sentence_mark(out[before]) || out[before] == '\n';
    if (last != std::string_view::npos && sentence_mark(region[last]) && !closed_before) out += '.';
    if (piece.end < text.size()) {
        out += ' ';
        out.append(text.substr(piece.end));
    }
    return out;
}

}  // namespace nudgebot::nudge::drafting
