#include "nudge/calmer_draft.hpp"

#include "nudge/calmer_draft_steps.hpp"
#include "nudge/calmer_draft_text.hpp"
#include "nudge/text_spans.hpp"

#include <algorithm>
#include <optional>

namespace nudgebot::nudge {

using namespace drafting;

namespace {

// What a restatement leaves out: for insults, contempt and blame the strongest cue in plain words
// ("the insult"), for the formula families the family ("the brush-off").
std::string restated_change(const engine::analysis& a, const restatement_library& words, tone t)
{
    if (t != tone::frustration && t != tone::blame) return std::string(tone_change(words, t));
    const engine::cue* strongest = nullptr;
    for (const auto& c : a.cues)
        if (heated(c) && !has(c.rule_id, ".mod_") && !c.rule_id.starts_with("learned.") &&
            (!strongest || c.weight > strongest->weight))
            strongest = &c;
    if (!strongest) return std::string(tone_change(words, t));
    // Said shortly ("the word that only ever names a person with contempt" reads long in a reason).
    const auto& label = strongest->label;
    if (t == tone::blame && has(label, "blam")) return "the blame";
    if (t == tone::frustration) {
        if (has(label, "insult") || has(label, "name")) return "the insult";
        if (has(label, "swear") || has(label, "profan")) return "the swearing";
        if (has(label, "contempt")) return "the contempt";
        if (has(label, "demeaning") || has(label, "put-down")) return "the put-down";
    }
    return plain_change(label);
}

// The point of the message said in other words, in tone `t`: the first of a few variants that has
// no harm phrase, flags neither conflict nor crisis when analysed and keeps every mention, code span
// and link of the original; nullopt when none does (or nothing heated is there to restate).
template <class Analyse>
std::optional<calmer_draft> restate(std::string_view text, const engine::analysis& analysis,
                                    const restatement_library& restating, tone t, std::string leaves_out,
                                    Analyse&& analyse)
{
    if (!analysis.flagged(engine::category::conflict)) return std::nullopt;
    const restater say(text, analysis, restating, t);
    engine::analysis trial;
    for (std::size_t n = 0; n < 3 && n < say.count(); ++n) {
        auto candidate = say.variant(n);
        if (carries_harm(candidate)) continue;
        analyse(candidate, trial);
        if (trial.flagged(engine::category::conflict) || trial.flagged(engine::category::crisis) ||
            !keeps_protected(text, candidate))
            continue;
        calmer_draft out;
        out.text = std::move(candidate);
        out.changes.emplace_back(std::move(leaves_out));
        out.restated = tone_how(restating, t);
        return out;
    }
    return std::nullopt;
}

// A message that threatens or wishes harm, or carries a slur, is never cut (what a cut left could
// look mild): its point is said whole, as how the writer feels, with none of its own words but the
// names of things, code, links and mentions.
std::optional<calmer_draft> restated_whole(std::string_view text, const engine::analysis& analysis,
                                           const reanalyse_fn& reanalyse, const restatement_library& restating,
                                           std::string leaves_out)
{
    return restate(text, analysis, restating, tone::frustration, std::move(leaves_out), reanalyse);
}

}  // namespace

std::string calmer_draft::reason() const
{
    std::string out = "without ";
    for (std::size_t i = 0; i < changes.size(); ++i) {
        if (i > 0) out += i + 1 == changes.size() ? " and " : ", ";
        out += changes[i];
    }
    if (changes.empty()) out = restated.empty() ? "in calmer words" : "";
    if (!restated.empty()) out += (out.empty() ? "" : ", ") + restated;
    return out;
}

std::optional<calmer_draft> calmer_rewrite(std::string_view text, const engine::analysis& analysis,
                                           const reanalyse_fn& reanalyse, const restatement_library& restating)
{
    constexpr int max_steps = 10;
    // Never a cut of words that threaten or wish harm (to the reader or anyone), nor of slurs:
    // cutting around them could leave them looking mild, so their point is restated whole. Crisis
    // language gets no draft at all (the crisis card is the answer to it).
    for (const auto& c : analysis.cues)
        if (c.cat == engine::category::crisis) return std::nullopt;
    for (const auto& c : analysis.cues) {
        const folded_cue kind(c);
        if (kind.has("slur")) return restated_whole(text, analysis, reanalyse, restating, "the slur");
        if (kind.has("threat")) return restated_whole(text, analysis, reanalyse, restating, "the threat");
        if (kind.has("harm")) return restated_whole(text, analysis, reanalyse, restating, "the words of harm");
    }
    if (carries_harm(text)) return restated_whole(text, analysis, reanalyse, restating, "the words of harm");
    calmer_draft draft;
    // The loud features first (a cue that fired only with the capitals or the "??" around it
    // then needs no cut), then the cues that still fire; the reason names the cues first.
    std::vector<std::string> loud;
    draft.text = calm_loud_features(text, analysis, loud);
    text_structure parts;
    // A question asked with a jab ("did you even read the ticket before starting?") loses only its
    // "even" and stays a question about the thing.
    for (int questions = 0; questions < max_steps && has_you_then(draft.text, {"even "}); ++questions) {
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
    const bool verdict_words = has_you_then(draft.text, {"always", "never", "constantly"});
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
            // A candidate of fewer than four words can never be offered (see the end): not analysed.
            if (candidate == draft.text || word_count(candidate) < 4) return false;
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
                    is_dangling_word(lw) ||
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
                auto uncut = cut(draft.text, region);
                if (word_count(uncut) < 4) continue;   // never offered (see better()): not tidied either
                auto candidate = tidy(uncut);
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
                !jab && (is_sarcasm_marker(words) ||
                         (verdict_made_request &&
                          is_emphasis_marker(words)));
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
    // When nothing of the message's own words is left to offer (a few words left over from an
    // attack, or a text that still reads as heated), the point is said in other words instead.
    auto restated = [&]() -> std::optional<calmer_draft> {
        const auto t = tone_of(text, analysis);
        return restate(text, analysis, restating, t, restated_change(analysis, restating, t), analyse);
    };
    // (a quoted line, "> ...", is someone else's words; a link or a mention is not a word of one's own)
    if (own_word_count(draft.text, parts.kept(draft.text)) < 4) return restated();
    if (draft.text == text || !has_own_words(draft.text, parts.kept(draft.text)) || !keeps_protected(text, draft.text))
        return restated();
    if (!now_is_current) analyse(draft.text, now);
    if (now.flagged(engine::category::conflict)) return restated();
    // What is left must read as a message of its own, not as the remains of one.
    if (reads_as_fragment(draft.text, parts.kept(draft.text))) return restated();
    // A threat the cuts uncovered ("break your f... fingers" without the swear word) is restated whole.
    if (carries_harm(draft.text)) return restated_whole(text, analysis, reanalyse, restating, "the threat");
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
