// Internal to the engine: the data layout of a compiled rule set, shared by the compiler
// (compiler.cpp, which fills it from packs) and the analyzer (analyzer.cpp, which reads it).
//
// Contract: filled once by compile_rules(), which ends with derive_lookup_tables(); handed to the
// analyzer as const and immutable afterwards. Cue ids: lexicons are
// [0, lexicons.size()), built-in features follow. Phrase-trie items: an exact word w is 2*w, a
// prefix p is 2*p+1. Not for use outside bot/engine/. Owner: engine.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/learned_signal.hpp"
#include "engine/normalizer.hpp"
#include "engine/vocabulary.hpp"

namespace nudgebot::engine {

enum feature : std::uint32_t {
    f_second_person_start,
    f_shouting,
    f_question_burst,
    f_exclamation_burst,
    f_question,
    f_second_person,
    f_first_person,
    f_short,
    f_mention,
    f_scare_quote,
    f_caps_run,
    f_reply,
    feature_count
};

// Classes of built-in words (bit flags per word id).
enum word_class : std::uint8_t {
    wc_second_person = 1,   // you, your, u, ur, ...
    wc_sentence_you = 2,    // opens a sentence aimed at someone: you / your / ur / u
    wc_first_person = 4,    // i, me, my, ...
    wc_negator = 8,         // not, never, don't, ...
    wc_absolute = 16,       // always, never, everyone, ...
};

struct analyzer::compiled {
    struct terminal {
        std::uint32_t lexicon = 0;
        std::uint32_t term = 0;   // index into term_texts
    };
    struct alignas(32) trie_node {   // 32 bytes: a node is one shift from its index
        std::uint32_t term_begin = 0, term_count = 0;   // its terminals
        // Bit edge_bit(item) set for every edge item (filled by the analyzer's constructor):
        // most tokens after a phrase start continue no phrase, and this rejects them unprobed.
        std::uint64_t edge_bits = 0;
        // Its slots in edge_slots and their hash (see child()), set by derive_lookup_tables().
        std::uint32_t slot_begin = 0;
        std::uint32_t slot_hash = 32;
        // terminals[term_begin] ({} without terminals), set by derive_lookup_tables(): most
        // nodes end one term or none, and emit() writes that hit without a load from the
        // terminals (it waited on that load, after the node's, in the phrases of a message).
        terminal first_term{};
    };
    static unsigned edge_bit(std::int32_t item) noexcept
    {
        return static_cast<unsigned>((static_cast<std::uint32_t>(item) * 0x9E3779B1u) >> 26);
    }
    struct edge {
        std::int32_t item = 0;
        std::int32_t node = 0;
    };
    struct edge_range {
        std::uint32_t begin = 0, count = 0;
    };
    struct alignas(4) lexicon {   // 4 bytes: one shift from its index
        bool negatable = false;
        bool mask = false;
        bool feeling = false;
    };
    struct rule {
        std::uint32_t all_begin = 0, all_count = 0;
        std::uint32_t any_begin = 0, any_count = 0;
        std::uint32_t none_begin = 0, none_count = 0;
        std::uint32_t window = 0;   // 0 = no window
        bool ordered = false;
        bool sentence = false;
        category cat = category::conflict;
        float weight = 0;
    };
    struct modifier {
        std::vector<std::uint32_t> when;
        std::array<float, category_count> effect{};
    };

    normalizer norm;
    vocabulary vocab;
    std::vector<std::uint8_t> word_classes;   // by word id; 0 for pack words

