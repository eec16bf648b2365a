// analyzer::analyze() and the analyzer's accessors: one analysis is an eval::evaluation
// (evaluation.hpp) over the message normalised into this thread's buffers.
#include "engine/analyzer.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "engine/compiled.hpp"
#include "engine/evaluation.hpp"

namespace nudgebot::engine {

using eval::evaluation;
using eval::scratch;
using eval::sigmoid;

analyzer::analyzer(std::unique_ptr<const compiled> c) : c_(std::move(c)) {}
analyzer::~analyzer() = default;

void analyzer::analyze(std::string_view text, sensitivity s, analysis& out, message_context context) const
{
    out.scores.fill(0);
    out.flags.fill(false);
    out.cues.clear();
    out.features = {};
    out.feeling = {};
    thread_local scratch buffers;
    c_->norm.normalize(text, buffers.text, &c_->vocab);
    if (text.size() > normalizer::max_input_bytes) text = text.substr(0, normalizer::max_input_bytes);
    evaluation e(*c_, buffers, text, out, context);
    e.run(s);
}

analysis analyzer::analyze(std::string_view text, sensitivity s, message_context context) const
{
    analysis out;
    analyze(text, s, out, context);
    return out;
}

const std::vector<rule_info>& analyzer::rules() const noexcept { return c_->rule_infos; }
const std::vector<lexicon_info>& analyzer::lexicons() const noexcept { return c_->lexicon_infos; }
const std::vector<modifier_info>& analyzer::modifiers() const noexcept { return c_->modifier_infos; }
const std::vector<std::string>& analyzer::packs() const noexcept { return c_->packs; }
const std::vector<pack_example>& analyzer::examples() const noexcept { return c_->examples; }
const category_scoring& analyzer::scoring(category c) const noexcept
{
    return c_->scoring[static_cast<std::size_t>(c)];
}
float analyzer::threshold(category c, sensitivity s) const noexcept
{
    return c_->scoring[static_cast<std::size_t>(c)].thresholds[static_cast<std::size_t>(s)];
}
double analyzer::compile_ms() const noexcept { return c_->compile_ms; }

const learned::model& analyzer::learned_model() const noexcept { return c_->learned; }

bool analyzer::uses_cue_masks() const noexcept { return c_->cue_masks; }
std::size_t analyzer::cue_count() const noexcept { return c_->cue_count(); }
std::size_t analyzer::cue_mask_limit() noexcept { return 64 * compiled::cue_mask_words; }

void analyzer::ngrams(std::string_view text, unsigned order, std::vector<ngram_occurrence>& out) const
{
    out.clear();
    normalized_text normal;
    c_->norm.normalize(text, normal, &c_->vocab);
    learned::for_each_ngram(normal, order, [&](std::uint64_t key, std::uint32_t first, std::uint32_t last) {
        ngram_occurrence o;
        o.key = key;
        for (auto k = first; k <= last; ++k) {
            const auto word = normal.text(normal.tokens[k]);
            if (word.empty() || word.find(' ') != std::string_view::npos) {   // cannot be written in learned.json
                o.text.clear();
                break;
            }
            if (k > first) o.text += ' ';
            o.text += word;
        }
        out.push_back(std::move(o));
    });
}

std::array<float, reported_category_count> analyzer::learned_probabilities(std::string_view text) const
{
    std::array<float, reported_category_count> p{};
    const auto& model = c_->learned;
    if (model.empty()) return p;
    thread_local normalized_text normal;
    thread_local learned::scratch buffers;
    c_->norm.normalize(text, normal, &c_->vocab);
    learned::result r;
    model.evaluate(normal, buffers, r, c_->learned_words);
    for (std::size_t cat = 0; cat < reported_category_count; ++cat)
        if (model.params(static_cast<category>(cat)).defined) p[cat] = sigmoid(r.z[cat]);
    return p;
}

std::size_t analyzer::memory_bytes() const noexcept
{
    const auto& c = *c_;
    std::size_t total = c.vocab.memory_bytes() + c.root.capacity() * sizeof(std::int32_t) +
                        c.nodes.capacity() * sizeof(compiled::trie_node) +
                        c.edges.capacity() * sizeof(compiled::edge) +
                        c.edge_slots.capacity() * sizeof(compiled::edge) +
                        c.node_edges.capacity() * sizeof(compiled::edge_range) +
                        c.word_infos.capacity() * sizeof(compiled::word_info) +
                        c.word_items.capacity() * sizeof(std::int32_t) +
                        c.word_starts.capacity() * sizeof(const compiled::trie_node*) + c.item_used.capacity() +
                        c.terminals.capacity() * sizeof(compiled::terminal) +
                        c.cue_refs.capacity() * sizeof(std::uint32_t) + c.word_classes.capacity() +
                        c.rule_cue_masks.capacity() * sizeof(compiled::rule_masks) +
                        c.trigger_begin.capacity() * sizeof(std::uint32_t) +
                        c.trigger_entries.capacity() * sizeof(compiled::trigger_entry) +
                        c.modifier_cue_masks.capacity() * sizeof(compiled::cue_set) +
                        c.modifier_categories.capacity() * sizeof(std::uint32_t) +
                        c.lexicon_filters.capacity() + c.learned.memory_bytes() +
                        c.learned_words.capacity() * sizeof(learned::word_keys);
    for (const auto& t : c.term_texts) total += sizeof(std::string) + t.capacity();
    for (const auto& t : c.triggers) total += sizeof(t) + t.capacity() * sizeof(std::uint32_t);
    for (const auto& e : c.examples) total += sizeof(e) + e.text.capacity();
    return total;
}

}  // namespace nudgebot::engine
