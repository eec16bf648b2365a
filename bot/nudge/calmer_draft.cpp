#include "nudge/calmer_draft.hpp"

#include "nudge/text_spans.hpp"

#include <algorithm>
#include <array>
#include <cctype>

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
    const auto id = lowered(c.rule_id);
    const auto label = lowered(c.label);
    if (has(id, "always") || has(id, "never") || has(label, "'you always") || has(label, "you never"))
        return family::verdict;
    if (has(id, "profan") || has(id, "swear") || has(label, "swearing") || has(label, "profanity"))
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

// ------------------------------------------------------------------ tidying

// Collapses what a cut leaves behind: doubled spaces, a space before punctuation, a clause mark
// right before a sentence mark, a line or the text starting with punctuation. Protected spans
// are copied as they are.
std::string tidy(std::string_view text)
{
    const auto kept = protected_spans(text);
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

bool has_own_words(std::string_view text)
{
    const auto kept = protected_spans(text);
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

// ------------------------------------------------------------------ loud features

constexpr std::array<std::string_view, 58> shouted_short_words{
    "YOU", "THE", "AND", "NOT", "WHY", "HOW", "WHO", "WHAT", "THIS", "THAT", "STOP", "WAS", "ARE", "DID", "CAN",
    "WILL", "JUST", "EVEN", "EVER", "NOW", "ALL", "GET", "GOT", "HAVE", "HAS", "FOR", "YOUR", "IS", "IT", "TO",
    "DO", "DONT", "DON'T", "ME", "MY", "WE", "OUR", "SO", "NO", "YES", "OF", "IN", "ON", "AT", "BE", "BUT", "OR",
    "IF", "WHEN", "ONCE", "HERE", "VERY", "MUCH", "DONE", "READ", "SAID", "TOLD", "ONE"};

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
    bool lowered_any = false;
    if (a.features.shouting) {
        for (const auto& w : words_in(text, {0, static_cast<std::uint32_t>(text.size())})) {
            auto s = text.substr(w.begin, w.end - w.begin);
            if (inside_kept(kept, {w.begin, w.end}) || !shouted(s)) continue;
            const bool capital = at_sentence_start(text, w.begin);
            for (auto i = w.begin; i < w.end; ++i) out[i] = (i == w.begin && capital) ? out[i] : lower(out[i]);
            lowered_any = true;
        }
    }
    if (lowered_any) changes.emplace_back("the capitals");
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
std::optional<rewrite_step> verdict_to_request(std::string_view text, const engine::cue& cue)
{
    const auto all_clauses = clauses(text);
    const auto kept = protected_spans(text);
    for (const auto& cl : all_clauses) {
        if (!overlaps(cl, cue.span)) continue;
        auto ws = words_in(text, cl);
        for (std::size_t i = 0; i + 1 < ws.size(); ++i) {
            auto w = lowered(text.substr(ws[i].begin, ws[i].end - ws[i].begin));
            auto adverb = lowered(text.substr(ws[i + 1].begin, ws[i + 1].end - ws[i + 1].begin));
            if (w != "you" || !is_one_of(adverb, {"always", "never", "constantly"})) continue;
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
            std::string observation, request;
            if (!vague && !helper_verb && !pp.empty()) {
                observation = rebuilt + (never ? " didn't get " + pp : " got " + pp + " again");
                request = never ? "Could we make sure that happens next time?" : "Could we look at how to avoid that next time?";
            } else if (!never && !protected_in_object) {
                observation = "this keeps happening";
                request = "Could we talk about how to avoid it next time?";
            } else {
                return std::nullopt;
            }
            // Replace from "you" (or the question lead) to the clause's end, then close the sentence
            // and add the request after it.
            const std::uint32_t from = question ? ws[0].begin : ws[i].begin;
            std::uint32_t sentence_end = cl.end;
            for (const auto& s : sentences(text))
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
            while (!out.empty() && (is_space(out.back()) || clause_mark(out.back()))) out.pop_back();
            if (!out.empty() && out.back() == '?') out.back() = '.';
            if (out.empty() || !sentence_mark(out.back())) out.push_back('.');
            out += ' ';
            out += request;
            if (sentence_end < text.size()) {
                if (!is_space(text[sentence_end])) out += ' ';
                out.append(text.substr(sentence_end));
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
    if (last != std::string_view::npos && sentence_mark(region[last])) out += '.';
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

// Deleting one word: acceptable when the words left around it still read whole.
std::optional<std::string> delete_word(std::string_view text, word w)
{
    std::size_t b = w.begin, e = w.end;
    while (e < text.size() && text[e] == ' ') ++e;
    // the word before and the byte after
    std::size_t pb = b;
    while (pb > 0 && text[pb - 1] == ' ') --pb;
    std::size_t wb = pb;
    while (wb > 0 && (is_alpha(text[wb - 1]) || text[wb - 1] == '\'')) --wb;
    auto before = lowered(text.substr(wb, pb - wb));
    const bool ends_piece = e >= text.size() || sentence_mark(text[e]) || clause_mark(text[e]) || text[e] == '\n';
    if (ends_piece && (before.empty() || std::find(dangling_words.begin(), dangling_words.end(), before) !=
                                             dangling_words.end()))
        return std::nullopt;
    std::string out(text.substr(0, b));
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
    calmer_draft draft;
    draft.text = calm_loud_features(text, analysis, draft.changes);
    engine::analysis now;
    reanalyse(draft.text, now);
    std::vector<std::string_view> stuck;   // rules no step could quiet

    auto note = [&](std::string change) {
        if (std::find(draft.changes.begin(), draft.changes.end(), change) == draft.changes.end())
            draft.changes.push_back(std::move(change));
    };
    engine::analysis trial;
    for (int step = 0; step < max_steps; ++step) {
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
            reanalyse(candidate, trial);
            return count_rule(trial, cue.rule_id) < before && heat(trial) < heat_before;
        };
        auto accept = [&](std::string candidate, std::string change) {
            draft.text = std::move(candidate);
            std::swap(now, trial);
            note(std::move(change));
        };

        const auto fam = family_of(cue);
        bool done = false;
        if (fam == family::verdict) {
            if (auto r = verdict_to_request(draft.text, cue); r && better(r->text)) {
                accept(std::move(r->text), std::move(r->change));
                done = true;
            }
        }
        if (!done && fam == family::profanity) {
            const auto kept = protected_spans(draft.text);
            for (const auto& w : words_in(draft.text, cue.span)) {
                auto lw = lowered(std::string_view(draft.text).substr(w.begin, w.end - w.begin));
                if (inside_kept(kept, {w.begin, w.end}) ||
                    std::find(dangling_words.begin(), dangling_words.end(), lw) != dangling_words.end() ||
                    is_one_of(lw, {"i", "me", "you're", "we", "they", "he", "she", "it", "this"}))
                    continue;
                if (auto r = delete_word(draft.text, w); r && better(*r)) {
                    accept(tidy(*r), "the swearing");
                    done = true;
                    break;
                }
            }
        }
        if (!done) {
            const auto change = fam == family::profanity ? std::string("the swearing")
                                : fam == family::verdict ? std::string("the verdict about the person")
                                                         : plain_change(cue.label);
            for (const auto& pieces : {clauses(draft.text), sentences(draft.text)}) {
                byte_span region{~0u, 0};
                for (const auto& p : pieces)
                    if (overlaps(p, cue.span)) {
                        region.begin = std::min(region.begin, p.begin);
                        region.end = std::max(region.end, p.end);
                    }
                if (region.end == 0) continue;
                auto candidate = tidy(cut(draft.text, region));
                if (better(candidate)) {
                    accept(std::move(candidate), change);
                    done = true;
                    break;
                }
            }
        }
        if (!done) stuck.push_back(cue.rule_id);
    }
    draft.text = tidy(draft.text);
    if (draft.text == text || !has_own_words(draft.text) || !keeps_protected(text, draft.text)) return std::nullopt;
    reanalyse(draft.text, now);
    if (now.flagged(engine::category::conflict)) return std::nullopt;
    // A draft that starts mid-sentence after a cut reads better capitalised, as the original was.
    const auto first_letter = std::find_if(text.begin(), text.end(), is_alpha);
    if (first_letter != text.end() && is_upper(*first_letter) && !draft.text.empty() && draft.text[0] >= 'a' &&
        draft.text[0] <= 'z')
        draft.text[0] = static_cast<char>(draft.text[0] - 'a' + 'A');
    return draft;
}

}  // namespace nudgebot::nudge