    std::vector<std::int32_t> root;   // item -> node, -1 when none
    std::vector<trie_node> nodes;
    // The compiler's edges: a node's are consecutive, ordered by item, node_edges[node] says
    // where. derive_lookup_tables() makes edge_slots of them and empties both.
    std::vector<edge> edges;
    std::vector<edge_range> node_edges;
    // Per node a table of its edges (found by derive_lookup_tables()): 2^k slots at
    // slot_begin, item -1 in the empty ones (slot 0 is one, for the nodes without edges), the
    // slot of an item being the top k bits of the low 32 of item * multiplier. slot_hash holds
    // the multiplier's bits above the sixth and the shift 32 - k in the low six bits. Without
    // collisions (a perfect hash) for every node of reasonable size (all of rules/en); a node
    // for which no multiplier of the series does it at up to 16 slots per edge gets a table at
    // most half full whose colliding items go on to the next free slots: its low six bits hold
    // the shift + 33 (`probing`), so its first look (slot 0 of its table) is only a guess.
    std::vector<edge> edge_slots;
    static constexpr std::uint32_t probing_shift = 33;
    static std::uint32_t edge_slot(std::int32_t item, std::uint32_t hash) noexcept
    {
        const std::uint32_t product = static_cast<std::uint32_t>(item) * ((hash & ~63u) | 1u);
        return static_cast<std::uint32_t>(std::uint64_t{product} >> (hash & 63u));
    }
    // The child of `node` by `item`, nullptr when none: one probe, more only in a probing
    // table. Before, a binary search of the node's edges (branch-free) took one dependent load
    // per halving, and half of the look-ups are at nodes of 12 to 115 edges (the phrases after
    // "you", "i", "this", ...), where the 64 edge bits, mostly set, let nearly every token
    // through: about one look-up in three finds no child.
    const trie_node* child(const trie_node& node, std::int32_t item) const noexcept
    {
        const edge& e = edge_slots[node.slot_begin + edge_slot(item, node.slot_hash)];
        if (e.item == item) return nodes.data() + e.node;
        if ((node.slot_hash & 63u) < probing_shift) return nullptr;
        return probe(node, item);
    }
    // child() in a probing table (which has an empty slot).
    [[gnu::noinline]] const trie_node* probe(const trie_node& node, std::int32_t item) const noexcept
    {
        const edge* table = edge_slots.data() + node.slot_begin;
        const std::uint32_t shift = (node.slot_hash & 63u) - probing_shift;
        const std::uint32_t mask = static_cast<std::uint32_t>((std::uint64_t{1} << (32 - shift)) - 1);
        for (std::uint32_t s = edge_slot(item, (node.slot_hash & ~63u) | shift); table[s].item != -1; s = (s + 1) & mask)
            if (table[s].item == item) return nodes.data() + table[s].node;
        return nullptr;
    }
    // What a token whose text is the exact word w brings to the phrase matcher, filled by the
    // analyzer's constructor. Its items: 2*w followed by 2*p+1 for every prefix p of the word
    // (shortest first), keeping only items that occur in the phrase trie (as a root or an edge);
    // the others can neither start nor continue a phrase. Its starts: the root nodes of those
    // items that have one, in item order, with the union of their edge bits and the sum of
    // their terminal counts, so a word that ends no phrase and whose phrases the next token
    // does not continue is passed over after one test. One record per word, so a token's look-up touches one place
    // (the analyzer builds the same record for a token that is no plain word). The pointers
    // point into word_items / word_starts.
    struct alignas(64) word_info {   // 64 bytes: a word's record is one shift away
        std::uint64_t bits = 0;           // OR of 1 << edge_bit(item) over the items
        std::uint64_t start_edges = 0;    // OR of nodes[s].edge_bits over the starts s
        const std::int32_t* items = nullptr;
        const trie_node* const* starts = nullptr;   // the start nodes
        // starts[0] (nullptr without starts): most words have one start, and match_phrases()
        // takes it from here without a load from the list.
        const trie_node* start = nullptr;
        // start->first_term when the word has one start: most words end one
        // one-word term and continue no phrase into the next token, and match_phrases() then
        // writes their hit from here without loading the start node (a cache miss, mostly).
        terminal first_term{};
        // items[0] (0 without items): most words have one item, and extend() takes it from
        // here without a load from the list.
        std::int32_t item = 0;
        std::uint32_t item_count = 0;
        std::uint32_t start_count = 0;
        // Sum of nodes[s].term_count over the starts s, at most 65,535 (only 0, 1 and more
        // matter).
        std::uint16_t start_terms = 0;
        std::uint8_t classes = 0;         // word_classes[w] (0 beyond it)
    };
    static std::uint16_t term_sum(std::uint32_t a, std::uint32_t b) noexcept
    {
        return static_cast<std::uint16_t>(std::min<std::uint32_t>(a + b, 0xFFFF));
    }
    std::vector<word_info> word_infos;   // by word id + 1: [0] is no_word's (an unknown word), empty
    std::vector<std::int32_t> word_items;
    std::vector<const trie_node*> word_starts;   // into nodes
    std::vector<std::uint8_t> item_used;   // item -> 1 when it is a root or an edge label
    std::vector<terminal> terminals;
    std::vector<std::string> term_texts;   // as written, without a trailing '*'

