// One analysis of one message (private to bot/engine; its buffers are in evaluation_buffers.hpp):
// the evaluation that turns a normalised message into cues, scores and flags (analyzer.hpp has the
// contract): phrase matching, quotes and negation, masks, built-in features, the rules whose
// trigger cue is present, modifiers, the learned signal, scores. Its steps are defined in the
// class, so that analyzer::analyze() (analyzer.cpp) gets them inlined as one loop; deciding
// whether one triggered rule fires (windows, order, sentences, a step budget) is in
// rule_evaluation.cpp, the built-in features' hits in feature_hits.cpp. Owner: engine.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/analyzer.hpp"
#include "engine/compiled.hpp"
#include "engine/evaluation_buffers.hpp"

namespace nudgebot::engine::eval {

inline const analyzer::compiled::word_info no_items{};

inline float sigmoid(float x) noexcept { return 1.0f / (1.0f + std::exp(-x)); }

// Its steps run once per message: always_inline keeps them one function in analyze(), as the
// compiler did on its own while the class had internal linkage (called-once inlining).
class evaluation {
public:
    evaluation(const analyzer::compiled& c, scratch& s, std::string_view text, analysis& out,
               message_context context)
        : c_(c), s_(s), text_(text), out_(out), context_(context)
    {}

    [[gnu::always_inline]] void run(sensitivity sens)
    {
        const auto& toks = s_.text.tokens;
        stamp_ = s_.next_stamp(c_.cue_count(), c_.rules.size(), toks.size());
        collect_items();
        match_phrases();
        filter_hits();
        add_feature_hits();
        index_hits();
        evaluate_rules();
        apply_modifiers();
        apply_learned();
        score(sens);
        // Insertion sort: stable, allocation-free, and there are only a few cues.
        auto& cues = out_.cues;
        for (std::size_t i = 1; i < cues.size(); ++i) {
            for (std::size_t j = i; j > 0 && cues[j].span.begin < cues[j - 1].span.begin; --j)
                std::swap(cues[j], cues[j - 1]);
        }
    }

private:
    static std::uint64_t feature_token(std::size_t i, std::uint32_t classes) noexcept
    {
        return static_cast<std::uint32_t>(i) | std::uint64_t{classes} << 32;
    }

    // Per token its record for the phrase matcher (see scratch::per_token). For a known word
    // the constructor prepared it; other tokens get their registered prefixes (2*p+1), an emoji
    // its word (2*w), only the items the phrase trie uses. Also counts the tokens outside quotes
    // and gathers the tokens add_feature_hits() looks at.
    [[gnu::always_inline]] void collect_items()
    {
        const auto& toks = s_.text.tokens;
        const std::size_t n = toks.size();
        if (s_.per_token.size() < n + 1) {
            s_.per_token.resize(n + 1);
            s_.built.resize(n + 1);
            s_.slow_tokens.resize(n + 1);
            s_.phrase_tokens.resize(n + 1);
        }
        if (s_.feature_tokens.size() < n) s_.feature_tokens.resize(n);
        const analyzer::compiled::word_info** per_token = s_.per_token.data();
        std::uint32_t* slow_tokens = s_.slow_tokens.data();
        std::uint64_t* feature_tokens = s_.feature_tokens.data();
        // Every token's record by its word (an unknown word's, at no_word + 1 = 0, is empty),
        // its features, and whether it needs a record built (an emoji or an unknown word), in
        // a loop without a branch on the token: known and unknown words alternate with no
        // pattern, and a branch on that was mispredicted about 8 times per message
        // (cachegrind's branch simulation). build_items() then visits only the listed tokens.
        const auto* infos = c_.word_infos.data();
        std::uint32_t features = 0;
        std::uint32_t quoted_tokens = 0;
        std::uint32_t slow = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto& t = toks[i];
            const auto* info = infos + static_cast<std::uint32_t>(t.word + 1);
            per_token[i] = info;
            const std::uint32_t flags = t.flags;
            const std::uint32_t classes = info->classes;
            const std::uint32_t quoted = flags & token::quoted;
            quoted_tokens += quoted;
            feature_tokens[features] = feature_token(i, classes);
            features += static_cast<std::uint32_t>(quoted == 0 && ((flags & token::all_caps) | classes) != 0);
            slow_tokens[slow] = static_cast<std::uint32_t>(i);
            slow += static_cast<std::uint32_t>(((flags & token::emoji) != 0) | (t.word == no_word));
        }
        per_token[n] = &no_items;
        feature_count_ = features;
        unquoted_tokens_ = static_cast<std::uint32_t>(n) - quoted_tokens;
        if (slow != 0) build_items(slow);
    }

