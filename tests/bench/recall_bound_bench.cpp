// How far could word rules take recall? A benchmark run by hand on labelled data (never a test).
//
//   recall_bound_bench RULES_DIR LABELLED.jsonl [CATEGORY] [MIN_PRECISION]
//
// CATEGORY defaults to conflict, MIN_PRECISION to 0.85 (the precision target). The packs'
// flags at sensitivity medium are the starting point. The tool then adds, greedily, "rules" that
// flag every message containing one word or a pair of words, choosing each time the rule that
// brings the most new true positives per new false positive, until precision would fall below
// MIN_PRECISION or the everyday-chat records (annotated 0 for conflict and distress) would be
// flagged more than 1 %. Such rules are cruder than the packs' (no order, window, negation or
// quotes) but they are chosen by looking at the labels, so the in-sample numbers are an
// optimistic estimate of what hand-written rules over the same words could reach.
//
// Three vocabularies: (A) single words from the packs' lexicons, (B) pairs of such words,
// (C) pairs of any words seen in at least 10 records (names and topic words included). Each is
// chosen on all records and measured on them (in-sample), then chosen on the even-numbered records
// and measured on the odd-numbered ones (held out), at minimum supports 2, 5 and 10: what a rule
// learnt from one half does on the other half shows how much of the in-sample gain is memorised.
//
// Words: runs of ASCII letters, digits and apostrophes, lower-cased (the engine's normaliser does
// more; this is an estimate). Message text stays in memory; nothing is written anywhere.
#include "app/eval_report.hpp"
#include "engine/analyzer.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using word_id = std::uint32_t;
using feature_key = std::uint64_t;   // (first word << 32) | second word; a single word pairs with itself

struct record {
    bool positive = false;
    bool flagged = false;
    bool everyday = false;
    bool even = false;
};

struct corpus {
    std::vector<record> records;
    std::vector<std::vector<word_id>> words;   // distinct word ids per record, in first-seen order
    std::vector<std::string> vocabulary;
    std::vector<std::uint32_t> document_frequency;
};

std::vector<std::string> split_words(const std::string& text)
{
    std::vector<std::string> out;
    std::string current;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'') {
            current.push_back(static_cast<char>(c));
        } else if (c >= 'A' && c <= 'Z') {
            current.push_back(static_cast<char>(c - 'A' + 'a'));
        } else if (!current.empty()) {
            out.push_back(std::move(current));
            current.clear();
        }
    }
    if (!current.empty())
        out.push_back(std::move(current));
    return out;
}

// Single-word terms of every lexicon in the pack files, wildcards taken as their stem.
std::unordered_set<std::string> pack_words(const std::filesystem::path& dir)
{
    std::unordered_set<std::string> words;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".json")
            continue;
        std::ifstream in(entry.path());
        auto pack = nlohmann::json::parse(in, nullptr, false, /*ignore_comments=*/true);
        if (!pack.is_object() || !pack.contains("lexicons") || !pack["lexicons"].is_object())
            continue;
        for (const auto& [name, lexicon] : pack["lexicons"].items()) {
            if (!lexicon.is_object() || !lexicon.contains("terms") || !lexicon["terms"].is_array())
                continue;
            for (const auto& term : lexicon["terms"]) {
                if (!term.is_string())
                    continue;
                auto t = term.get<std::string>();
                if (!t.empty() && t.back() == '*')
                    t.pop_back();
                auto parts = split_words(t);
                if (parts.size() == 1)
                    words.insert(parts.front());
            }
        }
    }
    return words;
}

struct outcome {
    double recall = 0, precision = 0, everyday_rate = 0;
    std::size_t rules = 0;
};

struct counts {
    std::size_t positives = 0, tp = 0, fp = 0, everyday = 0, everyday_flagged = 0;
};

// Counts over the records `in` selects, a record being flagged when the packs flag it or `hit`
// marks it (hit may be empty: the packs alone).
template <class Select>
counts tally(const corpus& c, const std::vector<char>& hit, Select in)
{
    counts n;
    for (std::size_t r = 0; r < c.records.size(); ++r) {
        if (!in(r))
            continue;
        const auto& rec = c.records[r];
        bool flag = rec.flagged || (!hit.empty() && hit[r]);
        n.positives += rec.positive;
        n.tp += rec.positive && flag;
        n.fp += !rec.positive && flag;
        n.everyday += rec.everyday;
        n.everyday_flagged += rec.everyday && flag;
    }
    return n;
}

