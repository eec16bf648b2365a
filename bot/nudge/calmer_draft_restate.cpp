// Restating a message that has nothing left to keep once its attack is gone ("you idiot",
// "whatever", "uninstall pls"): the calmer draft then says what the writer seems to feel or want,
// in the words of the cue family that fired, and asks about the thing. What is honest differs per
// family, so each has its own wording:
//   - insults, contempt, swearing at someone: the frustration behind them, and a request to talk;
//   - blame: that something went wrong, and a request to look at what happened;
//   - a brush-off: that the writer does not agree or does not want the discussion now, and a
//     request to come back to it later (a calm "no", not agreement);
//   - trash talk in a game: that the round is going badly, and a plan for the next one;
//   - pushing someone out: that working together is not working for the writer, and a request to
//     sort it out directly (never a request to exclude);
//   - talking down to someone: that the two see it differently, and an offer to explain;
//   - a passive-aggressive jab: the complaint said openly, and a request to agree on next steps;
//   - denying what someone experienced: that the writer remembers it differently, and a request
//     to compare notes.
// Every mention (people first, in order), code span, link and #reference of the original is kept;
// a thing the message names (code, #reference, an acronym or a name with digits) goes into the
// question ("Could we go over `make check` together?"), links follow the question. The wording is picked from a few
// variants by a hash of the message, so the same message always gets the same draft and a channel
// of similar messages does not get one line over and over. The words themselves are the language
// pack's (suggestions.json, "restatements", one entry per family below).
#include "nudge/calmer_draft_steps.hpp"

#include <algorithm>
#include <array>

