// Whether one triggered rule fires (evaluation.hpp): its all / any / none cues, then a search
// for hits that meet its window, order and sentence constraints within a step budget; a fired
// rule becomes a cue spanning the hits chosen.
#include "engine/evaluation.hpp"

namespace nudgebot::engine::eval {

// Span covering the chosen hits (positional ones); the whole text when none has a place.
byte_span evaluation::span_of_chosen() const
{
    std::uint32_t lo = no_position;
    std::uint32_t hi = 0;
    for (const hit* h : s_.chosen) {
        if (h->first == no_position) continue;
        lo = std::min(lo, h->first);
        hi = std::max(hi, h->last);
    }
    if (lo == no_position) return {0, static_cast<std::uint32_t>(text_.size())};
    return span_of(lo, hi);
}

// Depth-first choice of one hit per cue satisfying window / ordered / sentence.
bool evaluation::search(const analyzer::compiled::rule& r, std::size_t depth, std::uint32_t any_cue, std::size_t& budget)
{
    std::size_t cues = r.all_count + (any_cue != no_position ? 1 : 0);
    if (depth == cues) return true;
    std::uint32_t cue = depth < r.all_count ? c_.cue_refs[r.all_begin + depth] : any_cue;
    auto first = s_.cue_first[cue];
    auto count = std::min<std::size_t>(s_.cue_count[cue], max_hits_per_cue);
    for (std::size_t k = 0; k < count; ++k) {
        if (budget-- == 0) return false;
        const hit& h = s_.hits[first + k];
        if (h.first != no_position && !fits(r, h, depth)) continue;
        s_.chosen.push_back(&h);
        if (search(r, depth + 1, any_cue, budget)) return true;
        s_.chosen.pop_back();
    }
    return false;
}

bool evaluation::fits(const analyzer::compiled::rule& r, const hit& h, std::size_t depth) const
{
    const auto& toks = s_.text.tokens;
    for (std::size_t k = 0; k < s_.chosen.size(); ++k) {
        const hit* o = s_.chosen[k];
        if (o->first == no_position) continue;
        if (r.sentence && toks[o->first].sentence != toks[h.first].sentence) return false;
        if (r.window) {
            auto lo = std::min(o->first, h.first);
            auto hi = std::max(o->first, h.first);
            if (hi - lo > r.window) return false;
        }
        // ordered: every `all` cue starts after the previous ones (positional ones)
        if (r.ordered && depth < r.all_count && k < r.all_count && o->first >= h.first)
            return false;
    }
    return true;
}

void evaluation::evaluate(std::uint32_t index)
{
    ensure_indexed();
    const auto& r = c_.rules[index];
    if (!c_.cue_masks) {   // else evaluate_rules() checked this on the (exact) masks
        for (std::uint32_t k = 0; k < r.all_count; ++k)
            if (!present(c_.cue_refs[r.all_begin + k])) return;
        for (std::uint32_t k = 0; k < r.none_count; ++k)
            if (present(c_.cue_refs[r.none_begin + k])) return;
    }
    bool constrained = r.window || r.ordered || r.sentence;
    s_.chosen.clear();
    bool fired = false;
    if (r.any_count == 0) {
        std::size_t budget = search_budget;
        fired = constrained ? search(r, 0, no_position, budget) : choose_first(r, no_position);
    } else {
        for (std::uint32_t k = 0; k < r.any_count && !fired; ++k) {
            auto any_cue = c_.cue_refs[r.any_begin + k];
            if (!present(any_cue)) continue;
            s_.chosen.clear();
            std::size_t budget = search_budget;
            fired = constrained ? search(r, 0, any_cue, budget) : choose_first(r, any_cue);
        }
    }
    if (!fired) return;
    const auto& info = c_.rule_infos[index];
    auto cat = static_cast<std::size_t>(r.cat);
    const byte_span span = span_of_chosen();
    // A distress rule that fires on exactly the words another distress rule fired on says the same
    // thing again ("I'm crying" read as a feeling, as pressure and as despair): it counts half.
    // (Distress only: its lexicons share many words; conflict rules on one span are different
    // moves, and halving them cost dev.jsonl conflict recall 0.376 -> 0.367.)
    float weight = r.weight;
    if (r.cat == category::distress)
        for (const auto& c : out_.cues)
            if (c.cat == r.cat && c.span.begin == span.begin && c.span.end == span.end && c.weight > 0) {
                weight *= repeat_factor;
                break;
            }
    logits_[cat] += weight;
    fired_ |= 1u << cat;
    out_.cues.push_back({info.id, r.cat, info.label, span, weight});
}

bool evaluation::choose_first(const analyzer::compiled::rule& r, std::uint32_t any_cue)
{
    for (std::uint32_t k = 0; k < r.all_count; ++k)
        s_.chosen.push_back(&s_.hits[s_.cue_first[c_.cue_refs[r.all_begin + k]]]);
    if (any_cue != no_position) s_.chosen.push_back(&s_.hits[s_.cue_first[any_cue]]);
    return true;
}

}  // namespace nudgebot::engine::eval
