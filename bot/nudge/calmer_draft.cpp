#include "nudge/calmer_draft.hpp"

#include "nudge/text_spans.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace nudgebot::nudge {

namespace {

using engine::byte_span;

enum class family : std::uint8_t { verdict, profanity, attack };

bool has(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool sentence_mark(char c) { return c == '.' || c == '!' || c == '?'; }
bool clause_mark(char c) { return c == ',' || c == ';' || c == ':'; }

std::string lowered(std::string_view s)
{
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

// A cue's rule id and label in lower case, for asking what kind of cue it is; folded once into a
// buffer of its own (no allocation). Text beyond 120 bytes of either is not looked at.
class folded_cue {
public:
    explicit folded_cue(const engine::cue& c) : id_len_(fold(c.rule_id, 0)), label_len_(fold(c.label, id_len_) - id_len_) {}
    bool id_has(std::string_view part) const { return id().find(part) != std::string_view::npos; }
    bool label_has(std::string_view part) const { return label().find(part) != std::string_view::npos; }
    bool has(std::string_view part) const { return id_has(part) || label_has(part); }

private:
    std::string_view id() const { return {buf_.data(), id_len_}; }
    std::string_view label() const { return {buf_.data() + id_len_, label_len_}; }
    std::size_t fold(std::string_view s, std::size_t at)
    {
        for (std::size_t i = 0; i < s.size() && i < 120; ++i) buf_[at++] = lower(s[i]);
        return at;
    }
    std::array<char, 240> buf_;
    std::size_t id_len_, label_len_;
};

// `part` (lower case) occurs in `s` whatever the case of `s`.
bool has_folded(std::string_view s, std::string_view part)
{
    for (std::size_t i = 0; i + part.size() <= s.size(); ++i) {
        std::size_t j = 0;
        while (j < part.size() && lower(s[i + j]) == part[j]) ++j;
        if (j == part.size()) return true;
    }
    return false;
}

// `w` equals `lower_case` whatever its case; nothing is copied.
bool equals_folded(std::string_view w, std::string_view lower_case)
{
    if (w.size() != lower_case.size()) return false;
    for (std::size_t i = 0; i < w.size(); ++i)
        if (lower(w[i]) != lower_case[i]) return false;
    return true;
}

// Modifiers that only count loud features are undone by the first pass; the profanity modifier
// is a swear word like any other.
bool heated(const engine::cue& c)
{
    if (c.cat != engine::category::conflict || c.weight <= 0) return false;
    if (has(c.rule_id, ".mod_")) return has(c.rule_id, "profan") || has(c.rule_id, "swear");
    return true;
}

family family_of(const engine::cue& c)
{
    const folded_cue f(c);
    if (f.id_has("always") || f.id_has("never") || f.label_has("'you always") || f.label_has("you never"))
        return family::verdict;
    if (f.id_has("profan") || f.id_has("swear") || f.label_has("swearing") || f.label_has("profanity"))
        return family::profanity;
    return family::attack;
}

// "a contemptuous put-down ('you …')" -> "the contemptuous put-down"
std::string plain_change(std::string_view label)
{
    std::string l(label.substr(0, label.find(" (")));
    if (l.rfind("a ", 0) == 0) l = "the " + l.substr(2);
    else if (l.rfind("an ", 0) == 0) l = "the " + l.substr(3);
    else if (l.rfind("the ", 0) != 0) l = "the " + l;
    // "the X aimed at the person addressed" reads long in a reason line: keep its head.
    for (std::string_view cut : {" aimed at", " said to", " about a", " with a", " with heat", " on someone",
                                 " as the whole", " together with"}) {
        auto at = l.find(cut);
        if (at != std::string::npos && at > 4) l.resize(at);
    }
    return l;
}

struct word {
    std::uint32_t begin, end;
};

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

// What the rewrite reads from the draft as it stands (protected spans, clauses, sentences),
// worked out once per version of the text instead of once per use. A reference it returns stays
// valid until it is asked about another text.
class text_structure {
public:
    const std::vector<kept_span>& kept(std::string_view text)
    {
        refresh(text);
        if (!kept_) kept_ = protected_spans(text);
        return *kept_;
    }
    const std::vector<byte_span>& clauses(std::string_view text)
    {
        refresh(text);
        if (!clauses_) clauses_ = nudge::clauses(text, kept(text));
        return *clauses_;
    }
    const std::vector<byte_span>& sentences(std::string_view text)
    {
        refresh(text);
        if (!sentences_) sentences_ = nudge::sentences(text, kept(text));
        return *sentences_;
    }

private:
    void refresh(std::string_view text)
    {
        if (known_ && text == text_) return;
        text_.assign(text);
        known_ = true;
        kept_.reset();
        clauses_.reset();
        sentences_.reset();
    }
    std::string text_;
    bool known_ = false;
    std::optional<std::vector<kept_span>> kept_;
    std::optional<std::vector<byte_span>> clauses_, sentences_;
};

// ------------------------------------------------------------------ tidying

// Collapses what a cut leaves behind: doubled spaces, a space before punctuation, a clause mark
// right before a sentence mark, a line or the text starting with punctuation. Protected spans
// are copied as they are.
std::string tidy(std::string_view text, const std::vector<kept_span>& kept)
{
    std::string out;
    out.reserve(text.size());
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
    return out;
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

// ------------------------------------------------------------------ loud features

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

bool at_sentence_start(std::string_view text, std::size_t at)
{
    while (at > 0 && text[at - 1] == ' ') --at;
    return at == 0 || text[at - 1] == '\n' || sentence_mark(text[at - 1]);
}

// Lower-cases shouted words and shortens ?!/??/!!! bursts; records what it changed.
std::string calm_loud_features(std::string_view text, const engine::analysis& a, std::vector<std::string>& changes)
{
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

// ------------------------------------------------------------------ verdicts

std::string past_participle(const std::string& verb)
{
    static const std::array<std::pair<std::string_view, std::string_view>, 64> irregular{{
        {"break", "broken"},   {"forget", "forgotten"}, {"leave", "left"},    {"write", "written"},
        {"take", "taken"},     {"send", "sent"},        {"give", "given"},    {"bring", "brought"},
        {"tell", "told"},      {"see", "seen"},         {"put", "put"},       {"set", "set"},
        {"hit", "hit"},        {"lose", "lost"},        {"run", "run"},       {"read", "read"},
        {"build", "built"},    {"keep", "kept"},        {"hold", "held"},     {"choose", "chosen"},
        {"drive", "driven"},   {"eat", "eaten"},        {"show", "shown"},    {"steal", "stolen"},
        {"throw", "thrown"},   {"wear", "worn"},        {"feed", "fed"},      {"pay", "paid"},
        {"sell", "sold"},      {"spend", "spent"},      {"begin", "begun"},   {"catch", "caught"},
        {"find", "found"},     {"hide", "hidden"},      {"lead", "led"},      {"let", "let"},
        {"shake", "shaken"},   {"shoot", "shot"},       {"speak", "spoken"},  {"teach", "taught"},
        {"tear", "torn"},      {"blow", "blown"},       {"grow", "grown"},    {"draw", "drawn"},
        {"cut", "cut"},        {"shut", "shut"},        {"quit", "quit"},     {"split", "split"},
        {"spread", "spread"},  {"hurt", "hurt"},        {"make", "made"},     {"mess", "messed"},
        {"ship", "shipped"},   {"drop", "dropped"},     {"skip", "skipped"},  {"stop", "stopped"},
        {"commit", "committed"}, {"plan", "planned"},   {"submit", "submitted"}, {"tag", "tagged"},
        {"log", "logged"},     {"swap", "swapped"},     {"scrap", "scrapped"}, {"bury", "buried"},
    }};
    for (const auto& [base, pp] : irregular)
        if (verb == base) return std::string(pp);
    if (verb.size() < 3) return {};
    if (verb.back() == 'e') return verb + "d";
    if (verb.back() == 's' || verb.ends_with("ing")) return {};   // "breaks", "breaking": not a base form
    if (verb.back() == 'y' && std::string_view("aeiou").find(verb[verb.size() - 2]) == std::string_view::npos)
        return verb.substr(0, verb.size() - 1) + "ied";
    return verb + "ed";
}

bool is_one_of(std::string_view w, std::initializer_list<std::string_view> list)
{
    return std::find(list.begin(), list.end(), w) != list.end();
}

struct rewrite_step {
    std::string text;
    std::string change;
};

// "you always break the build" -> "the build got broken again. Could we look at how to avoid
// that next time?" Works on the clause holding the cue; nullopt when the clause is not of that shape.
std::optional<rewrite_step> verdict_to_request(std::string_view text, const engine::cue& cue, text_structure& parts,
                                               bool only_specific = false)
{
    const auto& all_clauses = parts.clauses(text);
    const auto& kept = parts.kept(text);
    for (const auto& cl : all_clauses) {
        if (!overlaps(cl, cue.span)) continue;
        auto ws = words_in(text, cl);
        // Mentions, code and links are not words of the sentence here ("@sam you never ...").
        std::erase_if(ws, [&](const word& w) { return inside_kept(kept, {w.begin, w.end}); });
        for (std::size_t i = 0; i + 1 < ws.size(); ++i) {
            if (!equals_folded(text.substr(ws[i].begin, ws[i].end - ws[i].begin), "you")) continue;
            auto adverb = lowered(text.substr(ws[i + 1].begin, ws[i + 1].end - ws[i + 1].begin));
            if (!is_one_of(adverb, {"always", "never", "constantly"})) continue;
            // What comes before "you" may only be a question lead or a connective.
            bool question = false;
            bool lead_ok = true;
            for (std::size_t j = 0; j < i; ++j) {
                auto lw = lowered(text.substr(ws[j].begin, ws[j].end - ws[j].begin));
                if (is_one_of(lw, {"why", "how", "come", "do", "does", "did", "can't", "cant", "must", "would"}))
                    question = true;
                else if (!is_one_of(lw, {"and", "but", "so", "seriously", "honestly", "again", "like", "because"}))
                    lead_ok = false;
            }
            if (!lead_ok) return std::nullopt;
            const bool never = adverb == "never";
            std::string verb = i + 2 < ws.size() ? lowered(text.substr(ws[i + 2].begin, ws[i + 2].end - ws[i + 2].begin)) : "";
            // The object: the rest of the clause after the verb, without its closing punctuation.
            std::uint32_t obj_begin = i + 2 < ws.size() ? ws[i + 2].end : cl.end;
            std::uint32_t obj_end = cl.end;
            while (obj_end > obj_begin && (sentence_mark(text[obj_end - 1]) || clause_mark(text[obj_end - 1]) ||
                                           is_space(text[obj_end - 1]) || text[obj_end - 1] == '1'))
                --obj_end;
            while (obj_begin < obj_end && is_space(text[obj_begin])) ++obj_begin;
            std::string object(text.substr(obj_begin, obj_end - obj_begin));
            // Pronouns of the person addressed become the thing itself.
            auto owords = words_in(object, {0, static_cast<std::uint32_t>(object.size())});
            std::string rebuilt;
            std::uint32_t at = 0;
            bool personal = false;
            for (const auto& ow : owords) {
                rebuilt.append(object, at, ow.begin - at);
                auto lw = lowered(std::string_view(object).substr(ow.begin, ow.end - ow.begin));
                if (lw == "your") rebuilt += "the";
                else if (is_one_of(lw, {"you", "yourself", "yours", "i", "me", "my", "us"})) personal = true;
                else rebuilt.append(object, ow.begin, ow.end - ow.begin);
                at = ow.end;
            }
            rebuilt.append(object, at, std::string::npos);
            for (std::string_view tail : {" again", " every time", " all the time", " every single time"})
                if (rebuilt.size() > tail.size() && lowered(rebuilt).ends_with(tail)) rebuilt.resize(rebuilt.size() - tail.size());
            auto first = lowered(std::string_view(rebuilt).substr(0, rebuilt.find(' ')));
            const bool vague = rebuilt.empty() || personal || is_one_of(first, {"it", "this", "that", "these", "those",
                                                                                 "everything", "anything", "something",
                                                                                 "stuff", "things", "to", "a", "an"});
            const bool helper_verb = is_one_of(verb, {"be", "are", "were", "have", "has", "had", "do", "does", "did",
                                                      "get", "go", "come", "want", "need", "say", "think", "seem",
                                                      "act", "look", "sound", "talk", "feel", "know", "try", "just",
                                                      "also", "complain", "whine", "argue", "listen", "care", "help",
                                                      "make", "take", "pull", "find", "mess", "screw"});
            const auto pp = past_participle(verb);
            const bool protected_in_object = inside_kept(kept, {obj_begin, obj_end});
            // Without a verdict rule behind it, only an object that is one thing: "the rota and then
            // complain about pages got ignored" is no sentence.
            if (only_specific)
                for (const auto& ow : owords)
                    if (is_one_of(lowered(std::string_view(object).substr(ow.begin, ow.end - ow.begin)),
                                  {"and", "but", "then", "because", "so", "while", "when", "which", "or", "if"}))
                        return std::nullopt;
            std::string observation, request;
            if (!vague && !helper_verb && !pp.empty()) {
                observation = rebuilt + (never ? " didn't get " + pp : " got " + pp + " again");
                request = never ? "Could we make sure that happens next time?" : "Could we look at how to avoid that next time?";
            } else if (!never && !protected_in_object && !only_specific) {
                observation = "this keeps happening";
                request = "Could we talk about how to avoid it next time?";
            } else {
                return std::nullopt;
            }
            // Replace from "you" (or the question lead) to the clause's end, then close the sentence
            // and add the request after it.
            const std::uint32_t from = question ? ws[0].begin : ws[i].begin;
            std::uint32_t sentence_end = cl.end;
            for (const auto& s : parts.sentences(text))
                if (s.begin <= cl.begin && cl.begin < s.end) sentence_end = s.end;
            std::string out(text.substr(0, from));
            if (at_sentence_start(text, from) && from < text.size() && is_upper(text[from]) && !observation.empty())
                observation[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(observation[0])));
            out += observation;
            if (obj_end < cl.end && !question) {
                // keep what closed the clause (", " or ".") unless it was a question
                auto tail = text.substr(obj_end, cl.end - obj_end);
                out.append(tail);
            }
            if (cl.end < sentence_end) out.append(text.substr(cl.end, sentence_end - cl.end));
            while (!out.empty() && (is_space(out.back()) || clause_mark(out.back()) || out.back() == '?' ||
                                    out.back() == '!'))
                out.pop_back();
            if (out.empty() || !sentence_mark(out.back())) out.push_back('.');
            out += ' ';
            out += request;
            if (sentence_end < text.size()) {
                std::string rest(text.substr(sentence_end));
                auto first = rest.find_first_not_of(" \t");
                if (first != std::string::npos && rest[first] >= 'a' && rest[first] <= 'z' &&
                    !inside_kept(kept, {static_cast<std::uint32_t>(sentence_end + first),
                                        static_cast<std::uint32_t>(sentence_end + first + 1)}))
                    rest[first] = static_cast<char>(rest[first] - 'a' + 'A');
                if (!is_space(rest.front())) out += ' ';
                out += rest;
            }
            auto change = "the '" + lowered(text.substr(ws[i].begin, ws[i + 1].end - ws[i].begin)) + "'";
            return rewrite_step{std::move(out), std::move(change)};
        }
    }
    return std::nullopt;
}

// ------------------------------------------------------------------ cutting

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

const std::vector<std::string_view> dangling_words{
    "the", "a",    "an",   "is",   "are",   "was",    "were",     "so",       "such",  "of",  "to",  "like",
    "as",  "this", "that", "my",   "your",  "his",    "her",      "their",    "our",   "you", "be",  "been",
    "very", "really", "total", "complete", "absolute", "what", "and", "or", "for", "with", "just", "it's",
    "get", "give", "gives", "piece", "bunch", "in", "on", "at", "by", "from", "about", "no", "not"};

// Words after which a deleted intensifier would leave the sentence broken ("own your shit
// instead" -> "own your instead"): the deleted word must be followed by a content word.
const std::vector<std::string_view> function_words{
    "instead", "about", "on", "up", "off", "out", "of", "with", "to", "for", "in", "at", "from", "and", "or",
    "but", "is", "was", "are", "were", "be", "been", "that", "this", "it", "you", "u", "me", "him", "her", "them",
    "us", "did", "do", "does", "was", "have", "has", "had", "will", "would", "can", "could", "should", "the", "a",
    "an", "so", "if", "then", "than", "when", "why", "how", "what", "who", "your", "ur", "my", "his", "their",
    "our", "its", "it's", "into", "onto", "over", "by", "as", "like", "just", "yourself", "up", "down"};

// Swear stems: only a tie-break between deletions that quiet a cue equally well, so that
// "READ THE DAMN WIKI" loses "DAMN", not "READ".
bool looks_like_swearing(std::string_view lw)
{
    for (std::string_view stem : {"fuck", "fck", "shit", "damn", "crap", "hell", "ass", "bitch", "bloody", "piss",
                                  "dick", "bastard", "bollock", "wank", "frick", "freak", "heck", "goddamn"})
        if (lw.find(stem) != std::string_view::npos) return true;
    return false;
}

// Deleting one word (or "the hell" / "the fuck" after a question word): acceptable only when a
// content word follows in the same clause, so the words around it still read whole.
std::optional<std::string> delete_word(std::string_view text, word w)
{
    std::size_t b = w.begin, e = w.end;
    // "how the fuck did you" -> "how did you"
    std::size_t pb = b;
    while (pb > 0 && text[pb - 1] == ' ') --pb;
    std::size_t wb = pb;
    while (wb > 0 && (is_alpha(text[wb - 1]) || text[wb - 1] == '\'')) --wb;
    const auto before = lowered(text.substr(wb, pb - wb));
    const auto self = lowered(text.substr(b, e - b));
    const bool the_x = before == "the" && is_one_of(self, {"fuck", "hell", "heck", "f", "frick", "fk"});
    if (the_x) b = wb;
    while (e < text.size() && text[e] == ' ') ++e;
    std::size_t ne = e;
    while (ne < text.size() && (is_alpha(text[ne]) || text[ne] == '\'')) ++ne;
    const auto next = lowered(text.substr(e, ne - e));
    const bool next_is_function = next.empty() ||
                                  std::find(function_words.begin(), function_words.end(), next) != function_words.end();
    // "the audio was shit for hours" -> "the audio was bad for hours" (the swear word is the
    // predicate; before an adjective it is only an intensifier and simply goes)
    if (is_one_of(before, {"is", "was", "are", "were", "looks", "sounds", "been"}) && next_is_function &&
        looks_like_swearing(self) && !is_one_of(self, {"hell", "heck"})) {
        std::string out(text.substr(0, b));
        out += "bad";
        out.append(text.substr(w.end));
        return out;
    }
    if (next.empty()) return std::nullopt;   // punctuation or the end follows: it was the point of the clause
    if (!the_x && std::find(function_words.begin(), function_words.end(), next) != function_words.end())
        return std::nullopt;
    if (the_x && before.empty()) return std::nullopt;
    std::string out(text.substr(0, b));
    // "a goddamn embarrassment" -> "an embarrassment"
    if (before == "a" && !the_x && std::string_view("aeiou").find(next.front()) != std::string_view::npos &&
        out.size() >= 2 && (out.ends_with("a ") || out.ends_with("A ")))
        out.insert(out.size() - 1, "n");
    out.append(text.substr(e));
    return out;
}

int count_rule(const engine::analysis& a, std::string_view rule)
{
    int n = 0;
    for (const auto& c : a.cues) n += c.rule_id == rule && heated(c);
    return n;
}

float heat(const engine::analysis& a)
{
    float h = 0;
    for (const auto& c : a.cues)
        if (heated(c)) h += c.weight;
    return h;
}

// Emphasis that stands alone as a clause after a verdict became a request ("... not once. ever."):
// it only insisted on the verdict.
constexpr std::array<std::string_view, 9> emphasis_markers{
    "not once", "ever", "not once ever", "not even once", "every time", "every single time", "every damn time",
    "as usual", "like always"};

// Sarcasm and exasperation markers that read as a jab when they stand alone as a clause of a
// heated message ("..., seriously?!", "great job everyone").
constexpr std::array<std::string_view, 26> sarcasm_markers{
    "seriously",   "really",       "wow",           "smh",          "ffs",          "unbelievable", "come on",
    "just saying", "great job",    "good job",      "nice going",   "nice job",     "well done",    "thanks a lot",
    "thanks for nothing", "bravo", "genius",        "whatever",     "great job everyone", "good job everyone",
    "nice one",    "/s",           "again",         "great work",   "great job team", "classic"};

// The clause's words, lower case, one space apart, without punctuation.
std::string bare_words(std::string_view clause)
{
    std::string out;
    out.reserve(clause.size());
    for (char c : clause) {
        if (is_alpha(c) || c == '/' || c == '\'') out.push_back(lower(c));
        else if (!out.empty() && out.back() != ' ') out.push_back(' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// Lexicographic order that looks at the first bytes before calling the library's compare (most
// words differ there). Words are never empty.
constexpr bool word_less(std::string_view a, std::string_view b) noexcept
{
    return a.front() != b.front() ? static_cast<unsigned char>(a.front()) < static_cast<unsigned char>(b.front()) : a < b;
}

// Every phrase of harm_phrases holds one of these words (sorted, for a binary search).
constexpr std::array<std::string_view, 35> harm_words{
    "address", "alive", "beat", "bleach", "burn", "dead", "die", "end", "face", "favor", "find", "fingers",
    "hope", "hurt", "jump", "k", "kill", "killing", "kys", "legs", "mom's", "neck", "punch", "regret", "rope",
    "run", "share", "shoot", "stab", "unalive", "urself", "watch", "where", "yours", "yourself"};
static_assert(std::is_sorted(harm_words.begin(), harm_words.end(), word_less));

// What carries_harm() looks for, in the words of bare_words() (sorted, for a binary search).
constexpr std::array<std::string_view, 40> harm_phrases{
    "beat you", "better hope", "bleach", "break your face", "break your fingers", "break your legs",
    "break your neck", "burn", "dead", "delete yourself", "die", "end you", "find out what", "hang yourself",
    "hurt you", "i know where", "jump off", "k y s", "kill", "kill urself", "kill yourself", "killing", "kys",
    "neck yourself", "off yourself", "post yours", "punch", "rope", "run into you", "share them here", "shoot",
    "stab", "still alive", "unalive", "uninstall yourself", "watch your back", "world a favor",
    "you'll regret", "your address", "your mom's"};
static_assert(std::is_sorted(harm_phrases.begin(), harm_phrases.end(), word_less));

// Words that threaten or wish harm (to the reader or anyone): a message holding them gets no
// calmer draft, since cutting around them could leave the threat looking mild.
bool carries_harm(std::string_view text)
{
    // Cheap first: every phrase of harm_phrases holds one of harm_words.
    const auto words = bare_words(text);
    bool maybe = false;
    for (std::size_t i = 0; i < words.size() && !maybe;) {
        auto end = words.find(' ', i);
        if (end == std::string::npos) end = words.size();
        const auto w = std::string_view(words).substr(i, end - i);
        maybe = std::binary_search(harm_words.begin(), harm_words.end(), w, word_less);
        i = end + 1;
    }
    if (!maybe) return false;
    // A phrase counts where it starts a word and ends one (or the text). The phrases are sorted,
    // so those that start with the word at hand are next to each other.
    const std::string_view all(words);
    for (std::size_t i = 0; i < all.size();) {
        auto end = all.find(' ', i);
        if (end == std::string_view::npos) end = all.size();
        const auto w = all.substr(i, end - i);
        const auto rest = all.substr(i);
        for (auto it = std::lower_bound(harm_phrases.begin(), harm_phrases.end(), w, word_less);
             it != harm_phrases.end() && it->starts_with(w); ++it)
            if (rest.starts_with(*it) && (rest.size() == it->size() || rest[it->size()] == ' ')) return true;
        i = end + 1;
    }
    return false;
}

// "did you even read the ticket before starting?": a question about something, asked with a jab.
// Returns where " even" is in the clause when the clause is such a question: a helper verb, "you
// even", then at least three words; nullopt for "are you even trying" and everything else.
std::optional<std::size_t> question_without_even(std::string_view clause, const std::string& words)
{
    static constexpr std::array<std::string_view, 14> helpers{"did", "do", "does", "have", "has", "had", "were",
                                                               "was", "are", "is", "can", "could", "would", "will"};
    const auto first_space = words.find(' ');
    if (first_space == std::string::npos ||
        std::find(helpers.begin(), helpers.end(), std::string_view(words).substr(0, first_space)) == helpers.end() ||
        words.compare(first_space, 10, " you even ") != 0)
        return std::nullopt;
    const auto after = std::string_view(words).substr(first_space + 10);
    if (std::count(after.begin(), after.end(), ' ') < 2) return std::nullopt;
    for (std::size_t i = 0; i + 5 <= clause.size(); ++i)
        if (clause[i] == ' ' && equals_folded(clause.substr(i + 1, 4), "even") &&
            (i + 5 == clause.size() || !is_alpha(clause[i + 5])))
            return i;
    return std::nullopt;
}

std::size_t word_count(std::string_view text)
{
    const auto words = bare_words(text);
    return words.empty() ? 0 : static_cast<std::size_t>(std::count(words.begin(), words.end(), ' ')) + 1;
}

}  // namespace

std::string calmer_draft::reason() const
{
    std::string out = "without ";
    for (std::size_t i = 0; i < changes.size(); ++i) {
        if (i > 0) out += i + 1 == changes.size() ? " and " : ", ";
        out += changes[i];
    }
    return changes.empty() ? std::string("in calmer words") : out;
}

std::optional<calmer_draft> calmer_rewrite(std::string_view text, const engine::analysis& analysis,
                                           const reanalyse_fn& reanalyse)
{
    constexpr int max_steps = 10;
    // Never a draft of words that threaten or wish harm (to the reader or anyone), nor of crisis
    // language or slurs: cutting around them could leave them looking mild.
    for (const auto& c : analysis.cues) {
        if (c.cat == engine::category::crisis) return std::nullopt;
        const folded_cue kind(c);
        if (kind.has("threat") || kind.has("harm") || kind.has("slur")) return std::nullopt;
    }
    if (carries_harm(text)) return std::nullopt;
    calmer_draft draft;
    // The loud features first (a cue that fired only with the capitals or the "??" around it
    // then needs no cut), then the cues that still fire; the reason names the cues first.
    std::vector<std::string> loud;
    draft.text = calm_loud_features(text, analysis, loud);
    text_structure parts;
    // A question asked with a jab ("did you even read the ticket before starting?") loses only its
    // "even" and stays a question about the thing.
    for (int questions = 0; questions < max_steps && has_folded(draft.text, "you even "); ++questions) {
        bool changed = false;
        for (const auto& cl : parts.clauses(draft.text)) {
            const auto piece = std::string_view(draft.text).substr(cl.begin, cl.end - cl.begin);
            if (auto at = question_without_even(piece, bare_words(piece))) {
                draft.text.erase(cl.begin + *at, 5);   // " even"
                if (std::find(loud.begin(), loud.end(), "the 'even'") == loud.end()) loud.emplace_back("the 'even'");
                changed = true;
                break;
            }
        }
        if (!changed) break;
    }
    // Every text analysed in this call, with its analysis: a candidate tried before (two regions
    // that cut the same words, a second rule trying the same clause) is not analysed again.
    std::vector<std::pair<std::string, engine::analysis>> seen;
    auto analyse = [&](const std::string& t, engine::analysis& out) {
        for (const auto& [known, a] : seen)
            if (known == t) {
                out = a;
                return;
            }
        reanalyse(t, out);
        if (seen.size() < 16) seen.emplace_back(t, out);
    };
    engine::analysis now;
    // `now` is the analysis of draft.text whenever `now_is_current`; a text that did not change
    // is not analysed again (the original's analysis is the one it would get).
    bool now_is_current = true;
    if (draft.text == text) now = analysis;
    else analyse(draft.text, now);
    std::vector<std::string_view> stuck;   // rules no step could quiet
    // A cue's family depends on its rule only: worked out once per rule in this call (a rule id
    // is a view into the compiled rules, which outlive the call).
    std::vector<std::pair<std::string_view, family>> families;
    auto family_of_rule = [&](const engine::cue& c) {
        for (const auto& [id, f] : families)
            if (id.data() == c.rule_id.data() && id.size() == c.rule_id.size()) return f;
        return families.emplace_back(c.rule_id, family_of(c)).second;
    };

    auto note = [&](std::string change) {
        if (std::find(draft.changes.begin(), draft.changes.end(), change) == draft.changes.end())
            draft.changes.push_back(std::move(change));
    };
    engine::analysis trial;
    // A verdict the original had ("you ALWAYS ...") is turned into an observation even when the
    // capitals were all that made its cue fire, and so is one that a rule of another family
    // caught ("@sam you never update the tracker" read as blame).
    const bool verdict_words = has_folded(draft.text, "you always") || has_folded(draft.text, "you never") ||
                               has_folded(draft.text, "you constantly");
    bool verdict_made_request = false;   // then emphasis left behind ("not once. ever.") may go too
    for (const auto& c : analysis.cues) {
        if (!heated(c)) continue;
        const bool named_verdict = family_of_rule(c) == family::verdict;
        if (!named_verdict && !verdict_words) continue;
        engine::cue whole = c;
        whole.span = {0, static_cast<std::uint32_t>(draft.text.size())};
        // Without a verdict rule, only a rewrite that names the thing ("the tracker didn't get updated").
        if (auto r = verdict_to_request(draft.text, whole, parts, !named_verdict)) {
            analyse(r->text, trial);
            if (heat(trial) <= heat(now)) {
                draft.text = std::move(r->text);
                std::swap(now, trial);
                note(std::move(r->change));
                verdict_made_request = true;
            }
        }
        break;
    }
    for (int step = 0; step < max_steps; ++step) {
        // Enough once the message no longer reads as heated: every further cut costs content.
        if (!now.flagged(engine::category::conflict)) break;
        const engine::cue* target = nullptr;
        for (const auto& c : now.cues)
            if (heated(c) && std::find(stuck.begin(), stuck.end(), c.rule_id) == stuck.end() &&
                (!target || c.weight > target->weight))
                target = &c;
        if (!target) break;
        const engine::cue cue = *target;
        const int before = count_rule(now, cue.rule_id);
        const float heat_before = heat(now);
        auto better = [&](const std::string& candidate) {
            if (candidate == draft.text) return false;
            analyse(candidate, trial);
            return count_rule(trial, cue.rule_id) < before && heat(trial) < heat_before;
        };
        // `trial` is the analysis of `analysed` (the candidate before any tidying).
        auto accept = [&](std::string candidate, std::string change, std::string_view analysed) {
            now_is_current = candidate == analysed;
            draft.text = std::move(candidate);
            std::swap(now, trial);
            note(std::move(change));
        };

        const auto fam = family_of_rule(cue);
        bool done = false;
        if (fam == family::verdict) {
            if (auto r = verdict_to_request(draft.text, cue, parts); r && better(r->text)) {
                accept(r->text, std::move(r->change), r->text);
                verdict_made_request = true;
                done = true;
            }
        }
        if (!done && fam == family::profanity) {
            const auto& kept = parts.kept(draft.text);
            // Of the deletions that quiet the cue, the one that lowers the heat most (swear words
            // first on a tie).
            std::optional<std::string> best_text;
            engine::analysis best_analysis;
            float best_heat = heat_before;
            bool best_swear = false;
            for (const auto& w : words_in(draft.text, cue.span)) {
                auto lw = lowered(std::string_view(draft.text).substr(w.begin, w.end - w.begin));
                if (inside_kept(kept, {w.begin, w.end}) ||
                    std::find(dangling_words.begin(), dangling_words.end(), lw) != dangling_words.end() ||
                    is_one_of(lw, {"i", "me", "you're", "we", "they", "he", "she", "it", "this"}))
                    continue;
                auto r = delete_word(draft.text, w);
                if (!r || !better(*r)) continue;
                const float h = heat(trial);
                const bool swear = looks_like_swearing(lw);
                if (!best_text || h < best_heat || (h == best_heat && swear && !best_swear)) {
                    best_text = std::move(r);
                    best_analysis = trial;
                    best_heat = h;
                    best_swear = swear;
                }
            }
            if (best_text) {
                trial = std::move(best_analysis);
                accept(tidy(*best_text), "the swearing", *best_text);
                done = true;
            }
        }
        if (!done) {
            // Named only when a cut is kept (plain_change() is string work).
            auto change = [&] {
                return fam == family::profanity ? std::string("the swearing")
                       : fam == family::verdict ? std::string("the verdict about the person")
                                                : plain_change(cue.label);
            };
            // Smallest first: the clause where the cue ends (where the insult or swear word
            // usually is), every clause it touches, then the same for sentences.
            const byte_span last_byte{cue.span.end > 0 ? cue.span.end - 1 : 0, cue.span.end};
            std::vector<byte_span> regions;
            for (const auto* pieces : {&parts.clauses(draft.text), &parts.sentences(draft.text)}) {
                byte_span touched{~0u, 0};
                for (const auto& p : *pieces) {
                    if (overlaps(p, last_byte)) regions.push_back(p);
                    if (overlaps(p, cue.span)) {
                        touched.begin = std::min(touched.begin, p.begin);
                        touched.end = std::max(touched.end, p.end);
                    }
                }
                if (touched.end != 0) regions.push_back(touched);
            }
            for (const auto& region : regions) {
                auto candidate = tidy(cut(draft.text, region));
                if (better(candidate)) {
                    accept(candidate, change(), candidate);
                    done = true;
                    break;
                }
            }
        }
        if (!done) stuck.push_back(cue.rule_id);
    }
    // One pass over the clauses, again after each cut: rhetorical jabs at the person ("are you
    // even trying", "what is wrong with you") go whether or not a cue still sees them; sarcasm
    // markers standing alone as a clause ("..., seriously?!", "great job everyone") go; and so do
    // single words the cuts left alone as a clause ("..., Colin").
    for (int cuts = 0; cuts < max_steps; ++cuts) {
        const auto& pieces = parts.clauses(draft.text);
        bool cut_one = false;
        for (const auto& cl : pieces) {
            const auto piece = std::string_view(draft.text).substr(cl.begin, cl.end - cl.begin);
            const auto words = bare_words(piece);
            if (words.empty()) continue;
            const bool jab = has(" " + words + " ", " you even ") || has(words, "wrong with you") ||
                             has(words, "are you kidding") || has(words, "are you serious");
            const bool sarcasm =
                !jab && (std::find(sarcasm_markers.begin(), sarcasm_markers.end(), words) != sarcasm_markers.end() ||
                         (verdict_made_request &&
                          std::find(emphasis_markers.begin(), emphasis_markers.end(), words) != emphasis_markers.end()));
            const bool lone_word = !jab && !sarcasm && !draft.changes.empty() && pieces.size() > 1 &&
                                   words.find(' ') == std::string::npos && protected_texts(piece).empty();
            if (!jab && !sarcasm && !lone_word) continue;
            auto candidate = tidy(cut(draft.text, cl));
            if (sarcasm && !has_own_words(candidate)) continue;
            draft.text = std::move(candidate);
            now_is_current = false;
            if (!lone_word) note("the '" + words + "'");
            cut_one = true;
            break;
        }
        if (!cut_one) break;
    }

    if (auto tidied = tidy(draft.text, parts.kept(draft.text)); tidied != draft.text) {
        draft.text = std::move(tidied);
        now_is_current = false;
    }
    for (auto& change : loud) note(std::move(change));
    // A few words left over from an attack are no draft.
    if (word_count(draft.text) < 4) return std::nullopt;
    if (draft.text == text || !has_own_words(draft.text, parts.kept(draft.text)) || !keeps_protected(text, draft.text))
        return std::nullopt;
    if (!now_is_current) analyse(draft.text, now);
    if (now.flagged(engine::category::conflict)) return std::nullopt;
    // A draft that starts mid-sentence after a cut reads better capitalised, as the original was
    // (a link it starts with stays as it is).
    const auto first_letter = std::find_if(text.begin(), text.end(), is_alpha);
    const auto& kept = parts.kept(draft.text);
    if (first_letter != text.end() && is_upper(*first_letter) && !draft.text.empty() && draft.text[0] >= 'a' &&
        draft.text[0] <= 'z' && (kept.empty() || kept.front().span.begin != 0))
        draft.text[0] = static_cast<char>(draft.text[0] - 'a' + 'A');
    return draft;
}

}  // namespace nudgebot::nudge