    std::vector<lexicon> lexicons;
    // Per lexicon 1 when negatable, | 2 when a mask (filled by the analyzer's constructor): a
    // hit of a lexicon with 0 outside quotes is kept without looking further.
    std::vector<std::uint8_t> lexicon_filters;
    std::vector<lexicon_info> lexicon_infos;
    std::vector<rule> rules;
    std::vector<rule_info> rule_infos;
    std::vector<modifier> modifiers;
    std::vector<modifier_info> modifier_infos;
    // Per modifier, bit c set when its effect on category c is not 0 (filled by the analyzer's
    // constructor): a modifier whose categories have no fired rule is passed over unchecked.
    std::vector<std::uint32_t> modifier_categories;
    // Per category, bit m set when modifier m changes it (when there are at most 64 modifiers:
    // `modifier_sets_exact`), so the modifiers of the fired categories are found without
    // looking at the others.
    std::array<std::uint64_t, category_count> modifier_sets{};
    bool modifier_sets_exact = false;
    std::vector<std::uint32_t> cue_refs;                 // rule cue lists point here
    std::vector<std::vector<std::uint32_t>> triggers;    // cue id -> rules to evaluate
    std::array<category_scoring, category_count> scoring{};
    std::vector<std::string> packs;
    std::vector<pack_example> examples;
    learned::model learned;   // the learned signal; empty without learned.json
    // learned.index_words(vocab) (filled by derive_lookup_tables(); empty without the signal).
    std::vector<learned::word_keys> learned_words;
    double compile_ms = 0;

    // Cue sets as bit masks (bit c of word c / 64), filled by the analyzer's constructor when
    // every cue id is below 64 * cue_mask_words (`cue_masks`), so a rule or modifier whose cues
    // are not present is passed over with a few instructions: per rule its `all`, `any` and
    // `none` cues, per modifier its `when` cues, and the cues of feeling lexicons. (The English
    // packs have 190 cues; four words leave room to 256, for about 1 % more instructions than
    // three; past the limit the analyzer works without masks, correctly but about a fifth slower.)
    static constexpr std::size_t cue_mask_words = 4;
    using cue_set = std::array<std::uint64_t, cue_mask_words>;
    bool cue_masks = false;
    struct rule_masks {
        cue_set all{}, any{}, none{};
    };
    std::vector<rule_masks> rule_cue_masks;
    // The trigger lists with the masks at hand (with cue_masks): trigger_entries[
    // trigger_begin[cue] .. trigger_begin[cue + 1]) are the rules `cue` triggers, in order,
    // each once. A rule is evaluated at its lowest present trigger cue, so `blocked` is its
    // `none` cues plus its trigger cues below `cue` (present, they took it already); `any` is
    // its `any` cues, or every cue when it has none or `cue` is one of them (then the trigger
    // being present meets it).
    // `key_mask` is the `all` cues in word `key_word` of the set, the word with the most of
    // them besides `cue` (0 when there is none): most entries fail on those, and that test
    // reads one word instead of the three sets.
    struct alignas(64) trigger_entry {   // 128 bytes: an entry's address is one shift away
        std::uint64_t key_mask = 0;
        std::uint32_t key_word = 0;
        std::uint32_t rule = 0;
        cue_set all{}, blocked{}, any{};
    };
    std::vector<std::uint32_t> trigger_begin;
    std::vector<trigger_entry> trigger_entries;
    cue_set trigger_cues{};   // the cues with some trigger entry
    std::vector<cue_set> modifier_cue_masks;
    cue_set feeling_cues{};

    std::uint32_t cue_count() const noexcept
    {
        return static_cast<std::uint32_t>(lexicons.size()) + feature_count;
    }
};

// Fills the tables derived from the compiled rules (lookup_tables.cpp); the compiler's last step.
void derive_lookup_tables(analyzer::compiled& c);

}  // namespace nudgebot::engine
