#include "nudge/calmer_draft_steps.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace nudgebot::nudge::drafting {

namespace {

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

}  // namespace

std::optional<rewrite_step> verdict_to_request(std::string_view text, const engine::cue& cue, text_structure& parts,
                                               bool only_specific)
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

}  // namespace nudgebot::nudge::drafting