    // The records of the emoji and unknown words collect_items() listed (`slow` of them in
    // s_.slow_tokens), and @mention.
    void build_items(std::uint32_t slow)
    {
        const auto& toks = s_.text.tokens;
        const std::size_t n = toks.size();
        // Written through an index into a buffer sized once: a token has one word item and at
        // most one prefix item per byte, and token texts lie within chars.
        const std::size_t bound = n + s_.text.chars.size();   // >= sum of (1 + text_size)
        if (s_.items.size() < bound) {
            s_.items.resize(2 * bound + 64);
            s_.starts.resize(2 * bound + 64);
        }
        std::int32_t* out = s_.items.data();
        const analyzer::compiled::trie_node** starts_out = s_.starts.data();
        const analyzer::compiled::word_info** per_token = s_.per_token.data();
        const std::uint32_t* slow_tokens = s_.slow_tokens.data();
        analyzer::compiled::word_info* built = s_.built.data();
        const std::uint8_t* used_item = c_.item_used.data();
        const std::int32_t* root = c_.root.data();
        const auto* nodes = c_.nodes.data();
        std::uint32_t used = 0;
        std::uint32_t starts_used = 0;
        for (std::uint32_t s = 0; s < slow; ++s) {
            const std::size_t i = slow_tokens[s];
            const auto& t = toks[i];
            const auto w = static_cast<std::size_t>(t.word);
            const std::uint32_t first = used;
            std::uint64_t b = 0;
            if (t.has(token::emoji)) {
                if (t.word != no_word && used_item[2 * w]) {
                    out[used++] = static_cast<std::int32_t>(2 * w);
                    b = std::uint64_t{1} << analyzer::compiled::edge_bit(static_cast<std::int32_t>(2 * w));
                }
            } else {
                // A plain `@name` (Mattermost, Slack text, tweets) stays an unknown token starting
                // with '@'; `@ss` folded to a known word does not.
                // The token's text (as s_.text.text(t), without substr()'s range check: token
                // texts lie within chars).
                const std::string_view text(s_.text.chars.data() + t.text_begin, t.text_size);
                if (text.size() > 1 && text[0] == '@' && !t.has(token::quoted)) mention_ = true;
                c_.vocab.for_each_prefix(text, [&](word_id p) {
                    auto item = static_cast<std::size_t>(p) * 2 + 1;
                    if (!used_item[item]) return;
                    out[used++] = static_cast<std::int32_t>(item);
                    b |= std::uint64_t{1} << analyzer::compiled::edge_bit(static_cast<std::int32_t>(item));
                });
            }
            if (used == first) {   // the usual unknown word: no item
                per_token[i] = &no_items;
                continue;
            }
            auto& rec = built[i];
            rec.bits = b;
            rec.items = out + first;
            rec.item = out[first];
            rec.item_count = used - first;
            rec.starts = starts_out + starts_used;
            rec.start_count = 0;
            rec.start_edges = 0;
            rec.start_terms = 0;
            for (std::uint32_t k = first; k < used; ++k) {
                const auto node = root[static_cast<std::size_t>(out[k])];
                if (node < 0) continue;
                starts_out[starts_used++] = nodes + node;
                ++rec.start_count;
                rec.start_edges |= nodes[static_cast<std::size_t>(node)].edge_bits;
                rec.start_terms = analyzer::compiled::term_sum(rec.start_terms, nodes[static_cast<std::size_t>(node)].term_count);
            }
            rec.start = rec.start_count != 0 ? rec.starts[0] : nullptr;
            rec.first_term = rec.start_count == 1 ? rec.start->first_term : analyzer::compiled::terminal{};
            per_token[i] = &rec;
        }
    }

