#include "app/rules_fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>
#include <unordered_map>
#include <vector>

#include "app/eval_report.hpp"
#include "app/verbs.hpp"
#include "app/labelled_input.hpp"
#include "core/read_file.hpp"
#include "engine/analyzer.hpp"

namespace nudgebot::app {

namespace {

// Each eval label and the engine category whose rules it trains.
constexpr std::array<engine::category, eval::label_count> trained{
    engine::category::conflict, engine::category::distress, engine::category::crisis, engine::category::kindness};

// One record as the fit sees it for one category: which of the category's rules fired, the fixed
// part of the logit (bias + modifiers) and the label.
struct sample {
    std::vector<std::uint16_t> rules;   // indexes into the category's rule list
    double offset = 0;
    bool truth = false;
};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Full-batch gradient descent on the cost-weighted log loss plus l2 * (w - w0)^2; a few thousand
// cheap iterations converge for the few dozen weights a category has.
std::vector<double> fit(const std::vector<sample>& samples, const std::vector<double>& start,
                        const rules_fit_options& o)
{
    std::vector<double> w = start, grad(start.size());
    if (samples.empty()) return w;
    double total_cost = 0;
    for (const auto& s : samples) total_cost += s.truth ? 1.0 : o.negative_weight;
    constexpr int iterations = 4000;
    constexpr double rate = 2.0;
    for (int it = 0; it < iterations; ++it) {
        std::fill(grad.begin(), grad.end(), 0.0);
        for (const auto& s : samples) {
            double z = s.offset;
            for (auto r : s.rules) z += w[r];
            const double cost = s.truth ? 1.0 : o.negative_weight;
            const double g = cost * (sigmoid(z) - (s.truth ? 1.0 : 0.0)) / total_cost;
            for (auto r : s.rules) grad[r] += g;
        }
        for (std::size_t i = 0; i < w.size(); ++i) {
            grad[i] += 2.0 * o.l2 * (w[i] - start[i]) / static_cast<double>(samples.size());
            w[i] = std::clamp(w[i] - rate * grad[i], o.min_weight, o.max_weight);
        }
    }
    return w;
}

}  // namespace

bool set_rule_weight(std::string& text, const std::string& rule_id, double weight)
{
    const std::string key = "\"id\": \"" + rule_id + "\"";
    auto at = text.find(key);
    if (at == std::string::npos) {
        // Also accept the compact spelling without a space after the colon.
        at = text.find("\"id\":\"" + rule_id + "\"");
        if (at == std::string::npos) return false;
    }
    // The weight belongs to this rule only if it comes before the rule object closes; rules are
    // flat objects whose only nested braces are "examples", which follows "weight" by convention,
    // so stop at the next "id" instead of counting braces.
    const auto next_id = text.find("\"id\"", at + key.size());
    auto w = text.find("\"weight\"", at);
    if (w == std::string::npos || (next_id != std::string::npos && w > next_id)) return false;
    auto colon = text.find(':', w + 8);
    if (colon == std::string::npos) return false;
    auto begin = text.find_first_not_of(" \t", colon + 1);
    if (begin == std::string::npos) return false;
    auto end = text.find_first_not_of("0123456789.-+eE", begin);
    if (end == begin) return false;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", weight);
    text.replace(begin, end - begin, buf);
    return true;
}

int run_rules_fit(const rules_fit_options& options, std::ostream& out, std::ostream& err)
{
    auto inputs = open_labelled_run("rules fit", options.file, options.rules_dir, err);
    if (!inputs) return 2;
    const auto& [in, analyzer] = *inputs;

    // Rules per category, and a lookup from rule id to (category, index).
    const auto& rules = analyzer->rules();
    std::array<std::vector<std::size_t>, eval::label_count> members;   // indexes into rules
    std::unordered_map<std::string_view, std::pair<std::size_t, std::uint16_t>> where;
    for (std::size_t i = 0; i < rules.size(); ++i)
        for (std::size_t li = 0; li < eval::label_count; ++li)
            if (rules[i].cat == trained[li]) {
                where[rules[i].id] = {li, static_cast<std::uint16_t>(members[li].size())};
                members[li].push_back(i);
            }

    std::array<std::vector<sample>, eval::label_count> samples;
    std::array<std::vector<std::array<std::uint64_t, 2>>, eval::label_count> fired;   // [rule] {pos, neg}
    for (std::size_t li = 0; li < eval::label_count; ++li) fired[li].assign(members[li].size(), {0, 0});

    std::uint64_t bad = 0;
    std::string line, text, error;
    engine::analysis a;
    while (in->next(line)) {
        if (!in->too_long() && core::blank_line(line)) continue;
        auto record = read_record(*in, line, text, error);
        if (!record) {
            if (++bad <= 20) err << options.file << ':' << in->line_number() << ": bad line: " << error << '\n';
            continue;
        }
        analyzer->analyze(text, engine::sensitivity::medium, a);
        for (std::size_t li = 0; li < eval::label_count; ++li) {
            if (!record->labels[li]) continue;
            sample s;
            s.truth = *record->labels[li];
            s.offset = analyzer->scoring(trained[li]).bias;
            for (const auto& c : a.cues) {
                if (c.cat != trained[li]) continue;
                const auto it = where.find(c.rule_id);
                if (it == where.end()) {
                    s.offset += c.weight;   // a modifier: fixed
                } else if (std::find(s.rules.begin(), s.rules.end(), it->second.second) == s.rules.end()) {
                    s.rules.push_back(it->second.second);
                    ++fired[li][it->second.second][s.truth ? 0 : 1];
                }
            }
            if (!s.rules.empty()) samples[li].push_back(std::move(s));
        }
    }

    std::map<std::string, std::string> files;   // path -> rewritten text
    char buf[200];
    for (std::size_t li = 0; li < eval::label_count; ++li) {
        if (members[li].empty()) continue;
        std::vector<double> start;
        for (auto i : members[li]) start.push_back(rules[i].weight);
        const auto w = fit(samples[li], start, options);
        out << "\n" << eval::detector_names[li] << " (label " << eval::label_names[li] << "): "
            << samples[li].size() << " annotated records with a fired rule\n";
        std::snprintf(buf, sizeof buf, "  %-44s %7s %7s %8s %9s\n", "rule", "pos", "neg", "weight", "suggested");
        out << buf;
        for (std::size_t k = 0; k < members[li].size(); ++k) {
            const auto& r = rules[members[li][k]];
            std::snprintf(buf, sizeof buf, "  %-44s %7llu %7llu %8.2f %9.2f\n", r.id.c_str(),
                          static_cast<unsigned long long>(fired[li][k][0]),
                          static_cast<unsigned long long>(fired[li][k][1]), r.weight, w[k]);
            out << buf;
            if (!options.write) continue;
            auto [it, inserted] = files.try_emplace(r.file);
            if (inserted) {
                auto pack = core::read_file(r.file, "rule pack");
                if (!pack.ok()) {
                    err << "nudgebot rules fit: " << r.file << ": " << pack.error << '\n';
                    return 2;
                }
                it->second = std::move(pack.text);
            }
            if (!set_rule_weight(it->second, r.id, w[k]))
                err << "nudgebot rules fit: no weight found for " << r.id << " in " << r.file << '\n';
        }
    }
    for (const auto& [path, content] : files) {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        if (!(f << content) || !f.flush()) {
            err << "nudgebot rules fit: cannot write " << path << '\n';
            return 2;
        }
        err << "rewrote weights in " << path << '\n';
    }
    return bad > 0 ? 1 : 0;
}

}  // namespace nudgebot::app