namespace nudgebot::nudge::drafting {

static_assert(tone_count == restatement_families.size(), "one restatement family per tone, in the same order");

namespace {

const restatement_wording& wording_of(const restatement_library& words, tone t)
{
    return words[static_cast<std::size_t>(t)];
}

// Short words in capitals that are chat, not names of things.
constexpr std::array<std::string_view, 28> chat_capitals{
    "AFK", "BRB", "BTW", "DM", "FFS", "FYI", "GG", "IDC", "IDK", "IIRC", "IMO", "IRL", "JFC", "LMAO", "LOL", "NGL",
    "OK", "OMG", "PLS", "PLZ", "ROFL", "SMH", "TBH", "TIL", "TL", "WTF", "YOLO", "OP"};

// A name of a thing outside the protected spans: a short acronym ("VLAN", "AWS") or a word that
// starts with a letter and mixes letters with digits or underscores ("v2", "prod_db"). Words in capitals of a message
// that shouts are not names, nor is anything inside a conflict cue ("1d10t" is an insult).
bool thing_name(std::string_view w, bool shouting)
{
    if (reads_as_shouting(w)) return false;
    int letters = 0, uppers = 0, digits = 0, marks = 0;
    for (char c : w) {
        if (is_alpha(c)) {
            ++letters;
            uppers += is_upper(c);
        } else if (c >= '0' && c <= '9') {
            ++digits;
        } else if (c == '_') {
            ++marks;
        } else {
            return false;
        }
    }
    if (letters == 0) return false;
    // "v2", "k8s", "prod_db" name things; "7am", "3rd", "40fps" are times and amounts.
    if (digits > 0 || marks > 0) return !(w[0] >= '0' && w[0] <= '9') && letters + digits + marks >= 2;
    if (shouting || uppers != letters || letters < 2 || letters > 4) return false;
    return std::find(chat_capitals.begin(), chat_capitals.end(), w) == chat_capitals.end();
}

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t h = 1469598103934665603ull;
    for (char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

std::string joined(const std::vector<std::string_view>& items)
{
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
        out.append(items[i]);
    }
    return out;
}

}  // namespace

namespace {

// What one rule says about the tone, read from its id and label.
struct rule_tone {
    std::optional<tone> formula;   // a formula family, which wins wherever it is
    bool blame = false, taunt = false;
};

rule_tone read_rule(const engine::cue& c)
{
    // Rule ids and labels are written in lower case (the packs' convention): searched as they are.
    auto in = [&](std::string_view part) { return has(c.rule_id, part) || has(c.label, part); };
    rule_tone r;
    // (a "hostile brush-off" is mostly an insult: "fuck off", "you disgust me")
    if ((in("dismiss") || in("brush")) && !in("hostile")) r.formula = tone::dismissal;
    else if (in("gaming") || in("gamer") || in("flaming")) r.formula = tone::trash_talk;
    else if (in("condescen") || in("talking down")) r.formula = tone::condescension;
    else if (in("passive") || in("sarcas") || in("scare_quote") || in("mocking quotes") || in("eye_roll") ||
             in("eye-roll") || in("vague_target") || in("without naming"))
        r.formula = tone::passive_aggression;
    else if (in("gaslight") || in("denying")) r.formula = tone::gaslighting;
    r.blame = in("blame") || in("pattern") || in("review") || in("why would you") || family_of(c) == family::verdict;
    r.taunt = in("taunt");
    return r;
}

// The reading of each rule met on this thread, kept with a copy of its id and label (so a rule
// set loaded later, whose views may reuse the same memory, is never read from a stale entry).
const rule_tone& tone_of_rule(const engine::cue& c)
{
    struct entry {
        std::string id, label;
        rule_tone reading;
    };
    thread_local std::vector<entry> known;
    for (const auto& e : known)
        if (e.id == c.rule_id && e.label == c.label) return e.reading;
    if (known.size() >= 512) known.clear();
    return known.push_back({std::string(c.rule_id), std::string(c.label), read_rule(c)}), known.back().reading;
}

}  // namespace

tone tone_of(std::string_view text, const engine::analysis& a)
{
    // A formula family (brush-off, gaming, talking down, passive aggression, denial) names what the
    // message does more closely than a generic insult or swear word, so it wins wherever it is;
    // modifiers and the learned signal name no family.
    std::optional<tone> formula;
    const engine::cue* strongest = nullptr;
    for (const auto& c : a.cues) {
        if (!heated(c) || has(c.rule_id, ".mod_") || c.rule_id.starts_with("learned.")) continue;
        if (!strongest || c.weight > strongest->weight) strongest = &c;
        if (!formula) formula = tone_of_rule(c).formula;
    }
    if (formula) return *formula;
    if (strongest) {
        const auto& r = tone_of_rule(*strongest);
        if (r.blame) return tone::blame;
        if (r.taunt) return tone::trash_talk;
    }
    // Pushing someone out of the group reads in its words, whatever rule caught the heat.
    const auto words = " " + bare_words(text) + " ";
    for (std::string_view w : {" nobody wants ", " no one wants ", " leave ", " kick ", " kicked ", " invite ",
                               " invited ", " belong ", " uninvite ", " not welcome ", " get out ", " quit ",
                               " ignore ", " without ", " nobody likes ", " no one likes ", " everyone hates "})
        if (has(words, w) && !(w == " without " && has(words, " without fail "))) return tone::exclusion;
    return tone::frustration;
}

std::string_view tone_change(const restatement_library& words, tone t) { return wording_of(words, t).leaves_out; }
std::string_view tone_how(const restatement_library& words, tone t) { return wording_of(words, t).said_as; }

restater::restater(std::string_view text, const engine::analysis& a, const restatement_library& restating, tone t)
    : wording_(&wording_of(restating, t))
{
    const auto& w = *wording_;
    const auto kept = protected_spans(text);
    std::vector<std::string_view> people, things;
    for (const auto& k : kept) {
        const auto s = text.substr(k.span.begin, k.span.end - k.span.begin);
        const bool person = k.kind == kept_kind::mention && (s[0] == '@' || s.starts_with("<@") || s.starts_with("<!"));
        if (person) {
            people.push_back(s);
        } else if (k.kind == kept_kind::link) {
            // A link reads as a pointer after the question, not as the thing asked about.
            tail_ += ' ';
            tail_.append(s);
        } else {
            things.push_back(s);
        }
    }
    // Names of things outside the protected spans and the cues, each once. A message mostly in
    // capitals has no acronyms (the engine does not call it shouting: nothing is in lower case).
    int words = 0, capital_words = 0;
    for (const auto& w : words_in(text, {0, static_cast<std::uint32_t>(text.size())})) {
        const auto s = text.substr(w.begin, w.end - w.begin);
        if (s.size() < 2) continue;
        ++words;
        capital_words += std::none_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    }
    const bool shouting = a.features.shouting || capital_words * 2 > words;
    auto in_cue = [&](std::size_t b, std::size_t e) {
        for (const auto& c : a.cues)
            if (c.cat == engine::category::conflict && c.weight > 0 &&
                overlaps(c.span, {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e)}))
                return true;
        return false;
    };
    std::size_t k = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (k < kept.size() && kept[k].span.begin <= i) {
            i = std::max<std::size_t>(i, kept[k++].span.end);
            continue;
        }
        const auto limit = k < kept.size() ? kept[k].span.begin : text.size();
        std::size_t e = i;
        while (e < limit && (is_alpha(text[e]) || (text[e] >= '0' && text[e] <= '9') || text[e] == '_')) ++e;
        if (e == i) {
            ++i;
            continue;
        }
        const auto word = text.substr(i, e - i);
        if (thing_name(word, shouting) && !in_cue(i, e) && std::find(things.begin(), things.end(), word) == things.end())
            things.push_back(word);
        i = e;
    }
    for (auto p : people) {
        lead_.append(p);
        lead_ += ' ';
    }
    thing_ = joined(things);
    asks_ = things.empty() ? &w.asks : &w.thing_asks;
    if (w.feelings.empty() || asks_->empty()) return;   // a family without lines: never restated
    const auto h = fnv1a(text);
    feeling0_ = h % w.feelings.size();
    ask0_ = (h / w.feelings.size()) % asks_->size();
}

std::size_t restater::count() const noexcept
{
    if (wording_->feelings.empty() || asks_->empty()) return 0;
    return std::max(wording_->feelings.size(), asks_->size());
}

std::string restater::variant(std::size_t n) const
{
    const auto& feelings = wording_->feelings;
    std::string draft = lead_;
    draft.append(feelings[(feeling0_ + n) % feelings.size()]);
    draft += ' ';
    const std::string_view ask = (*asks_)[(ask0_ + n) % asks_->size()];
    if (auto at = ask.find("{thing}"); at != std::string_view::npos) {
        draft.append(ask.substr(0, at));
        draft += thing_;
        draft.append(ask.substr(at + 7));
    } else {
        draft.append(ask);
    }
    draft += tail_;
    return draft;
}

std::vector<std::string> restatements(std::string_view text, const engine::analysis& a,
                                      const restatement_library& words, tone t, std::size_t max)
{
    const restater r(text, a, words, t);
    std::vector<std::string> out;
    for (std::size_t n = 0; n < max && n < r.count(); ++n) out.push_back(r.variant(n));
    return out;
}

}  // namespace nudgebot::nudge::drafting