    // The hits of the terms that end at `n`. Most nodes end one term or none, which a loop over
    // them told apart with a branch mispredicted about five times per message (callgrind's
    // branch simulation): the first term is written either way (from the node, {} when it has
    // none) and counted only when the node has it.
    void emit(const analyzer::compiled::trie_node& n, std::uint32_t first, std::uint32_t last)
    {
        const std::uint32_t count = n.term_count;
        hit* const out = s_.hits.room(std::max<std::uint32_t>(count, 1));
        out[0] = {n.first_term.lexicon, first, last, n.first_term.term};
        const auto* const terms = c_.terminals.data() + n.term_begin;
        for (std::uint32_t k = 1; k < count; ++k) out[k] = {terms[k].lexicon, first, last, terms[k].term};
        s_.hits.resize(s_.hits.size() + count);
    }

    // Continues the phrase at `node` (matched tokens first..next-1) with the items of token
    // `next`. The caller has checked continues(node, first, next). Out of line: it runs for few
    // phrase starts, and inlined it crowds the registers of the loop in match_phrases().
    [[gnu::noinline]] void extend(const analyzer::compiled::trie_node& node, std::uint32_t first,
                                  std::uint32_t next)
    {
        // The token has an item (its bits met the node's), the first one in its record.
        const auto& ti = *s_.per_token[next];
        follow(node, ti.item, first, next);
        for (std::uint32_t k = 1; k < ti.item_count; ++k) follow(node, ti.items[k], first, next);
    }

    // extend() by one item of token `next`.
    void follow(const analyzer::compiled::trie_node& node, std::int32_t item, std::uint32_t first,
                std::uint32_t next)
    {
        if (((node.edge_bits >> analyzer::compiled::edge_bit(item)) & 1u) == 0) return;
        const auto* child = c_.child(node, item);
        if (child == nullptr) return;
        emit(*child, first, next);
        if (continues(*child, first, next + 1)) extend(*child, first, next + 1);
    }

    // Token `next` may have an item that is an edge of `node` (their edge bits meet; a node
    // without edges has none, and neither has the end of the token list) and lies in the
    // sentence of token `first`.
    bool continues(const analyzer::compiled::trie_node& node, std::uint32_t first, std::uint32_t next) const noexcept
    {
        const auto& toks = s_.text.tokens;
        return (node.edge_bits & s_.per_token[next]->bits) != 0 &&
               toks[next].sentence == toks[first].sentence;
    }

