#include "app/rules_learn.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <random>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "app/eval_report.hpp"
#include "core/diagnostics.hpp"
#include "app/labelled_input.hpp"
#include "engine/analyzer.hpp"
#include "engine/learned_signal.hpp"

namespace nudgebot::app {

namespace {

constexpr std::size_t categories = engine::reported_category_count;   // conflict, distress, crisis
constexpr double drop_below = 1e-3;   // n-grams whose three weights are all smaller are not written

// One labelled record as the training sees it.
struct example {
    std::string text;                                     // kept in memory for the summary only
    std::vector<std::uint64_t> keys;                      // distinct n-gram keys (before min_df)
    std::vector<std::uint32_t> features;                  // kept n-grams, by index
    double scale = 1;                                     // 1 / sqrt(N + 1)
    std::array<std::optional<bool>, categories> labels{};
};

// Shortest text that reads back as `v`.
std::string number(double v)
{
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// `v` rounded to 4 decimals, without trailing zeros ("0.12", "-1.5", "0").
std::string weight(double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    std::string s = buf;
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::string json_string(const std::string& s)
{
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-std::clamp(z, -30.0, 30.0))); }

// Fisher-Yates over mt19937_64: the same order on every platform (std::shuffle's is not fixed).
void shuffle(std::vector<std::uint32_t>& v, std::mt19937_64& rng)
{
    for (std::size_t i = v.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(rng() % i);
        std::swap(v[i - 1], v[j]);
    }
}

struct trained {
    std::vector<double> w;
    double bias = 0;
    std::uint64_t positives = 0, negatives = 0;
};

trained train(const std::vector<example>& examples, std::size_t cat, std::size_t features,
              const rules_learn_options& o)
{
    trained t;
    t.w.assign(features, 0.0);
    std::vector<std::uint32_t> order;
    for (std::uint32_t i = 0; i < examples.size(); ++i) {
        const auto& label = examples[i].labels[cat];
        if (!label) continue;
        order.push_back(i);
        ++(*label ? t.positives : t.negatives);
    }
    const double positive_weight =
        static_cast<double>(t.negatives) / static_cast<double>(std::max<std::uint64_t>(t.positives, 1));
    std::mt19937_64 rng(o.seed);
    for (unsigned epoch = 0; epoch < o.epochs; ++epoch) {
        shuffle(order, rng);
        for (const auto i : order) {
            const auto& e = examples[i];
            const bool y = *e.labels[cat];
            double sum = 0;
            for (const auto f : e.features) sum += t.w[f];
            const double p = sigmoid(t.bias + sum * e.scale);
            const double g = ((y ? 1.0 : 0.0) - p) * (y ? positive_weight : 1.0);
            const double step = o.rate * g * e.scale;
            for (const auto f : e.features) t.w[f] += step;
            t.bias += o.rate * g * 0.1;
        }
    }
    return t;
}

struct tally {
    std::uint64_t tp = 0, fp = 0, fn = 0;
    std::string text() const
    {
        char buf[64];
        const auto p = tp + fp ? static_cast<double>(tp) / static_cast<double>(tp + fp) : 0.0;
        const auto r = tp + fn ? static_cast<double>(tp) / static_cast<double>(tp + fn) : 0.0;
        std::snprintf(buf, sizeof buf, "%.3f / %.3f", p, r);
        return buf;
    }
};

// Training-set precision / recall per category at medium sensitivity.
std::array<tally, categories> measure(const engine::analyzer& a, const std::vector<example>& examples)
{
    std::array<tally, categories> t{};
    engine::analysis result;
    for (const auto& e : examples) {
        a.analyze(e.text, engine::sensitivity::medium, result);
        for (std::size_t c = 0; c < categories; ++c) {
            if (!e.labels[c]) continue;
            const bool flagged = result.flags[c];
            if (*e.labels[c] && flagged) ++t[c].tp;
            else if (*e.labels[c]) ++t[c].fn;
            else if (flagged) ++t[c].fp;
        }
    }
    return t;
}

std::string trained_command(const rules_learn_options& o)
{
    std::string s = "nudgebot rules learn";
    for (const auto& f : o.files) s += " " + std::filesystem::path(f).filename().string();
    s += " --order " + std::to_string(o.order) + " --min-df " + std::to_string(o.min_df) + " --epochs " +
         std::to_string(o.epochs) + " --rate " + number(o.rate) + " --seed " + std::to_string(o.seed);
    if (o.count_known) s += " --count known";
    return s;
}

std::string learned_json(const rules_learn_options& o, const engine::learned::model* existing,
                         const std::array<trained, categories>& models, const std::vector<std::string>& texts)
{
    std::string s;
    s += "// The learned second signal (rules/README.md \"The learned signal\"), written by\n"
         "// `nudgebot rules learn`. Retrain rather than edit the n-grams; the \"categories\" settings\n"
         "// other than \"bias\" are kept when the file is retrained.\n";
    s += "{\n";
    s += "  \"model\": " +
         json_string("logistic regression per category over the word n-grams (up to " + std::to_string(o.order) +
                " words) of the normalised message, presence features scaled by 1/sqrt(" +
                (o.count_known ? std::string("its n-grams the model has") : std::string("n-grams")) + " + 1)") +
         ",\n";
    s += "  \"order\": " + std::to_string(o.order) + ",\n";
    if (o.count_known) s += "  \"count\": \"known\",\n";
    s += "  \"trained\": " + json_string(trained_command(o)) + ",\n";
    s += "  \"categories\": {\n";
    for (std::size_t c = 0; c < categories; ++c) {
        const auto cat = static_cast<engine::category>(c);
        engine::learned::category_params p;
        p.label = "words that often come with " + std::string(engine::to_string(cat)) + " language in team chat";
        p.damp_label = "words that rarely come with " + std::string(engine::to_string(cat)) + " language in team chat";
        if (existing != nullptr && existing->params(cat).defined) p = existing->params(cat);
        s += "    " + json_string(std::string(engine::to_string(cat))) + ": {\"bias\": " + weight(models[c].bias) +
             ", \"label\": " + json_string(p.label) + ", \"damp_label\": " + json_string(p.damp_label) +
             ",\n      \"scale\": " + number(p.scale) + ", \"offset\": " + number(p.offset) +
             ", \"min_effect\": " + number(p.min_effect) + ", \"max_effect\": " + number(p.max_effect) +
             ", \"damp\": " + (p.damp ? "true" : "false") +
             (p.yield_to_modifiers ? ", \"yield_to_modifiers\": true" : "") + "}" +
             (c + 1 < categories ? "," : "") + "\n";
    }
    s += "  },\n";
    s += "  \"ngrams\": [\n";
    bool first = true;
    for (std::size_t f = 0; f < texts.size(); ++f) {
        const bool keep = std::any_of(models.begin(), models.end(),
                                      [&](const trained& t) { return std::fabs(t.w[f]) >= drop_below; });
        if (!keep) continue;
        if (!first) s += ",\n";
        first = false;
        s += "    [" + json_string(texts[f]);
        for (const auto& t : models) s += ", " + weight(t.w[f]);
        s += "]";
    }
    s += "\n  ]\n}\n";
    return s;
}

}  // namespace

int run_rules_learn(const rules_learn_options& o, std::ostream& out, std::ostream& err)
{
    const std::string verb = "nudgebot rules learn";
    if (o.files.empty()) {
        err << verb << ": give at least one labelled JSONL file\n";
        return 2;
    }
    if (o.order < 1 || o.order > engine::learned::max_order || o.min_df < 1 || o.epochs < 1 ||
        !(o.rate > 0 && o.rate <= 10)) {
        err << verb << ": --order must be 1-3, --min-df and --epochs at least 1, --rate in (0, 10]\n";
        return 2;
    }
    engine::rule_sources sources;
    core::diagnostics diags;
    const bool read = engine::read_rule_sources(o.rules_dir, sources, diags);
    // The packs alone: their normaliser and vocabulary give the n-grams, their flags the baseline.
    std::shared_ptr<const engine::analyzer> rules;
    if (read) rules = engine::compile_rules(sources.packs, sources.scoring ? &*sources.scoring : nullptr, diags);
    std::optional<engine::learned::model> existing;
    if (rules && sources.learned) {
        existing.emplace();
        if (!existing->read(*sources.learned, diags)) rules = nullptr;
    }
    diags.print(err);
    if (!rules) {
        err << verb << ": the rules in " << o.rules_dir << " did not load\n";
        return 2;
    }

    // Records and their n-grams.
    std::vector<example> examples;
    std::unordered_map<std::uint64_t, std::pair<std::uint32_t, std::string>> seen;   // key -> records, text
    std::vector<engine::ngram_occurrence> grams;
    std::uint64_t bad = 0;
    for (const auto& file : o.files) {
        const auto labelled = open_labelled("rules learn", file, err);
        if (!labelled) return 2;
        auto& in = *labelled;
        std::string line, error;
        while (in.next(line)) {
            if (!in.too_long() && core::blank_line(line)) continue;
            example e;
            auto record = read_record(in, line, e.text, error);
            if (!record) {
                if (++bad <= 20) err << file << ':' << in.line_number() << ": bad line: " << error << '\n';
                continue;
            }
            for (std::size_t c = 0; c < categories; ++c) e.labels[c] = record->labels[c];
            rules->ngrams(e.text, o.order, grams);
            e.scale = 1.0 / std::sqrt(static_cast<double>(grams.size()) + 1.0);
            std::sort(grams.begin(), grams.end(),
                      [](const auto& a, const auto& b) { return a.key < b.key; });
            for (std::size_t k = 0; k < grams.size(); ++k) {
                if ((k > 0 && grams[k].key == grams[k - 1].key) || grams[k].text.empty()) continue;
                e.keys.push_back(grams[k].key);
                auto [it, fresh] = seen.try_emplace(grams[k].key, 0, grams[k].text);
                ++it->second.first;
            }
            examples.push_back(std::move(e));
        }
    }
    if (examples.empty()) {
        err << verb << ": no labelled records\n";
        return 2;
    }

    // The n-grams kept, in text order (which fixes their index and the file's order).
    std::vector<std::pair<std::string, std::uint64_t>> kept;
    for (const auto& [key, value] : seen)
        if (value.first >= o.min_df) kept.emplace_back(value.second, key);
    std::sort(kept.begin(), kept.end());
    std::unordered_map<std::uint64_t, std::uint32_t> index;
    std::vector<std::string> texts;
    for (const auto& [text, key] : kept) {
        index.emplace(key, static_cast<std::uint32_t>(texts.size()));
        texts.push_back(text);
    }
    for (auto& e : examples) {
        for (const auto key : e.keys)
            if (auto it = index.find(key); it != index.end()) e.features.push_back(it->second);
        std::sort(e.features.begin(), e.features.end());
        if (o.count_known) e.scale = 1.0 / std::sqrt(static_cast<double>(e.features.size()) + 1.0);
        e.keys = {};
    }

    std::array<trained, categories> models;
    for (std::size_t c = 0; c < categories; ++c) models[c] = train(examples, c, texts.size(), o);
    const std::string file_text = learned_json(o, existing ? &*existing : nullptr, models, texts);

    // The model as it will load, to measure it with the packs.
    const std::string target = (std::filesystem::path(o.rules_dir) / "learned.json").string();
    core::diagnostics learned_diags;
    const engine::pack_source learned_source{target, file_text};
    auto with_model = engine::compile_rules(sources.packs, sources.scoring ? &*sources.scoring : nullptr,
                                            learned_diags, &learned_source);
    if (!with_model) {   // a bug, not bad input: the file was written by this verb
        learned_diags.print(err);
        err << verb << ": the trained model does not load\n";
        return 2;
    }
    const auto& model = with_model->learned_model();

    char buf[256];
    out << "records: " << examples.size() << " from " << o.files.size() << (o.files.size() == 1 ? " file" : " files");
    if (bad > 0) out << " (" << bad << " bad lines skipped)";
    out << "\n";
    out << "n-grams (up to " << o.order << " words): " << seen.size() << " distinct, " << texts.size()
        << " in at least " << o.min_df << " records, " << model.size() << " with a weight of at least "
        << number(drop_below) << "\n";
    const auto alone = measure(*rules, examples);
    const auto combined = measure(*with_model, examples);
    out << "training set, medium sensitivity (precision / recall):\n";
    std::snprintf(buf, sizeof buf, "  %-9s %9s %9s %8s  %-15s  %-15s\n", "category", "positives", "negatives", "bias",
                  "rules alone", "with the model");
    out << buf;
    for (std::size_t c = 0; c < categories; ++c) {
        std::snprintf(buf, sizeof buf, "  %-9s %9llu %9llu %8.4f  %-15s  %-15s\n",
                      std::string(engine::to_string(static_cast<engine::category>(c))).c_str(),
                      static_cast<unsigned long long>(models[c].positives),
                      static_cast<unsigned long long>(models[c].negatives), models[c].bias, alone[c].text().c_str(),
                      combined[c].text().c_str());
        out << buf;
    }
    if (o.write) {
        std::ofstream f(target, std::ios::binary | std::ios::trunc);
        if (!(f << file_text) || !f.flush()) {
            err << verb << ": cannot write " << target << '\n';
            return 2;
        }
        err << "wrote " << target << " (" << model.size() << " n-grams)\n";
    } else {
        err << "not written (add --write to write " << target << ")\n";
    }
    return bad > 0 ? 1 : 0;
}

}  // namespace nudgebot::app