// Flags of the packs plus the chosen features, measured over the records `in` selects.
template <class Select>
outcome measure(const corpus& c, const std::vector<std::vector<std::uint32_t>*>& chosen, Select in)
{
    std::vector<char> hit(c.records.size(), 0);
    for (const auto* postings : chosen)
        for (auto r : *postings)
            hit[r] = 1;
    auto n = tally(c, hit, in);
    outcome o;
    o.recall = n.positives ? static_cast<double>(n.tp) / static_cast<double>(n.positives) : 0;
    o.precision = n.tp + n.fp ? static_cast<double>(n.tp) / static_cast<double>(n.tp + n.fp) : 0;
    o.everyday_rate = n.everyday ? static_cast<double>(n.everyday_flagged) / static_cast<double>(n.everyday) : 0;
    o.rules = chosen.size();
    return o;
}

// Greedy choice over the records `in` selects; returns the chosen features' postings.
template <class Select>
std::vector<std::vector<std::uint32_t>*> choose(const corpus& c,
                                                 std::unordered_map<feature_key, std::vector<std::uint32_t>>& postings,
                                                 Select in, std::size_t min_support, double min_precision)
{
    auto [positives, tp, fp, everyday, everyday_flagged] = tally(c, {}, in);
    std::size_t everyday_budget = everyday / 100;
    std::vector<std::vector<std::uint32_t>*> candidates;
    for (auto& [key, list] : postings) {
        std::size_t support = 0;
        for (auto r : list)
            support += in(r) && c.records[r].positive;
        if (support >= min_support)
            candidates.push_back(&list);
    }
    std::vector<char> covered(c.records.size(), 0);
    std::vector<std::vector<std::uint32_t>*> chosen;
    for (;;) {
        std::vector<std::uint32_t>* best = nullptr;
        double best_score = -1;
        std::size_t best_tp = 0, best_fp = 0, best_everyday = 0;
        for (auto* list : candidates) {
            std::size_t gain_tp = 0, gain_fp = 0, gain_everyday = 0;
            for (auto r : *list) {
                if (!in(r) || covered[r])
                    continue;
                const auto& rec = c.records[r];
                gain_tp += rec.positive;
                gain_fp += !rec.positive;
                gain_everyday += rec.everyday;
            }
            if (gain_tp < min_support || everyday_flagged + gain_everyday > everyday_budget)
                continue;
            double score = static_cast<double>(gain_tp) / (static_cast<double>(gain_fp) + 0.5);
            if (score > best_score) {
                best_score = score;
                best = list;
                best_tp = gain_tp;
                best_fp = gain_fp;
                best_everyday = gain_everyday;
            }
        }
        if (!best)
            break;
        double precision = static_cast<double>(tp + best_tp) / static_cast<double>(tp + best_tp + fp + best_fp);
        if (precision < min_precision)
            break;
        tp += best_tp;
        fp += best_fp;
        everyday_flagged += best_everyday;
        for (auto r : *best)
            if (in(r))
                covered[r] = 1;
        chosen.push_back(best);
    }
    return chosen;
}

