// The compiled rule set: loads rule packs (rules/README.md), compiles them once into one matcher,
// and analyses messages.
//
// Contract: load_rules()/compile_rules() run at start-up or reload; they report every mistake
// in the packs as `file:line:col: error: ...` (all at once) and return nullptr when there is any
// error. They may throw only std::bad_alloc. An analyzer is immutable: analyze() is const,
// thread-safe, never throws, allocates nothing once the caller's `analysis` and the calling
// thread's scratch buffers are warm, and does work linear in the text (texts beyond
// normalizer::max_input_bytes are analysed up to that limit). Cues and `feeling` in an analysis
// are views into the analyzer; keep its shared_ptr while you hold them. A reload builds a new
// analyzer and swaps the shared_ptr. Owner: engine.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.hpp"
#include "engine/analysis.hpp"

namespace nudgebot::engine {

namespace learned {
class model;
}

struct rule_info {
    std::string id;      // "conflict.insult_at_person"
    category cat = category::conflict;
    std::string label;   // plain words
    float weight = 0;
    std::string pack;    // pack id
    std::string file;    // the pack's file name as loaded
};

struct lexicon_info {
    std::string id;
    std::string label;
    std::string pack;
    std::size_t terms = 0;
    bool negatable = false;
    bool mask = false;
    std::string slot;   // "" or "feeling"
};

struct modifier_info {
    std::string id;
    std::string label;
    std::string pack;
    std::vector<std::string> when;
    std::array<float, category_count> effect{};   // 0 where the modifier does not apply
};

struct category_scoring {
    float bias = 0;
    std::array<float, 3> thresholds{1, 1, 1};   // indexed by sensitivity (low, medium, high)
    bool defined = false;                       // present in scoring.json
};

// An example written in a pack, with the place of its string in the file.
struct pack_example {
    enum class kind : std::uint8_t { fire, quiet, flag, stay_quiet };
    kind what = kind::fire;
    std::string rule_id;   // for fire / quiet
    category cat = category::conflict;   // for flag / stay_quiet
    std::string text;
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
};

struct pack_source {
    std::string file_name;   // used in diagnostics, e.g. "rules/en/conflict.json"
    std::string text;
};

// One n-gram occurrence of a message as the learned signal sees it (learned_signal.hpp).
struct ngram_occurrence {
    std::uint64_t key = 0;
    std::string text;   // token texts joined by one space; empty when a token holds a space
};

class analyzer {
public:
    struct compiled;   // opaque
    explicit analyzer(std::unique_ptr<const compiled> c);
    ~analyzer();
    analyzer(const analyzer&) = delete;
    analyzer& operator=(const analyzer&) = delete;

    // Fills `out` (reusing its capacity). Every fired rule appears in out.cues, also in categories
    // that stay below their threshold, and so does every modifier that applied.
    // `context` is what the platform knows beyond the words (a reply to someone, ...).
    void analyze(std::string_view text, sensitivity s, analysis& out, message_context context = {}) const;
    analysis analyze(std::string_view text, sensitivity s, message_context context = {}) const;

    const std::vector<rule_info>& rules() const noexcept;
    const std::vector<lexicon_info>& lexicons() const noexcept;
    const std::vector<modifier_info>& modifiers() const noexcept;
    const std::vector<std::string>& packs() const noexcept;   // pack ids, in load order
    const std::vector<pack_example>& examples() const noexcept;
    const category_scoring& scoring(category c) const noexcept;
    float threshold(category c, sensitivity s) const noexcept;
    // Built-in features usable in rules ("@shouting", ...).
    static const std::vector<std::string_view>& features();

    std::size_t memory_bytes() const noexcept;   // approximate size of the compiled set
    double compile_ms() const noexcept;          // time compile_rules took
    // Whether every cue fits the bit masks that let analyze() pass over absent rules cheaply
    // (compiled.hpp, cue_mask_words); past cue_mask_limit() cues it works without, slower.
    bool uses_cue_masks() const noexcept;
    std::size_t cue_count() const noexcept;      // lexicons + built-in features
    static std::size_t cue_mask_limit() noexcept;

    // The learned signal (learned_signal.hpp; empty without learned.json).
    const learned::model& learned_model() const noexcept;
    // Every n-gram of up to `order` words of `text` (normalised as analyze() does), with the keys
    // the learned signal looks up; `out` is cleared first. For training (`rules learn`).
    void ngrams(std::string_view text, unsigned order, std::vector<ngram_occurrence>& out) const;
    // The learned model's probability sigmoid(z) per reported category (conflict, distress,
    // crisis); 0 for a category the model does not have.
    std::array<float, reported_category_count> learned_probabilities(std::string_view text) const;

private:
    std::unique_ptr<const compiled> c_;
};

// Compiles packs held in memory. `scoring` is the scoring.json source (nullptr reports it missing);
// `learned` is the learned.json source (nullptr: no learned signal).
std::shared_ptr<const analyzer> compile_rules(const std::vector<pack_source>& packs,
                                              const pack_source* scoring, core::diagnostics& diags,
                                              const pack_source* learned = nullptr);

// The files of a rules folder: every pack (every *.json except suggestions.json, scoring.json
// and learned.json, by name order), scoring.json and learned.json when present. File names are
// `dir/<name>`. Returns false (with diagnostics) when the folder or a file cannot be read.
struct rule_sources {
    std::vector<pack_source> packs;
    std::optional<pack_source> scoring;
    std::optional<pack_source> learned;
};
bool read_rule_sources(const std::string& dir, rule_sources& out, core::diagnostics& diags);

// read_rule_sources() and compile_rules().
std::shared_ptr<const analyzer> load_rules(const std::string& dir, core::diagnostics& diags);

}  // namespace nudgebot::engine
