#include "nudge/calmer_draft_steps.hpp"

#include <algorithm>
#include <array>

namespace nudgebot::nudge::drafting {

namespace {

constexpr std::array<std::string_view, 59> shouted_short_words{
    "YOU", "THE", "AND", "NOT", "WHY", "HOW", "WHO", "WHAT", "THIS", "THAT", "STOP", "WAS", "ARE", "DID", "CAN",
    "WILL", "JUST", "EVEN", "EVER", "NOW", "ALL", "GET", "GOT", "HAVE", "HAS", "FOR", "YOUR", "IS", "IT", "TO",
    "DO", "DONT", "DON'T", "ME", "MY", "WE", "OUR", "SO", "NO", "YES", "OF", "IN", "ON", "AT", "BE", "BUT", "OR",
    "IF", "WHEN", "ONCE", "HERE", "VERY", "MUCH", "DONE", "READ", "SAID", "TOLD", "ONE", "UP"};

// A word in capitals reads as shouting unless it looks like the name of something (an acronym
// of up to four letters that is not an everyday word, or a word with digits or underscores).
bool shouted(std::string_view w)
{
    int letters = 0;
    for (char c : w) {
        if (is_alpha(c)) {
            if (!is_upper(c)) return false;
            ++letters;
        } else if (c != '\'') {
            return false;
        }
    }
    if (letters < 2) return false;
    if (letters >= 5) return true;
    return std::find(shouted_short_words.begin(), shouted_short_words.end(), w) != shouted_short_words.end();
}

}  // namespace

bool reads_as_shouting(std::string_view w) { return shouted(w); }

std::string calm_loud_features(std::string_view text, const engine::analysis& a, std::vector<std::string>& changes)
{
    // Most messages have neither two capitals in a row nor a burst of marks: nothing to lower.
    bool loud = false;
    for (std::size_t i = 0; i + 1 < text.size() && !loud; ++i) {
        const char c = text[i], d = text[i + 1];
        loud = (is_upper(c) && is_upper(d)) || ((c == '?' || c == '!') && (d == '?' || d == '!' || d == '1'));
    }
    if (!loud) return std::string(text);
    std::string out(text);
    const auto kept = protected_spans(text);
    // The words outside protected spans, found once (spans and words are both in text order).
    auto words = words_in(text, {0, static_cast<std::uint32_t>(text.size())});
    if (!kept.empty()) {
        std::size_t k = 0;
        std::erase_if(words, [&](const word& w) {
            while (k < kept.size() && kept[k].span.end <= w.begin) ++k;
            return k < kept.size() && kept[k].span.begin < w.end;
        });
    }
    bool lowered_any = false;
    int shouted_words = 0;
    for (const auto& w : words) shouted_words += shouted(text.substr(w.begin, w.end - w.begin));
    int all_words = 0, capital_words = 0;
    for (const auto& w : words) {
        auto s = text.substr(w.begin, w.end - w.begin);
        if (s.size() < 2) continue;
        ++all_words;
        capital_words += std::none_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    }
    // A message all in capitals: every word of four letters or more reads as shouting.
    const bool all_caps = all_words >= 3 && capital_words * 10 >= all_words * 7;
    // A message all in capitals is not "shouting" to the engine (no mixed case) but reads as it.
    if (a.features.shouting || shouted_words >= 2 || all_caps) {
        for (const auto& w : words) {
            auto s = text.substr(w.begin, w.end - w.begin);
            const bool long_caps = all_caps && s.size() >= 4 &&
                                   std::none_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
            if (!(shouted(s) || long_caps)) continue;
            const bool capital = at_sentence_start(text, w.begin);
            for (auto i = w.begin; i < w.end; ++i) out[i] = (i == w.begin && capital) ? out[i] : lower(out[i]);
            lowered_any = true;
        }
    }
    if (lowered_any) changes.emplace_back("the capitals");
    // Most messages have no burst of marks: then there is nothing more to do.
    bool any_burst = false;
    for (auto at = out.find_first_of("?!"); at != std::string::npos && !any_burst; at = out.find_first_of("?!", at + 1))
        any_burst = at + 1 < out.size() && (out[at + 1] == '?' || out[at + 1] == '!' || out[at + 1] == '1');
    if (!any_burst) return out;
    std::string result;
    result.reserve(out.size());
    std::string burst_seen;
    std::size_t k = 0;
    for (std::size_t i = 0; i < out.size();) {
        if (k < kept.size() && kept[k].span.begin == i) {
            result.append(out, i, kept[k].span.end - i);
            i = kept[k++].span.end;
            continue;
        }
        if (out[i] == '?' || out[i] == '!') {
            std::size_t j = i;
            bool question = false;
            while (j < out.size() && (out[j] == '?' || out[j] == '!' || out[j] == '1')) {
                question = question || out[j] == '?';
                ++j;
            }
            // "!1" is a shouted "!!"; a lone "1" after one mark is a digit, keep it.
            while (j > i + 1 && out[j - 1] == '1' && out[j - 2] != '!' && out[j - 2] != '1') --j;
            if (j - i >= 2) {
                if (burst_seen.empty()) burst_seen = out.substr(i, std::min<std::size_t>(j - i, 4));
                result.push_back(question ? '?' : '!');
                i = j;
                continue;
            }
        }
        result.push_back(out[i++]);
    }
    if (!burst_seen.empty()) changes.push_back("the '" + burst_seen + "'");
    return result;
}

}  // namespace nudgebot::nudge::drafting