    [[gnu::always_inline]] void match_phrases()
    {
        s_.hits.clear();
        // Locals, not members: emit() writes memory, which would force members to be reloaded
        // (so the loops below spell out continues()'s test on them: calling it cost 0.1 % more
        // instructions, and 0.35 % with a variant taking the locals).
        const auto* per_token = s_.per_token.data();
        const auto* toks = s_.text.tokens.data();
        // First the tokens that end a phrase or start one that the next token may continue
        // (most words do neither: the next token's bits, none after the last one, meet none of
        // their start edges), listed without a branch on each token (mispredicted, it cost
        // more than the listing: about 7 times per message).
        const auto n = static_cast<std::uint32_t>(s_.text.tokens.size());
        std::uint32_t* list = s_.phrase_tokens.data();
        std::uint32_t count = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
            const auto& ti = *per_token[i];
            list[count] = i;
            count += static_cast<std::uint32_t>((ti.start_terms != 0) |
                                                ((ti.start_edges & per_token[i + 1]->bits) != 0));
        }
        // Then the phrases from their start nodes, in order. A token with one start (most)
        // writes its one-word hit from its record when the node has one terminal, and loads
        // the node only when the next token may continue the phrase (its start edges are the
        // node's edge bits): about two listed tokens in three end there, and before, each one's
        // node was loaded (a cache miss, mostly, even prefetched).
        for (std::uint32_t c = 0; c < count; ++c) {
            const std::uint32_t i = list[c];
            const auto& ti = *per_token[i];
            if (ti.start_count == 1) {
                // Written either way and counted when it is the one (a branch on that was
                // mispredicted two times in five); emit() writes more over it.
                hit* const out = s_.hits.room(1);
                out[0] = {ti.first_term.lexicon, i, i, ti.first_term.term};
                s_.hits.resize(s_.hits.size() + (ti.start_terms == 1));
                if (ti.start_terms > 1) emit(*ti.start, i, i);
                if ((ti.start_edges & per_token[i + 1]->bits) != 0 && toks[i + 1].sentence == toks[i].sentence)
                    extend(*ti.start, i, i + 1);
                continue;
            }
            for (std::uint32_t k = 0; k < ti.start_count; ++k) {
                const auto& node = *ti.starts[k];
                emit(node, i, i);
                if ((node.edge_bits & per_token[i + 1]->bits) != 0 && toks[i + 1].sentence == toks[i].sentence)
                    extend(node, i, i + 1);
            }
        }
    }

    bool quoted(const hit& h) const
    {
        for (auto k = h.first; k <= h.last; ++k)
            if (s_.text.tokens[k].has(token::quoted)) return true;
        return false;
    }

    // A negator among the negation_reach tokens before the hit, in its clause. The tokens are
    // tested without a branch (one, two or three of them, in or out of the clause, known words
    // or not: a loop with branches on that was mispredicted about three times per message).
    bool negated(const hit& h) const
    {
        const auto* toks = s_.text.tokens.data();
        const std::uint8_t* classes = c_.word_classes.data();
        const std::uint32_t first = h.first;
        const std::uint32_t clause = toks[first].clause;
        unsigned found = 0;
        for (std::uint32_t d = 1; d <= negation_reach; ++d) {
            const bool before = first >= d;
            const auto& t = toks[before ? first - d : 0];
            const bool known = t.word != no_word;
            const std::uint8_t word_classes = classes[known ? static_cast<std::size_t>(t.word) : 0];
            found |= static_cast<unsigned>(before & known & (t.clause == clause) & ((word_classes & wc_negator) != 0));
        }
        return found != 0;
    }

    [[gnu::always_inline]] void filter_hits()
    {
        auto& hits = s_.hits;
        if (hits.empty()) return;
        bool any_mask = false;
        // Every token outside quotes (collect_items() counted them): no hit is quoted.
        const bool any_quoted = unquoted_tokens_ != s_.text.tokens.size();
        // Without quotes, the hits up to the first of a negatable or mask lexicon stay where
        // they are (in most messages that is every hit).
        std::size_t write = 0;
        const std::uint8_t* needs = c_.lexicon_filters.data();
        if (!any_quoted) {
            const std::size_t n = hits.size();
            const hit* h = hits.data();
            while (write < n && needs[h[write].cue] == 0) ++write;
            if (write == n) return;
        }
        for (auto it = hits.begin() + write; it != hits.end(); ++it) {
            const auto& h = *it;
            const std::uint8_t need = needs[h.cue];
            if (any_quoted && quoted(h)) {
                out_.features.quoted = true;
                continue;
            }
            if ((need & 1) && negated(h)) continue;   // negatable
            if (need & 2) {                           // a mask
                any_mask = true;
                for (auto k = h.first; k <= h.last; ++k) s_.masked[k] = stamp_;
            }
            hits[write++] = h;
        }
        hits.resize(write);
        if (!any_mask) return;
        write = 0;
        for (const auto& h : hits) {
            bool hidden = false;
            if (!c_.lexicons[h.cue].mask)
                for (auto k = h.first; k <= h.last && !hidden; ++k) hidden = s_.masked[k] == stamp_;
            if (!hidden) hits[write++] = h;
        }
        hits.resize(write);
    }

    // The hits of the built-in features (@second_person, @shouting, @caps_run, @short, ...) and
    // the message's features (feature_hits.cpp). Out of line: inlined into run() with the
    // other steps, it costs more in register moves than the call does (callgrind: 15
    // instructions per message).
    [[gnu::noinline]] void add_feature_hits();

    // Whether a token is part of a CONSTANT_NAME or a snake_name (an underscore beside it).
    bool in_identifier(const token& t) const noexcept
    {
        return (t.span.begin > 0 && text_[t.span.begin - 1] == '_') ||
               (t.span.end < text_.size() && text_[t.span.end] == '_');
    }

    // @scare_quote (scare_quote.hpp) at the tokens inside the quote (feature_hits.cpp).
    void add_scare_quote(std::uint32_t base);

    // Two hits with the same cue and first token. Only lexicon hits (those before
    // add_feature_hits()'s; a feature hits a token once) can be such a pair, and they come
    // from one token's phrases, which match_phrases() found one after the other: only
    // neighbours with the same first token need comparing. Asked at most twice per message
    // (index_hits(), ensure_indexed()), answered once.
    bool equal_hits() noexcept
    {
        if (equal_known_) return equal_;
        equal_known_ = true;
        const auto& hits = s_.hits;
        const std::size_t n = lexicon_hits_;
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t j = k + 1; j < n && hits[j].first == hits[k].first; ++j)
                if (hits[j].cue == hits[k].cue) return equal_ = true;
        return equal_ = false;
    }

    // The present cues (present_mask_) and the feeling. Ordering the hits by cue, which only
    // evaluate() needs, waits for its first call (ensure_indexed()) with cue masks: most
    // messages have no rule to evaluate.
    [[gnu::always_inline]] void index_hits()
    {
        auto& hits = s_.hits;
        const auto n = static_cast<std::uint32_t>(hits.size());
        if (!c_.cue_masks) {
            sort_hits();
            indexed_ = true;
            find_feeling();
            return;
        }
        indexed_ = false;
        analyzer::compiled::cue_set mask{};
        const hit* h = hits.data();
        for (std::uint32_t k = 0; k < n; ++k) {
            const std::uint32_t cue = h[k].cue;
            mask[cue >> 6] |= std::uint64_t{1} << (cue & 63);
        }
        present_mask_ = mask;
        if (!meets(c_.feeling_cues)) return;
        // Which of two hits with the same cue and first token the feeling takes follows their
        // order, which std::sort may choose (see ensure_indexed()): order them first then.
        if (n > 16 && equal_hits()) {
            sort_hits();
            indexed_ = true;
        }
        find_feeling();
    }

    // The hits ordered by cue with each present cue's run (cue_first, cue_count), once per
    // message. With cue masks (every cue below 64 * words) by counting them per cue (stable: the hits
    // of a cue stay in the order found, which is by first token). That is the order
    // sort_hits() gives unless it hands more than 16 hits, two with the same cue and first
    // token, to std::sort: then sort_hits() orders them.
    void ensure_indexed()
    {
        if (indexed_) return;
        indexed_ = true;
        if (s_.hits.size() <= 16 || !equal_hits())
            bucket_hits();
        else
            sort_hits();
    }

    // feeling: the earliest hit of a slot lexicon, of the lowest cue among hits on one token,
    // the first of those in the order of the hits (in ensure_indexed()'s order, which keeps
    // the order found unless std::sort ordered them).
    void find_feeling()
    {
        std::uint32_t best_first = no_position;
        std::uint32_t best_cue = 0;
        for (const auto& h : s_.hits) {
            if (h.cue >= c_.lexicons.size() || !c_.lexicons[h.cue].feeling) continue;
            if (h.first < best_first || (h.first == best_first && h.cue < best_cue)) {
                best_first = h.first;
                best_cue = h.cue;
                out_.feeling = c_.term_texts[h.term];
            }
        }
    }

    // Counting sort by cue (cue_masks only, present_mask_ set): counts per cue in one pass,
    // then each present cue's run (cue_first, cue_count) in cue order from the mask's bits,
    // then the hits moved to their places, unless they were in order already.
    void bucket_hits()
    {
        auto& hits = s_.hits;
        const auto n = static_cast<std::uint32_t>(hits.size());
        std::uint32_t* count = s_.bucket_count.data();   // all 0 between messages
        std::uint32_t prev = 0;
        bool in_order = true;
        const hit* h = hits.data();
        for (std::uint32_t k = 0; k < n; ++k) {
            const std::uint32_t cue = h[k].cue;
            ++count[cue];
            in_order = in_order && cue >= prev;
            prev = cue;
        }
        std::uint32_t* first = s_.cue_first.data();
        std::uint32_t* runs = s_.cue_count.data();
        std::uint32_t* place = s_.bucket_place.data();
        std::uint32_t at = 0;
        for (std::uint32_t word = 0; word < words; ++word) {
            for (std::uint64_t m = present_mask_[word]; m != 0; m &= m - 1) {
                const std::uint32_t cue = word * 64 + static_cast<std::uint32_t>(__builtin_ctzll(m));
                const std::uint32_t c = count[cue];
                count[cue] = 0;
                first[cue] = at;
                runs[cue] = c;
                place[cue] = at;
                at += c;
            }
        }
        if (in_order) return;
        auto& sorted = s_.sorted_hits;
        sorted.reserve(n);
        hit* out = sorted.data();
        for (std::uint32_t k = 0; k < n; ++k) out[place[h[k].cue]++] = h[k];
        sorted.resize(n);
        hits.swap(sorted);
    }

    void sort_hits()
    {
        auto& hits = s_.hits;
        auto before = [](const hit& a, const hit& b) {
            return a.cue != b.cue ? a.cue < b.cue : a.first < b.first;
        };
        // std::sort sorts up to 16 elements by plain insertion; doing that here for the usual
        // few hits saves the call and keeps the order of equal hits exactly as std::sort's.
        // Comparing cues alone gives the same order: insertion keeps the hits of one cue in
        // the order found, which is by first token (match_phrases() and add_feature_hits() go
        // through the tokens in order). Beyond 16 hits std::sort orders equal hits (same cue
        // and first token) its own way; without such a pair every sort gives one order, so
        // insertion serves up to 64 hits then too.
        if (hits.size() <= 16 || (hits.size() <= 64 && !equal_hits())) {
            for (std::size_t i = 1; i < hits.size(); ++i) {
                hit h = hits[i];
                std::size_t j = i;
                for (; j > 0 && h.cue < hits[j - 1].cue; --j) hits[j] = hits[j - 1];
                hits[j] = h;
            }
        } else {
            std::sort(hits.begin(), hits.end(), before);
        }
        // The hits of a cue are now one run: note where it starts and how long it is.
        s_.present.clear();
        analyzer::compiled::cue_set mask{};
        const auto n = static_cast<std::uint32_t>(hits.size());
        for (std::uint32_t k = 0; k < n;) {
            const auto cue = hits[k].cue;
            std::uint32_t end = k + 1;
            while (end < n && hits[end].cue == cue) ++end;
            s_.cue_stamp[cue] = stamp_;
            s_.cue_first[cue] = k;
            s_.cue_count[cue] = end - k;
            s_.present.push_back(cue);
            mask[(cue >> 6) % words] |= std::uint64_t{1} << (cue & 63);   // exact only with cue_masks
            k = end;
        }
        present_mask_ = mask;
    }

    // With cue masks the mask is exact and cue_stamp is not kept (see index_hits()).
    bool present(std::uint32_t cue) const noexcept
    {
        if (c_.cue_masks) return ((present_mask_[cue >> 6] >> (cue & 63)) & 1) != 0;
        return s_.cue_stamp[cue] == stamp_;
    }

    // Some cue of `set` is present (with exact masks: c_.cue_masks).
    bool meets(const analyzer::compiled::cue_set& set) const noexcept { return meets(set, present_mask_); }
    static bool meets(const analyzer::compiled::cue_set& set, const analyzer::compiled::cue_set& present) noexcept
    {
        std::uint64_t any = 0;
        for (std::size_t w = 0; w < words; ++w) any |= set[w] & present[w];
        return any != 0;
    }
    // Every cue of `set` is present.
    bool covers(const analyzer::compiled::cue_set& set) const noexcept { return covers(set, present_mask_); }
    static bool covers(const analyzer::compiled::cue_set& set, const analyzer::compiled::cue_set& present) noexcept
    {
        std::uint64_t missing = 0;
        for (std::size_t w = 0; w < words; ++w) missing |= set[w] & ~present[w];
        return missing == 0;
    }

    // The trigger entry's rule is to be evaluated: covers(t.all), no cue of t.blocked and some
    // of t.any present. One branch for the three tests (each of the three was mispredicted
    // often when they were tested one after the other).
    static bool admits(const analyzer::compiled::trigger_entry& t, const analyzer::compiled::cue_set& present) noexcept
    {
        std::uint64_t wrong = 0, any = 0;
        for (std::size_t w = 0; w < words; ++w) {
            wrong |= (t.all[w] & ~present[w]) | (t.blocked[w] & present[w]);
            any |= t.any[w] & present[w];
        }
        return (wrong == 0) & (any != 0);
    }

    byte_span span_of(std::uint32_t first, std::uint32_t last) const
    {
        const auto& toks = s_.text.tokens;
        return {toks[first].span.begin, toks[last].span.end};
    }

    byte_span span_of_chosen() const;

    bool search(const analyzer::compiled::rule& r, std::uint32_t any_cue);

    // Inlined into run(): out of line (GCC's choice) it cost 13 instructions per message more.
    [[gnu::always_inline]] void evaluate_rules()
    {
        if (c_.cue_masks) {
            // One test of the masks per triggered rule: all its `all` cues present, no `none`
            // cue nor lower trigger cue present, some `any` cue present (see compiled.hpp).
            const analyzer::compiled::cue_set p = present_mask_;
            const auto* entries = c_.trigger_entries.data();
            const auto* begin = c_.trigger_begin.data();
            // The present cues that trigger some rule in order: the bits of the mask, low to high.
            for (std::uint32_t word = 0; word < words; ++word) {
                for (std::uint64_t m = p[word] & c_.trigger_cues[word]; m != 0; m &= m - 1) {
                    const std::uint32_t cue = word * 64 + static_cast<std::uint32_t>(__builtin_ctzll(m));
                    const auto* end = entries + begin[cue + 1];
                    for (const auto* e = entries + begin[cue]; e != end; ++e) {
                        const auto& t = *e;
                        if ((p[t.key_word] & t.key_mask) != t.key_mask) continue;
                        if (!admits(t, p)) continue;
                        evaluate(t.rule);
                    }
                }
            }
            return;
        }
        for (auto cue : s_.present) {
            for (auto r : c_.triggers[cue]) {
                if (s_.rule_stamp[r] == stamp_) continue;
                s_.rule_stamp[r] = stamp_;
                evaluate(r);
            }
        }
    }

    void evaluate(std::uint32_t index);

    bool choose_first(const analyzer::compiled::rule& r, std::uint32_t any_cue);

    [[gnu::always_inline]] void apply_modifiers()
    {
        const std::uint32_t fired = fired_;
        if (fired == 0) return;
        const bool masks = c_.cue_masks;
        const auto* mod_masks = c_.modifier_cue_masks.data();
        if (masks && c_.modifier_sets_exact) {
            // The modifiers that change a category with a fired rule, in order, from the bits
            // of their sets; of those, the ones whose cues are all present.
            std::uint64_t candidates = 0;
            for (std::size_t cat = 0; cat < category_count; ++cat)
                if ((fired >> cat) & 1u) candidates |= c_.modifier_sets[cat];
            for (; candidates != 0; candidates &= candidates - 1) {
                const auto m = static_cast<std::size_t>(__builtin_ctzll(candidates));
                if (covers(mod_masks[m])) apply_modifier(m);
            }
            return;
        }
        const auto* mod_cats = c_.modifier_categories.data();
        const std::size_t modifiers = c_.modifiers.size();
        for (std::size_t m = 0; m < modifiers; ++m) {
            // A modifier that changes no category with a fired rule adds nothing.
            if ((mod_cats[m] & fired) == 0) continue;
            const auto& mod = c_.modifiers[m];
            if (masks) {   // exact
                if (!covers(mod_masks[m])) continue;
            } else if (!std::all_of(mod.when.begin(), mod.when.end(),
                                    [&](std::uint32_t cue) { return present(cue); })) {
                continue;
            }
            apply_modifier(m);
        }
    }

    // Modifier m applies (its cues are present, some category it changes has a fired rule).
    void apply_modifier(std::size_t m)
    {
        const auto& mod = c_.modifiers[m];
        s_.chosen.clear();
        for (auto cue : mod.when) s_.chosen.push_back(&s_.hits[s_.cue_first[cue]]);
        auto span = span_of_chosen();
        const auto& info = c_.modifier_infos[m];
        for (std::size_t cat = 0; cat < category_count; ++cat) {
            if (mod.effect[cat] == 0 || ((fired_ >> cat) & 1u) == 0) continue;
            logits_[cat] += mod.effect[cat];
            lowered_ |= static_cast<std::uint32_t>(mod.effect[cat] < 0) << cat;
            out_.cues.push_back({info.id, static_cast<category>(cat), info.label, span, mod.effect[cat]});
        }
    }

    // The learned signal (learned_signal.hpp) as one more cue per category: effect =
    // clamp(scale (z - offset)); at least min_effect it adds a cue and fires the category (unless,
    // with `yield_to_modifiers`, a modifier lowered the category); at most -min_effect, with
    // `damp`, it lowers a category some rule fired. The cue spans the n-gram(s) that weighed
    // most, so the flag still names words.
    [[gnu::always_inline]] void apply_learned()
    {
        const auto& model = c_.learned;
        if (model.empty()) return;
        learned::result r;
        model.evaluate(s_.text, s_.learned, r, c_.learned_words);
        for (std::size_t cat = 0; cat < reported_category_count; ++cat) {
            const auto& p = model.params(static_cast<category>(cat));
            if (!p.defined) continue;
            const float effect = r.effect[cat];
            const auto min_effect = static_cast<float>(p.min_effect);
            const bool fired = ((fired_ >> cat) & 1u) != 0;
            const bool raise = effect >= min_effect;
            if (raise ? p.yield_to_modifiers && ((lowered_ >> cat) & 1u) != 0
                      : !(effect <= -min_effect && p.damp && fired))
                continue;
            byte_span span;
            if (!model.strongest(s_.text, s_.learned, static_cast<category>(cat), raise, span)) continue;
            out_.cues.push_back({p.rule_id, static_cast<category>(cat), raise ? p.label : p.damp_label, span, effect});
            logits_[cat] += effect;
            fired_ |= 1u << cat;
        }
    }

    [[gnu::always_inline]] void score(sensitivity sens)
    {
        for (std::size_t cat = 0; cat < category_count; ++cat) {
            if (((fired_ >> cat) & 1u) == 0) continue;
            const auto& sc = c_.scoring[cat];
            float s = sigmoid(sc.bias + logits_[cat]);
            out_.scores[cat] = s;
            out_.flags[cat] = s >= sc.thresholds[static_cast<std::size_t>(sens)];
        }
        // Crisis language is the writer's own deepest struggle: a crisis flag is a distress flag
        // too (the labels agree: crisis implies distress), and the policy lets the crisis card
        // take precedence.
        constexpr auto crisis = static_cast<std::size_t>(category::crisis);
        constexpr auto distress = static_cast<std::size_t>(category::distress);
        if (out_.flags[crisis]) {
            out_.scores[distress] = std::max(out_.scores[distress], out_.scores[crisis]);
            out_.flags[distress] = true;
        }
    }

    const analyzer::compiled& c_;
    scratch& s_;
    std::string_view text_;
    analysis& out_;
    const message_context context_;
    std::uint32_t stamp_ = 0;
    std::uint32_t feature_count_ = 0;   // entries of s_.feature_tokens filled for this message
    std::uint32_t lexicon_hits_ = 0;    // s_.hits before add_feature_hits(): the lexicons' hits
    bool equal_known_ = false;          // equal_hits() has been asked
    bool equal_ = false;                // and answered this
    std::uint32_t unquoted_tokens_ = 0;   // tokens outside quotes (for @short)
    analyzer::compiled::cue_set present_mask_{};   // present cues (exact when c_.cue_masks)
    bool mention_ = false;                // a plain @name token outside quotes (for @mention)
    bool indexed_ = false;                // hits ordered by cue, cue_first / cue_count set
    std::array<float, category_count> logits_{};
    std::uint32_t fired_ = 0;   // bit per category with a fired rule
    std::uint32_t lowered_ = 0;   // bit per category a modifier lowered
};

}  // namespace nudgebot::engine::eval
