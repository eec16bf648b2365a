// derive_lookup_tables(): the tables the analyzer reads that follow from the compiled rules (the
// letter automaton, each word's record for the phrase matcher, per-lexicon filter bits, the
// modifiers' categories and the cue masks; see compiled.hpp). The compiler calls it last, so the
// compiled set is complete, and never changed again, once it is handed to the analyzer.
#include "engine/compiled.hpp"

#include <algorithm>

namespace nudgebot::engine {

namespace {

// Each node's table of edges (see compiled::edge_slots): the fewest slots, from the next power
// of two up to 16 per edge, for which one of a fixed series of multipliers puts every edge in a
// slot of its own (so the tables, and the analyses, are the same on every load). Small nodes
// find one in a few tries; the largest of rules/en (115 edges) at 1,024 slots. Past 16 per
// edge (a node of thousands of edges, say), a probing table of two to four slots per edge.
void build_edge_slots(analyzer::compiled& c)
{
    constexpr int tries_per_size = 2000;
    constexpr unsigned most_extra_bits = 4;   // 16 slots per edge
    auto& slots = c.edge_slots;
    slots.assign(1, analyzer::compiled::edge{-1, 0});   // slot 0: the nodes without edges
    // taken[slot] == round: the slot holds an edge in this try (no clearing between tries).
    std::vector<std::uint32_t> taken;
    std::uint32_t round = 0;
    for (std::size_t n = 0; n < c.nodes.size(); ++n) {
        auto& node = c.nodes[n];
        const auto range = c.node_edges[n];
        node.slot_begin = 0;
        node.slot_hash = 32;   // multiplier 1, k = 0: every item in slot 0
        if (range.count == 0) continue;
        unsigned least = 0;
        while ((std::uint64_t{1} << least) < range.count) ++least;
        std::uint64_t state = 0x9E3779B97F4A7C15ull;   // splitmix64, the same series each load
        const auto multiplier = [&] {
            state += 0x9E3779B97F4A7C15ull;
            std::uint64_t z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            z ^= z >> 31;
            return static_cast<std::uint32_t>(z) & ~63u;
        };
        bool placed = false;
        unsigned k = least;
        for (; k <= least + most_extra_bits && !placed; ++k) {
            for (int t = 0; t < tries_per_size && !placed; ++t) {
                const std::uint32_t hash = multiplier() | (32u - k);
                if (taken.size() < (std::size_t{1} << k)) taken.resize(std::size_t{1} << k, 0);
                if (++round == 0) {   // wrapped: forget every old mark
                    std::fill(taken.begin(), taken.end(), 0);
                    round = 1;
                }
                placed = true;
                for (std::uint32_t e = 0; e < range.count && placed; ++e) {
                    const auto slot = analyzer::compiled::edge_slot(c.edges[range.begin + e].item, hash);
                    placed = taken[slot] != round;
                    taken[slot] = round;
                }
                if (placed) node.slot_hash = hash;
            }
        }
        // No perfect hash (least >= 1: one edge always has one): at most half full, probing.
        if (!placed) node.slot_hash = multiplier() | (32u - (least + 1) + analyzer::compiled::probing_shift);
        const std::uint32_t shift = (node.slot_hash & 63u) % analyzer::compiled::probing_shift;
        const std::uint32_t hash = (node.slot_hash & ~63u) | shift;
        const std::uint32_t size = static_cast<std::uint32_t>(std::uint64_t{1} << (32 - shift));
        node.slot_begin = static_cast<std::uint32_t>(slots.size());
        slots.resize(slots.size() + size, analyzer::compiled::edge{-1, 0});
        for (std::uint32_t e = 0; e < range.count; ++e) {
            const auto& edge = c.edges[range.begin + e];
            std::uint32_t slot = analyzer::compiled::edge_slot(edge.item, hash);
            while (slots[node.slot_begin + slot].item != -1) slot = (slot + 1) & (size - 1);
            slots[node.slot_begin + slot] = edge;
        }
    }
}

}  // namespace

void derive_lookup_tables(analyzer::compiled& c)
{
    c.vocab.build_letter_automaton();
    c.learned_words.clear();
    if (!c.learned.empty()) c.learned_words = c.learned.index_words(c.vocab);
    // Items the phrase trie uses (see compiled.hpp).
    auto& used = c.item_used;
    std::size_t item_count = std::max(c.root.size(),
                                      2 * std::max(c.vocab.word_count(), c.vocab.prefix_count()) + 2);
    used.assign(item_count, 0);
    if (c.root.size() < item_count) c.root.resize(item_count, -1);   // so no item is out of range
    for (std::size_t item = 0; item < c.root.size(); ++item)
        if (c.root[item] >= 0) used[item] = 1;
    for (const auto& e : c.edges) used[static_cast<std::size_t>(e.item)] = 1;
    // Every node's edge bits (the word records below read them) and first terminal.
    for (std::size_t n = 0; n < c.nodes.size(); ++n) {
        auto& node = c.nodes[n];
        const auto range = c.node_edges[n];
        node.first_term = node.term_count != 0 ? c.terminals[node.term_begin] : analyzer::compiled::terminal{};
        for (std::uint32_t k = 0; k < range.count; ++k)
            node.edge_bits |= std::uint64_t{1} << analyzer::compiled::edge_bit(c.edges[range.begin + k].item);
    }
    build_edge_slots(c);
    // The matcher reads the slots only: the compiler's edge lists go (their memory with them).
    c.edge_slots.shrink_to_fit();
    std::vector<analyzer::compiled::edge>().swap(c.edges);
    std::vector<analyzer::compiled::edge_range>().swap(c.node_edges);
    // Each word's record for the phrase matcher (see compiled.hpp).
    const std::size_t words = c.vocab.word_count();
    c.word_infos.assign(words + 1, {});   // [0]: no_word's, empty
    c.word_items.clear();
    c.word_starts.clear();
    std::vector<std::uint32_t> items_begin(words + 1), starts_begin(words + 1);
    for (std::size_t w = 0; w < words; ++w) {
        auto& info = c.word_infos[w + 1];
        items_begin[w] = static_cast<std::uint32_t>(c.word_items.size());
        starts_begin[w] = static_cast<std::uint32_t>(c.word_starts.size());
        if (used[2 * w]) c.word_items.push_back(static_cast<std::int32_t>(2 * w));
        c.vocab.for_each_prefix(c.vocab.word(static_cast<word_id>(w)), [&](word_id p) {
            auto item = static_cast<std::size_t>(p) * 2 + 1;
            if (used[item]) c.word_items.push_back(static_cast<std::int32_t>(item));
        });
        for (auto k = items_begin[w]; k < c.word_items.size(); ++k) {
            const auto item = c.word_items[k];
            info.bits |= std::uint64_t{1} << analyzer::compiled::edge_bit(item);
            const auto node = c.root[static_cast<std::size_t>(item)];
            if (node < 0) continue;
            c.word_starts.push_back(c.nodes.data() + node);
            info.start_edges |= c.nodes[static_cast<std::size_t>(node)].edge_bits;
            info.start_terms = analyzer::compiled::term_sum(info.start_terms, c.nodes[static_cast<std::size_t>(node)].term_count);
        }
        if (w < c.word_classes.size()) info.classes = c.word_classes[w];
    }
    items_begin[words] = static_cast<std::uint32_t>(c.word_items.size());
    starts_begin[words] = static_cast<std::uint32_t>(c.word_starts.size());
    for (std::size_t w = 0; w < words; ++w) {   // now that the lists no longer move
        auto& info = c.word_infos[w + 1];
        info.items = c.word_items.data() + items_begin[w];
        info.item_count = items_begin[w + 1] - items_begin[w];
        info.item = info.item_count != 0 ? info.items[0] : 0;
        info.starts = c.word_starts.data() + starts_begin[w];
        info.start_count = starts_begin[w + 1] - starts_begin[w];
        info.start = info.start_count != 0 ? info.starts[0] : nullptr;
        if (info.start_count == 1) info.first_term = info.start->first_term;
    }

    // Per lexicon whether filter_hits() has more to do than keep its hits (see compiled.hpp).
    c.lexicon_filters.assign(c.lexicons.size(), 0);
    for (std::size_t l = 0; l < c.lexicons.size(); ++l)
        c.lexicon_filters[l] = static_cast<std::uint8_t>((c.lexicons[l].negatable ? 1 : 0) |
                                                           (c.lexicons[l].mask ? 2 : 0));

    // The categories each modifier changes, and per category its modifiers (see compiled.hpp).
    c.modifier_categories.assign(c.modifiers.size(), 0);
    c.modifier_sets = {};
    c.modifier_sets_exact = c.modifiers.size() <= 64;
    for (std::size_t m = 0; m < c.modifiers.size(); ++m)
        for (std::size_t cat = 0; cat < category_count; ++cat)
            if (c.modifiers[m].effect[cat] != 0) {
                c.modifier_categories[m] |= 1u << cat;
                if (c.modifier_sets_exact) c.modifier_sets[cat] |= std::uint64_t{1} << m;
            }

    // Cue masks (see compiled.hpp), when every cue id fits.
    c.cue_masks = c.cue_count() <= 64 * analyzer::compiled::cue_mask_words;
    if (c.cue_masks) {
        auto add = [](analyzer::compiled::cue_set& set, std::uint32_t cue) { set[cue >> 6] |= std::uint64_t{1} << (cue & 63); };
        c.rule_cue_masks.assign(c.rules.size(), {});
        for (std::size_t r = 0; r < c.rules.size(); ++r) {
            const auto& rule = c.rules[r];
            auto& m = c.rule_cue_masks[r];
            for (std::uint32_t k = 0; k < rule.all_count; ++k) add(m.all, c.cue_refs[rule.all_begin + k]);
            for (std::uint32_t k = 0; k < rule.any_count; ++k) add(m.any, c.cue_refs[rule.any_begin + k]);
            for (std::uint32_t k = 0; k < rule.none_count; ++k) add(m.none, c.cue_refs[rule.none_begin + k]);
        }
        c.trigger_begin.assign(c.cue_count() + 1, 0);
        c.trigger_entries.clear();
        for (std::uint32_t cue = 0; cue < c.cue_count(); ++cue) {
            c.trigger_begin[cue] = static_cast<std::uint32_t>(c.trigger_entries.size());
            const auto& list = c.triggers[cue];
            for (std::size_t k = 0; k < list.size(); ++k) {
                const auto r = list[k];
                if (k > 0 && list[k - 1] == r) continue;   // an `any` cue listed twice
                const auto& rule = c.rules[r];
                const auto& m = c.rule_cue_masks[r];
                analyzer::compiled::trigger_entry e;
                e.rule = r;
                e.all = m.all;
                e.blocked = m.none;
                bool cue_is_any = false;
                if (rule.all_count == 0) {   // triggered by each of its `any` cues
                    for (std::uint32_t j = 0; j < rule.any_count; ++j) {
                        const auto other = c.cue_refs[rule.any_begin + j];
                        if (other < cue) add(e.blocked, other);
                        cue_is_any = cue_is_any || other == cue;
                    }
                }
                analyzer::compiled::cue_set every{};
                every.fill(~std::uint64_t{0});
                e.any = rule.any_count == 0 || cue_is_any ? every : m.any;
                for (std::uint32_t w = 0; w < analyzer::compiled::cue_mask_words; ++w) {
                    const std::uint64_t others = w == cue >> 6 ? m.all[w] & ~(std::uint64_t{1} << (cue & 63)) : m.all[w];
                    if (__builtin_popcountll(others) > __builtin_popcountll(e.key_mask)) {
                        e.key_word = w;
                        e.key_mask = others;
                    }
                }
                c.trigger_entries.push_back(e);
            }
        }
        c.trigger_begin[c.cue_count()] = static_cast<std::uint32_t>(c.trigger_entries.size());
        c.trigger_cues = {};
        for (std::uint32_t cue = 0; cue < c.cue_count(); ++cue)
            if (c.trigger_begin[cue + 1] != c.trigger_begin[cue]) add(c.trigger_cues, cue);
        c.modifier_cue_masks.assign(c.modifiers.size(), {});
        for (std::size_t m = 0; m < c.modifiers.size(); ++m)
            for (auto cue : c.modifiers[m].when) add(c.modifier_cue_masks[m], cue);
        c.feeling_cues = {};
        for (std::uint32_t l = 0; l < c.lexicons.size(); ++l)
            if (c.lexicons[l].feeling) add(c.feeling_cues, l);
    }
}

}  // namespace nudgebot::engine
