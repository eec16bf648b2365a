#include "nudge/reflection.hpp"

#include "nudge/text_spans.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace nudgebot::nudge {

namespace {

bool has(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

// Cues whose words must not be handed back (ending one's life, despair, self-blame).
bool unsafe_to_echo(const engine::cue& c)
{
    if (c.cat == engine::category::crisis) return true;
    for (std::string_view w : {"crisis", "end_wish", "despair", "hopeless", "self_critical", "die", "harm", "suicid"})
        if (has(c.rule_id, w)) return true;
    return false;
}

int preference(const engine::cue& c)
{
    for (std::string_view w : {"stressor", "situation", "event", "area", "weigh", "wearing", "pressure", "hardship"})
        if (has(c.rule_id, w)) return 2;
    return 1;
}

struct flip {
    std::string_view from, to;
};
constexpr std::array<flip, 14> flips{{{"i", "you"},
                                       {"i'm", "you're"},
                                       {"im", "you're"},
                                       {"i've", "you've"},
                                       {"ive", "you've"},
                                       {"i'll", "you'll"},
                                       {"i'd", "you'd"},
                                       {"me", "you"},
                                       {"my", "your"},
                                       {"mine", "yours"},
                                       {"myself", "yourself"},
                                       {"am", "are"},
                                       {"i’m", "you're"},
                                       {"i’ve", "you've"}}};

constexpr std::array<std::string_view, 29> leading_fillers{
    "and",   "but",     "so",    "honestly", "ugh",   "tbh",        "lol",   "ok",   "okay",  "well",
    "also",  "just",    "like",  "idk",      "sigh",  "man",        "guys",  "truthfully", "now", "lately",
    "today", "ngl",     "really", "actually", "still", "anyway",    "plus",  "because", "cause"};

// Words a reflected phrase may start with (it then reads after "It sounds like ...").
constexpr std::array<std::string_view, 24> subject_starts{
    "you",   "you're", "you've", "you'll", "you'd", "your",   "it",   "it's",  "this",   "that",  "the",  "there",
    "work",  "everything", "things", "we",   "our",  "we're",  "a",    "an",    "these",  "those", "all",  "nothing"};

}  // namespace

std::string situation_phrase(std::string_view text, const engine::analysis& analysis)
{
    if (analysis.flagged(engine::category::crisis)) return {};
    const engine::cue* best = nullptr;
    for (const auto& c : analysis.cues) {
        if (unsafe_to_echo(c)) return {};
        if (c.cat != engine::category::distress || c.weight <= 0 || has(c.rule_id, ".mod_")) continue;
        if (!best || preference(c) > preference(*best) ||
            (preference(c) == preference(*best) && c.weight > best->weight))
            best = &c;
    }
    if (!best || best->span.end > text.size()) return {};

    engine::byte_span region{~0u, 0};
    for (const auto& cl : clauses(text))
        if (overlaps(cl, best->span)) {
            region.begin = std::min(region.begin, cl.begin);
            region.end = std::max(region.end, cl.end);
        }
    if (region.end == 0) return {};
    // "X and Y" / "X but Y": only the part that holds the cue, when the cue sits in one part.
    for (std::string_view joint : {" and ", " but ", " so "}) {
        auto part = text.substr(region.begin, region.end - region.begin);
        auto at = part.find(joint);
        if (at == std::string_view::npos) continue;
        const auto split = region.begin + static_cast<std::uint32_t>(at);
        if (best->span.end <= split) region.end = split;
        else if (best->span.begin >= split + joint.size()) region.begin = split + static_cast<std::uint32_t>(joint.size());
    }
    auto clause = text.substr(region.begin, region.end - region.begin);
    if (!protected_spans(clause).empty()) return {};
    for (char c : clause)
        if (c == '"' || c == '`' || c == '*' || c == '_' || c == '\n' || c == '<' || c == '>' || c == '|') return {};

    // Words, with the punctuation inside them kept (apostrophes) and around them dropped.
    std::vector<std::string> words;
    std::string word;
    for (std::size_t i = 0; i <= clause.size(); ++i) {
        const char c = i < clause.size() ? clause[i] : ' ';
        if (c == ' ' || c == '\t' || c == '\r') {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
        } else {
            word.push_back(c);
        }
    }
    auto bare = [](std::string_view w) {
        std::size_t b = 0, e = w.size();
        while (b < e && !is_alnum(w[b]) && static_cast<unsigned char>(w[b]) < 0x80) ++b;
        while (e > b && !is_alnum(w[e - 1]) && w[e - 1] != '\'') --e;
        return lowered(w.substr(b, e - b));
    };
    while (!words.empty() &&
           (std::find(leading_fillers.begin(), leading_fillers.end(), bare(words.front())) != leading_fillers.end() ||
            bare(words.front()).empty()))
        words.erase(words.begin());
    while (!words.empty() && bare(words.back()).empty()) words.pop_back();
    if (words.size() < 2 || words.size() > max_situation_words) return {};

    std::string out;
    bool after_i = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        auto w = bare(words[i]);
        if (w == "you" || w == "your" || w == "you're" || w == "u" || w == "ur" || w == "yours" || w == "y'all")
            return {};   // it speaks to someone: handing it back would be wrong
        std::string shown;
        bool flipped = false;
        for (const auto& f : flips)
            if (w == f.from) {
                shown = f.to;
                flipped = true;
                break;
            }
        if (!flipped && after_i && (w == "was")) {
            shown = "were";
            flipped = true;
        }
        if (!flipped) {
            shown = words[i];
            // Inner punctuation stays; what ends the clause does not.
            if (i + 1 == words.size())
                while (!shown.empty() && !is_alnum(shown.back()) && static_cast<unsigned char>(shown.back()) < 0x80)
                    shown.pop_back();
            if (i == 0 && shown.size() > 1 && shown[0] >= 'A' && shown[0] <= 'Z' && shown[1] >= 'a' && shown[1] <= 'z' &&
                (w == "this" || w == "the" || w == "that" || w == "these" || w == "those" || w == "work" ||
                 w == "everything" || w == "it" || w == "been" || w == "having" || w == "dealing" || w == "trying" ||
                 w == "our" || w == "we" || w == "all" || w == "too" || w == "a" || w == "an"))
                shown[0] = lower(shown[0]);
        } else if (words[i].size() > w.size() && !is_alnum(words[i].back())) {
            // keep a comma after a flipped word inside the phrase
            if (i + 1 < words.size() && words[i].back() == ',') shown += ',';
        }
        after_i = w == "i";
        if (!out.empty()) out += ' ';
        out += shown;
    }
    while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':' || out.back() == '.' ||
                            out.back() == '!' || out.back() == '?'))
        out.pop_back();
    // One clause only, and never a warning sign handed back (those belong to the crisis pointer).
    for (std::string_view stop : {". ", "? ", "! ", "burden", "worthless", "hopeless", "pointless", "no point",
                                  "give up", "better off", "disappear", "can't go on"})
        if (lowered(out).find(stop) != std::string::npos) return {};
    // It must read after "It sounds like": a subject first, or one supplied for a bare verb
    // ("Running on empty" -> "you're running on empty", "feel awful" -> "you feel awful").
    auto first_end = out.find(' ');
    auto first = lowered(std::string_view(out).substr(0, first_end));
    if (std::find(subject_starts.begin(), subject_starts.end(), first) != subject_starts.end()) {
        if (out[0] >= 'A' && out[0] <= 'Z' && (out.size() < 2 || !(out[1] >= 'A' && out[1] <= 'Z')))
            out[0] = lower(out[0]);
        return out;
    }
    if (first.size() > 4 && first.ends_with("ing")) {
        out[0] = lower(out[0]);
        return "you're " + out;
    }
    if (first == "been") return "you've " + out;
    if (first == "feel" || first == "feeling" || first == "have" || first == "need" || first == "can't" ||
        first == "cant" || first == "don't" || first == "keep" || first == "hate" || first == "miss")
        return "you " + out;
    return {};
}

}  // namespace nudgebot::nudge
