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

namespace {

// One depth-first choice of one hit per cue (the rule's `all` cues, then its `any` cue if it has
// one) that satisfies its window, order and sentence, at most max_hits_per_cue hits per cue,
// within a budget of steps. What it reads is held here, once per search, rather than looked up
// again at every step through the rule, the scratch and the compiled set.
struct hit_search {
    const hit* hits;
    const std::uint32_t* cue_first;
    const std::uint32_t* cue_count;
    const token* toks;
    const std::uint32_t* all;   // the rule's `all` cues
    std::uint32_t all_count;
    std::uint32_t any_cue;      // or no_position
    std::uint32_t cues;         // all_count, + 1 with an `any` cue
    std::uint32_t window;
    bool ordered;
    bool sentence;
    const hit** chosen;         // room for `cues`; chosen[0, depth) while at `depth`
    std::size_t budget;

    bool run(std::uint32_t depth)
    {
        if (depth == cues) return true;
        const std::uint32_t cue = depth < all_count ? all[depth] : any_cue;
        const std::uint32_t first = cue_first[cue];
        const auto count = std::min<std::size_t>(cue_count[cue], max_hits_per_cue);
        for (std::size_t k = 0; k < count; ++k) {
            if (budget-- == 0) return false;
            const hit& h = hits[first + k];
            if (h.first != no_position && !fits(h, depth)) continue;
            chosen[depth] = &h;
            if (run(depth + 1)) return true;
        }
        return false;
    }

    bool fits(const hit& h, std::uint32_t depth) const
    {
        const std::uint32_t h_sentence = toks[h.first].sentence;
        for (std::uint32_t k = 0; k < depth; ++k) {
            const hit* o = chosen[k];
            if (o->first == no_position) continue;
            if (sentence && toks[o->first].sentence != h_sentence) return false;
            if (window) {
                auto lo = std::min(o->first, h.first);
                auto hi = std::max(o->first, h.first);
                if (hi - lo > window) return false;
            }
            // ordered: every `all` cue starts after the previous ones (positional ones)
            if (ordered && depth < all_count && k < all_count && o->first >= h.first) return false;
        }
        return true;
    }
};

}  // namespace

// The chosen hits end up in s_.chosen when the search succeeds (it is empty when not).
bool evaluation::search(const analyzer::compiled::rule& r, std::uint32_t any_cue)
{
    const std::uint32_t cues = r.all_count + (any_cue != no_position ? 1 : 0);
    s_.chosen.resize(cues);
    hit_search find{s_.hits.data(), s_.cue_first.data(), s_.cue_count.data(), s_.text.tokens.data(),
                    c_.cue_refs.data() + r.all_begin, r.all_count, any_cue, cues, r.window, r.ordered,
                    r.sentence, s_.chosen.data(), search_budget};
    if (find.run(0)) return true;
    s_.chosen.clear();
    return false;
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
        fired = constrained ? search(r, no_position) : choose_first(r, no_position);
    } else {
        for (std::uint32_t k = 0; k < r.any_count && !fired; ++k) {
            auto any_cue = c_.cue_refs[r.any_begin + k];
            if (!present(any_cue)) continue;
            s_.chosen.clear();
            fired = constrained ? search(r, any_cue) : choose_first(r, any_cue);
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
