// `rules fit`: suggests rule weights from labelled data, keeping every cue a named rule.
//
// Contract: owned by app/ (next to the eval verb; main.cpp may expose it as `nudgebot rules fit`).
// Loads the packs, analyses every labelled record of the JSONL file (same format as `nudgebot
// eval`), and for each category fits the weights of that category's rules by L2-regularised,
// cost-weighted logistic regression over fired-rule indicators. The bias and the modifiers stay as
// written; regularisation pulls each weight towards its current value, so a rule that rarely fires
// keeps the author's weight. Only records on which at least one rule of the category fired take
// part: a record no rule notices scores 0 whatever the weights. Prints a table (rule, fired on
// positives / negatives, current weight, suggested weight). With `write`, rewrites the
// `"weight":` numbers of the rules in their pack files in place, touching nothing else.
// Single-threaded; exits 0, 1 on bad lines (still fits), 2 when files cannot be read or written.
#pragma once

#include <iosfwd>
#include <string>

namespace nudgebot::app {

struct rules_fit_options {
    std::string file;              // labelled JSONL
    std::string rules_dir;
    double l2 = 2.0;               // pull towards the current weight, per rule
    double negative_weight = 2.0;  // cost of a false positive relative to a miss (precision first)
    double min_weight = 0.2;
    double max_weight = 5.0;
    bool write = false;            // rewrite the pack files
};

int run_rules_fit(const rules_fit_options& options, std::ostream& out, std::ostream& err);

// Replaces the number after `"weight":` in the object of rule `rule_id` inside a pack's text.
// Returns false (text unchanged) when the rule or its weight is not found. Exposed for tests.
bool set_rule_weight(std::string& pack_text, const std::string& rule_id, double weight);

}  // namespace nudgebot::app
