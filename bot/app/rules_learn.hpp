// `rules learn`: trains the learned second signal (rules/README.md "The learned signal") from
// labelled JSON lines and writes it as DIR/learned.json.
//
// Contract: owned by app/ (next to `rules fit`; cli.cpp exposes it as `nudgebot rules learn`).
// Reads the records of every FILE (the format `nudgebot eval` reads, through eval::parse_record),
// normalises each text with the normaliser and vocabulary of the packs in `rules_dir` (the same
// analyzer::ngrams() the analyzer's look-ups use, so training and run time see the same keys),
// keeps the n-grams of up to `order` words that occur in at least `min_df` records, and trains
// one logistic regression per category (conflict, distress, crisis) by plain SGD: presence
// features, each update scaled by 1/sqrt(N + 1) with N every n-gram occurrence of the message
// (also those min_df dropped), or with count_known the kept n-grams (the file then says
// "count": "known", and the analyzer counts the same way, but for the few kept n-grams whose
// weights all round below 1e-3 and are not written: the analyzer cannot count them; 23 of
// 27,913 in the shipped model), positives weighted negatives/positives, records with a null
// label left out of that category, bias step 0.1 * rate, a Fisher-Yates shuffle per epoch over
// std::mt19937_64 seeded with `seed` (for each category afresh). Prints a summary (records,
// n-grams, per category positives / negatives / bias, and training-set precision / recall at
// medium sensitivity for the rules alone and with the new model at the combination written).
// With `write`, writes DIR/learned.json: n-grams sorted, weights rounded to 4 decimals, n-grams
// whose three weights are all below 1e-3 in size left out, and the "categories" combination
// parameters of an existing DIR/learned.json kept (only each bias is replaced). The same input
// gives the same file, byte for byte. Texts stay in memory; only n-grams (of at most `order`
// words, seen in at least `min_df` records) and weights are written. Single-threaded; exits 0,
// 1 when some lines were bad (still trains), 2 on bad options or unreadable / unwritable files.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace nudgebot::app {

struct rules_learn_options {
    std::vector<std::string> files;   // labelled JSONL
    std::string rules_dir;
    bool write = false;               // write rules_dir/learned.json
    unsigned order = 2;               // words per n-gram at most (1-3)
    unsigned min_df = 2;              // records an n-gram must occur in
    unsigned epochs = 8;
    double rate = 0.2;
    std::uint64_t seed = 1;
    bool count_known = false;         // N counts the kept n-grams only ("count": "known")
};

int run_rules_learn(const rules_learn_options& options, std::ostream& out, std::ostream& err);

}  // namespace nudgebot::app