void print_row(const char* vocabulary, const char* how, std::size_t min_support, const outcome& o)
{
    std::printf("%-34s %-22s %7zu %6zu %9.3f %7.3f %8.2f%%\n", vocabulary, how, min_support, o.rules,
                o.precision, o.recall, 100 * o.everyday_rate);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::cerr << "usage: recall_bound_bench RULES_DIR LABELLED.jsonl [CATEGORY] [MIN_PRECISION]\n";
        return 2;
    }
    std::string category_name = argc > 3 ? argv[3] : "conflict";
    double min_precision = 0.85;
    if (argc > 4) {
        char* end = nullptr;
        min_precision = std::strtod(argv[4], &end);
        if (end == argv[4] || *end != '\0' || !(min_precision > 0 && min_precision <= 1)) {
            std::cerr << "MIN_PRECISION must be a number in (0, 1], not " << argv[4] << "\n";
            return 2;
        }
    }
    namespace eval = nudgebot::app::eval;
    auto category = nudgebot::engine::parse_category(category_name);
    auto named = std::find(eval::detector_names.begin(), eval::detector_names.end(), category_name);
    if (!category || named == eval::detector_names.end()) {
        std::cerr << "unknown category: " << category_name << "\n";
        return 2;
    }
    auto wanted_label = static_cast<std::size_t>(named - eval::detector_names.begin());
    constexpr auto conflict_label = static_cast<std::size_t>(eval::label::conflict);
    constexpr auto distress_label = static_cast<std::size_t>(eval::label::distress);
    nudgebot::core::diagnostics diags;
    auto rules = nudgebot::engine::load_rules(argv[1], diags);
    if (!rules) {
        diags.print(std::cerr);
        return 1;
    }

    corpus c;
    std::unordered_map<std::string, word_id> ids;
    std::ifstream in(argv[2]);
    std::string line, text, error;
    nudgebot::engine::analysis out;
    while (std::getline(in, line)) {
        auto labelled = eval::parse_record(line, text, error);   // the format `nudgebot eval` reads
        if (!labelled || !labelled->labels[wanted_label])
            continue;
        const auto& labels = labelled->labels;
        rules->analyze(text, nudgebot::engine::sensitivity::medium, out);
        record rec;
        rec.positive = *labels[wanted_label];
        rec.flagged = out.flagged(*category);
        rec.everyday = labels[conflict_label] == false && labels[distress_label] == false;
        rec.even = c.records.size() % 2 == 0;
        std::vector<word_id> words;
        for (auto& w : split_words(text)) {
            auto [it, added] = ids.try_emplace(w, static_cast<word_id>(c.vocabulary.size()));
            if (added) {
                c.vocabulary.push_back(w);
                c.document_frequency.push_back(0);
            }
            if (std::find(words.begin(), words.end(), it->second) == words.end()) {
                words.push_back(it->second);
                ++c.document_frequency[it->second];
            }
        }
        c.records.push_back(rec);
        c.words.push_back(std::move(words));
    }
    if (c.records.empty()) {
        std::cerr << "no records labelled for " << category_name << " in " << argv[2] << "\n";
        return 1;
    }

    auto packs = pack_words(argv[1]);
    std::vector<char> in_packs(c.vocabulary.size(), 0);
    std::vector<char> frequent(c.vocabulary.size(), 0);
    for (std::size_t w = 0; w < c.vocabulary.size(); ++w) {
        in_packs[w] = packs.count(c.vocabulary[w]) > 0;
        frequent[w] = c.document_frequency[w] >= 10;
    }
    // Postings over the records the packs leave unflagged (the only ones a new rule can change).
    auto build = [&](const std::vector<char>& allowed, bool pairs) {
        std::unordered_map<feature_key, std::vector<std::uint32_t>> postings;
        for (std::uint32_t r = 0; r < c.records.size(); ++r) {
            if (c.records[r].flagged)
                continue;
            std::vector<word_id> ws;
            for (auto w : c.words[r])
                if (allowed[w] && ws.size() < 60)
                    ws.push_back(w);
            std::sort(ws.begin(), ws.end());
            for (std::size_t a = 0; a < ws.size(); ++a) {
                postings[(feature_key{ws[a]} << 32) | ws[a]].push_back(r);
                if (pairs)
                    for (std::size_t b = a + 1; b < ws.size(); ++b)
                        postings[(feature_key{ws[a]} << 32) | ws[b]].push_back(r);
            }
        }
        return postings;
    };

    auto all = [](std::size_t) { return true; };
    auto even = [&](std::size_t r) { return c.records[r].even; };
    auto odd = [&](std::size_t r) { return !c.records[r].even; };
    auto base = measure(c, {}, all);
    std::printf("%zu records labelled for %s; packs alone at medium: precision %.3f recall %.3f, "
                "everyday chat flagged %.2f%%\n", c.records.size(), category_name.c_str(),
                base.precision, base.recall, 100 * base.everyday_rate);
    std::printf("added rules stop at precision %.2f and everyday chat 1%%\n\n", min_precision);
    std::printf("%-34s %-22s %7s %6s %9s %7s %9s\n", "added rules flag a message with", "chosen on / measured on",
                "min sup", "rules", "precision", "recall", "everyday");
    struct vocabulary_case {
        const char* name;
        const std::vector<char>* allowed;
        bool pairs;
    };
    const vocabulary_case cases[] = {{"one word from the packs", &in_packs, false},
                                     {"two words from the packs", &in_packs, true},
                                     {"two words of any kind (df >= 10)", &frequent, true}};
    for (const auto& vc : cases) {
        auto postings = build(*vc.allowed, vc.pairs);
        for (std::size_t min_support : {2, 5, 10}) {
            auto in_sample = choose(c, postings, all, min_support, min_precision);
            print_row(vc.name, "all / all", min_support, measure(c, in_sample, all));
            auto half = choose(c, postings, even, min_support, min_precision);
            print_row(vc.name, "even / odd (held out)", min_support, measure(c, half, odd));
        }
    }
    return 0;
}
