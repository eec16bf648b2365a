// compile_rules(): validates packs (rules/README.md) with file:line:col diagnostics and builds the
// compiled matcher. Runs at start-up/reload only.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "core/json_document.hpp"
#include "core/spelling.hpp"
#include "engine/analyzer.hpp"
#include "engine/compiled.hpp"
#include "engine/quoted.hpp"

namespace nudgebot::engine {

namespace {

using json = nlohmann::json;
using core::json_document;

constexpr std::string_view feature_names[] = {
    "@second_person_start", "@shouting",      "@question_burst", "@exclamation_burst",
    "@question",            "@second_person", "@first_person",      "@short",
    "@mention",             "@scare_quote",          "@caps_run",          "@reply",
};
static_assert(std::size(feature_names) == feature_count);

constexpr std::size_t max_phrase_words = 8;

bool valid_id(std::string_view s)
{
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

struct builtin_words {
    std::string_view word;
    std::uint8_t classes;
};
// Small closed-class word lists the built-in features and negation scope need.
constexpr builtin_words builtins[] = {
    {"you", wc_second_person | wc_sentence_you}, {"your", wc_second_person | wc_sentence_you},
    {"ur", wc_second_person | wc_sentence_you},  {"u", wc_second_person | wc_sentence_you},
    {"you're", wc_second_person | wc_sentence_you}, {"youre", wc_second_person | wc_sentence_you},
    {"yours", wc_second_person},   {"yourself", wc_second_person}, {"yourselves", wc_second_person},
    {"urself", wc_second_person},  {"ya", wc_second_person},       {"you've", wc_second_person},
    {"youve", wc_second_person},   {"you'll", wc_second_person},   {"youll", wc_second_person},
    {"you'd", wc_second_person},   {"y'all", wc_second_person},    {"yall", wc_second_person},
    {"i", wc_first_person},        {"me", wc_first_person},        {"my", wc_first_person},
    {"mine", wc_first_person},     {"myself", wc_first_person},    {"i'm", wc_first_person},
    {"im", wc_first_person},       {"i've", wc_first_person},      {"ive", wc_first_person},
    {"i'd", wc_first_person},      {"i'll", wc_first_person},
    {"not", wc_negator},           {"no", wc_negator},             {"never", wc_negator | wc_absolute},
    {"don't", wc_negator},         {"dont", wc_negator},           {"doesn't", wc_negator},
    {"doesnt", wc_negator},        {"didn't", wc_negator},         {"didnt", wc_negator},
    {"isn't", wc_negator},         {"isnt", wc_negator},           {"aren't", wc_negator},
    {"arent", wc_negator},         {"wasn't", wc_negator},         {"wasnt", wc_negator},
    {"weren't", wc_negator},       {"werent", wc_negator},         {"won't", wc_negator},
    {"wont", wc_negator},          {"can't", wc_negator},          {"cant", wc_negator},
    {"cannot", wc_negator},        {"couldn't", wc_negator},       {"couldnt", wc_negator},
    {"shouldn't", wc_negator},     {"shouldnt", wc_negator},       {"wouldn't", wc_negator},
    {"wouldnt", wc_negator},       {"ain't", wc_negator},          {"aint", wc_negator},
    {"nobody", wc_negator | wc_absolute}, {"nothing", wc_negator | wc_absolute},
    {"neither", wc_negator},       {"nor", wc_negator},            {"hardly", wc_negator},
    {"without", wc_negator},       {"always", wc_absolute},        {"every", wc_absolute},
    {"everyone", wc_absolute},     {"everything", wc_absolute},    {"everybody", wc_absolute},
    {"constantly", wc_absolute},   {"totally", wc_absolute},       {"completely", wc_absolute},
};

class compiler {
public:
    compiler(core::diagnostics& diags) : diags_(diags), c_(std::make_unique<analyzer::compiled>()) {}

    std::shared_ptr<const analyzer> run(const std::vector<pack_source>& sources,
                                        const pack_source* scoring, const pack_source* learned)
    {
        auto started = std::chrono::steady_clock::now();
        for (const auto& b : builtins) {
            auto id = c_->vocab.add_word(b.word);
            if (c_->word_classes.size() <= static_cast<std::size_t>(id))
                c_->word_classes.resize(static_cast<std::size_t>(id) + 1, 0);
            c_->word_classes[static_cast<std::size_t>(id)] |= b.classes;
        }
        if (sources.empty()) diags_.error("rules", 0, 0, "no rule packs found");
        for (const auto& s : sources) {
            auto doc = json_document::parse(s.text, s.file_name, diags_);
            if (doc) docs_.push_back(std::move(*doc));
        }
        for (const auto& doc : docs_) read_header_and_lexicons(doc);
        for (const auto& doc : docs_) read_rules_and_modifiers(doc);
        read_scoring(scoring);
        check_categories();
        if (learned) read_learned(*learned);
        if (diags_.has_errors()) return nullptr;
        build_matcher();
        c_->word_classes.resize(c_->vocab.word_count(), 0);
        derive_lookup_tables(*c_);
        auto elapsed = std::chrono::steady_clock::now() - started;
        c_->compile_ms = std::chrono::duration<double, std::milli>(elapsed).count();
        return std::make_shared<const analyzer>(std::move(c_));
    }

private:
    struct pending_term {
        std::vector<std::int32_t> items;
        std::uint32_t lexicon;
        std::uint32_t term;
    };

    // --- packs -----------------------------------------------------------------------------
    void read_header_and_lexicons(const json_document& doc)
    {
        if (!doc.expect_object("", diags_)) return;
        doc.check_keys("", {"pack", "description", "lexicons", "rules", "modifiers", "examples"},
                       diags_);
        std::string pack;
        if (auto p = doc.expect_string("/pack", diags_, true)) {
            if (!valid_id(*p)) {
                doc.error_at("/pack", "pack id " + qt(*p) + " must match [a-z0-9_]+", diags_);
            } else if (std::find(c_->packs.begin(), c_->packs.end(), *p) != c_->packs.end()) {
                doc.error_at("/pack", "duplicate pack id " + qt(*p), diags_);
            } else {
                pack = *p;
            }
        }
        c_->packs.push_back(pack);
        pack_of_[&doc] = pack;
        doc.expect_string("/description", diags_);
        auto lexicons = doc.expect_object("/lexicons", diags_);
        if (!lexicons) return;
        for (const auto& item : lexicons->items()) {
            const std::string& id = item.key();
            auto at = json_document::child("/lexicons", id);
            if (!valid_id(id)) {
                doc.error_at_key(at, "lexicon id " + qt(id) + " must match [a-z0-9_]+", diags_);
                continue;
            }
            if (auto it = lexicon_index_.find(id); it != lexicon_index_.end()) {
                doc.error_at_key(at,
                                 "duplicate lexicon id " + qt(id) + " (first defined in " +
                                     c_->lexicon_infos[it->second].pack + ")",
                                 diags_);
                continue;
            }
            if (!doc.expect_object(at, diags_)) continue;
            doc.check_keys(at, {"label", "terms", "negatable", "slot", "mask"}, diags_);
            lexicon_info info;
            info.id = id;
            info.pack = pack;
            if (auto label = doc.expect_string(json_document::child(at, "label"), diags_, true))
                info.label = *label;
            analyzer::compiled::lexicon lex;
            lex.negatable = doc.expect_bool(json_document::child(at, "negatable"), diags_).value_or(false);
            lex.mask = doc.expect_bool(json_document::child(at, "mask"), diags_).value_or(false);
            auto slot_at = json_document::child(at, "slot");
            if (auto slot = doc.expect_string(slot_at, diags_)) {
                if (*slot != "feeling")
                    doc.error_at(slot_at, "unknown slot " + qt(*slot) + " (allowed: feeling)",
                                 diags_);
                else
                    lex.feeling = true;
                info.slot = *slot;
            }
            info.negatable = lex.negatable;
            info.mask = lex.mask;
            auto lexicon = static_cast<std::uint32_t>(c_->lexicons.size());
            c_->lexicons.push_back(lex);
            c_->lexicon_infos.push_back(info);
            lexicon_index_[id] = lexicon;
            read_terms(doc, json_document::child(at, "terms"), lexicon);
        }
    }

    void read_terms(const json_document& doc, const std::string& at, std::uint32_t lexicon)
    {
        auto terms = doc.expect_array(at, diags_, true);
        if (!terms) return;
        if (terms->empty()) {
            doc.error_at(at, "a lexicon needs at least one term", diags_);
            return;
        }
        std::unordered_set<std::string> seen;
        for (std::size_t i = 0; i < terms->size(); ++i) {
            auto term_at = json_document::child(at, i);
            auto text = doc.expect_string(term_at, diags_);
            if (!text) continue;
            std::string error;
            auto variants = compile_term(*text, error);
            if (!error.empty()) {
                doc.error_at(term_at, "term " + qt(*text) + ": " + error, diags_);
                continue;
            }
            if (!seen.insert(key_of(variants.front())).second) {
                diags_.warning(doc.file_name(), doc.of(term_at).line, doc.of(term_at).column,
                               "duplicate term " + qt(*text) + " in lexicon " +
                                   qt(c_->lexicon_infos[lexicon].id));
                continue;
            }
            auto term = static_cast<std::uint32_t>(c_->term_texts.size());
            std::string shown = *text;
            if (!shown.empty() && shown.back() == '*') shown.pop_back();
            c_->term_texts.push_back(shown);
            for (auto& v : variants) pending_.push_back({std::move(v), lexicon, term});
            ++c_->lexicon_infos[lexicon].terms;
        }
    }

    static std::string key_of(const std::vector<std::int32_t>& items)
    {
        std::string k;
        for (auto i : items) k += std::to_string(i) + ",";
        return k;
    }

    // A term becomes one or two item sequences (with and without apostrophes).
    std::vector<std::vector<std::int32_t>> compile_term(std::string_view text, std::string& error)
    {
        std::vector<std::vector<std::int32_t>> out(1);
        std::vector<std::string> plain;     // normalised words, prefix marked by trailing '*'
        std::size_t i = 0;
        while (i < text.size()) {
            while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
            std::size_t start = i;
            while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
            if (start == i) break;
            std::string_view word = text.substr(start, i - start);
            bool prefix = word.back() == '*';
            if (prefix) word.remove_suffix(1);
            if (word.find('*') != std::string_view::npos) {
                error = "'*' is only allowed at the end of a word";
                return {};
            }
            c_->norm.normalize(word, scratch_);
            if (scratch_.tokens.empty()) {
                error = prefix ? "a prefix needs letters before '*'" : "has no words after normalisation";
                return {};
            }
            if (prefix && scratch_.tokens.size() != 1) {
                error = "a prefix must be a single word";
                return {};
            }
            for (std::size_t k = 0; k < scratch_.tokens.size(); ++k) {
                std::string w(scratch_.text(scratch_.tokens[k]));
                if (prefix) w += '*';
                plain.push_back(std::move(w));
            }
        }
        if (plain.empty()) {
            error = "is empty";
            return {};
        }
        if (plain.size() > max_phrase_words) {
            error = "has more than " + std::to_string(max_phrase_words) + " words";
            return {};
        }
        bool apostrophe = false;
        for (const auto& w : plain) {
            out[0].push_back(item_of(w));
            if (w.find('\'') != std::string::npos) apostrophe = true;
        }
        if (apostrophe) {
            std::vector<std::int32_t> variant;
            for (auto w : plain) {
                w.erase(std::remove(w.begin(), w.end(), '\''), w.end());
                if (w.empty() || w == "*") {
                    variant.clear();
                    break;
                }
                variant.push_back(item_of(w));
            }
            if (!variant.empty()) out.push_back(std::move(variant));
        }
        return out;
    }

    std::int32_t item_of(const std::string& w)
    {
        if (!w.empty() && w.back() == '*')
            return c_->vocab.add_prefix(std::string_view(w).substr(0, w.size() - 1)) * 2 + 1;
        return c_->vocab.add_word(w) * 2;
    }

    // Resolves one cue name at `at`; reports unknown ones.
    std::optional<std::uint32_t> cue(const json_document& doc, const std::string& at,
                                     const std::string& owner)
    {
        auto name = doc.expect_string(at, diags_);
        if (!name) return std::nullopt;
        if (!name->empty() && (*name)[0] == '@') {
            for (std::size_t f = 0; f < feature_count; ++f)
                if (feature_names[f] == *name)
                    return static_cast<std::uint32_t>(c_->lexicons.size() + f);
            std::string message = "unknown feature " + qt(*name) + " in " + owner;
            auto best = closest(*name, std::begin(feature_names), std::end(feature_names));
            if (best.empty()) {
                message += " (features:";
                for (std::string_view f : feature_names) message.append(" ").append(f);
                message += ")";
            } else {
                message += "; did you mean " + qt(best) + "?";
            }
            doc.error_at(at, message, diags_);
            return std::nullopt;
        }
        if (auto it = lexicon_index_.find(*name); it != lexicon_index_.end()) return it->second;
        std::string message = "unknown lexicon " + qt(*name) + " in " + owner;
        std::vector<std::string_view> ids;
        for (const auto& l : c_->lexicon_infos) ids.push_back(l.id);
        auto best = closest(*name, ids.begin(), ids.end());
        if (!best.empty()) message += "; did you mean " + qt(best) + "?";
        doc.error_at(at, message, diags_);
        return std::nullopt;
    }

    template <typename It>
    static std::string closest(std::string_view name, It begin, It end)
    {
        return std::string(core::closest_match(name, begin, end));
    }

    // Reads a cue list; returns false when the key exists but is broken.
    std::vector<std::uint32_t> cue_list(const json_document& doc, const std::string& at,
                                        const std::string& owner)
    {
        std::vector<std::uint32_t> out;
        auto list = doc.expect_array(at, diags_);
        if (!list) return out;
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (auto c = cue(doc, json_document::child(at, i), owner)) {
                if (std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(*c);
            }
        }
        return out;
    }

    std::uint32_t store(const std::vector<std::uint32_t>& list)
    {
        auto begin = static_cast<std::uint32_t>(c_->cue_refs.size());
        c_->cue_refs.insert(c_->cue_refs.end(), list.begin(), list.end());
        return begin;
    }

    std::optional<category> read_category(const json_document& doc, const std::string& at,
                                          bool required)
    {
        auto name = doc.expect_string(at, diags_, required);
        if (!name) return std::nullopt;
        auto cat = parse_category(*name);
        if (!cat) {
            doc.error_at(at,
                         "unknown category " + qt(*name) +
                             " (categories: conflict, distress, crisis, kindness, dismissal)",
                         diags_);
            return std::nullopt;
        }
        category_uses_.push_back({*cat, &doc, at});
        return cat;
    }

    bool read_id(const json_document& doc, const std::string& at, const std::string& pack,
                 std::string& id)
    {
        auto value = doc.expect_string(at, diags_, true);
        if (!value) return false;
        id = *value;
        auto dot = id.find('.');
        if (dot == std::string::npos || !valid_id(id.substr(0, dot)) || !valid_id(id.substr(dot + 1))) {
            doc.error_at(at, "id " + qt(id) + " must look like <pack>.<name> with [a-z0-9_]",
                         diags_);
            return false;
        }
        if (!pack.empty() && id.substr(0, dot) != pack) {
            doc.error_at(at, "id " + qt(id) + " must start with the pack id " + qt(pack + "."),
                         diags_);
            return false;
        }
        if (!ids_.insert(id).second) {
            doc.error_at(at, "duplicate id " + qt(id), diags_);
            return false;
        }
        return true;
    }

    void read_rules_and_modifiers(const json_document& doc)
    {
        if (!doc.root().is_object()) return;
        const std::string& pack = pack_of_[&doc];
        if (auto rules = doc.expect_array("/rules", diags_)) {
            for (std::size_t i = 0; i < rules->size(); ++i) read_rule(doc, json_document::child("/rules", i), pack);
        }
        if (auto modifiers = doc.expect_array("/modifiers", diags_)) {
            for (std::size_t i = 0; i < modifiers->size(); ++i)
                read_modifier(doc, json_document::child("/modifiers", i), pack);
        }
        read_pack_examples(doc);
    }

    void read_rule(const json_document& doc, const std::string& at, const std::string& pack)
    {
        if (!doc.expect_object(at, diags_)) return;
        doc.check_keys(at, {"id", "category", "label", "weight", "all", "any", "none", "window",
                            "ordered", "sentence", "examples"},
                       diags_);
        bool ok = true;
        rule_info info;
        info.pack = pack;
        info.file = doc.file_name();
        ok &= read_id(doc, json_document::child(at, "id"), pack, info.id);
        std::string owner = "rule " + qt(info.id.empty() ? doc.display(at) : info.id);
        auto cat = read_category(doc, json_document::child(at, "category"), true);
        ok &= cat.has_value();
        if (auto label = doc.expect_string(json_document::child(at, "label"), diags_, true))
            info.label = *label;
        else
            ok = false;
        auto weight_at = json_document::child(at, "weight");
        double weight = 0;
        if (auto w = doc.expect_number(weight_at, diags_, true)) {
            weight = *w;
            if (!std::isfinite(weight) || std::fabs(weight) > 100) {
                doc.error_at(weight_at, "weight must be between -100 and 100", diags_);
                ok = false;
            }
        } else {
            ok = false;
        }
        std::size_t before = diags_.items().size();
        auto all = cue_list(doc, json_document::child(at, "all"), owner);
        auto any = cue_list(doc, json_document::child(at, "any"), owner);
        auto none = cue_list(doc, json_document::child(at, "none"), owner);
        bool cue_errors = diags_.items().size() != before;
        if (!cue_errors && all.empty() && any.empty()) {
            doc.error_at(at, owner + " needs at least one cue in \"all\" or \"any\"", diags_);
            ok = false;
        }
        ok &= !cue_errors;
        analyzer::compiled::rule r;
        auto window_at = json_document::child(at, "window");
        if (auto window = doc.expect_integer(window_at, diags_)) {
            if (*window < 1 || *window > 1000) {
                doc.error_at(window_at, "window must be between 1 and 1000 tokens", diags_);
                ok = false;
            } else {
                r.window = static_cast<std::uint32_t>(*window);
            }
        }
        r.ordered = doc.expect_bool(json_document::child(at, "ordered"), diags_).value_or(false);
        r.sentence = doc.expect_bool(json_document::child(at, "sentence"), diags_).value_or(false);
        if (r.ordered && all.size() < 2)
            diags_.warning(doc.file_name(), doc.of(at).line, doc.of(at).column,
                           owner + ": \"ordered\" has no effect with fewer than two \"all\" cues");
        read_rule_examples(doc, json_document::child(at, "examples"), info.id, owner, ok);
        if (!ok) return;
        r.cat = *cat;
        r.weight = static_cast<float>(weight);
        r.all_begin = store(all);
        r.all_count = static_cast<std::uint32_t>(all.size());
        r.any_begin = store(any);
        r.any_count = static_cast<std::uint32_t>(any.size());
        r.none_begin = store(none);
        r.none_count = static_cast<std::uint32_t>(none.size());
        info.cat = r.cat;
        info.weight = r.weight;
        c_->rules.push_back(r);
        c_->rule_infos.push_back(std::move(info));
    }

    void read_examples_list(const json_document& doc, const std::string& at, pack_example proto,
                            std::size_t& count)
    {
        auto list = doc.expect_array(at, diags_);
        if (!list) return;
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto item_at = json_document::child(at, i);
            auto text = doc.expect_string(item_at, diags_);
            if (!text) continue;
            pack_example e = proto;
            e.text = *text;
            e.file = doc.file_name();
            auto p = doc.of(item_at);
            e.line = p.line;
            e.column = p.column;
            c_->examples.push_back(std::move(e));
            ++count;
        }
    }

    // Missing examples are a warning, and only for a rule that is otherwise correct.
    void read_rule_examples(const json_document& doc, const std::string& at, const std::string& id,
                            const std::string& owner, bool rule_ok)
    {
        std::size_t fire = 0;
        std::size_t quiet = 0;
        if (doc.expect_object(at, diags_)) {
            doc.check_keys(at, {"fire", "quiet"}, diags_);
            pack_example proto;
            proto.rule_id = id;
            proto.what = pack_example::kind::fire;
            read_examples_list(doc, json_document::child(at, "fire"), proto, fire);
            proto.what = pack_example::kind::quiet;
            read_examples_list(doc, json_document::child(at, "quiet"), proto, quiet);
        }
        auto where = doc.of(at);
        if (!rule_ok) return;
        if (fire == 0)
            diags_.warning(doc.file_name(), where.line, where.column,
                           owner + " has no \"fire\" examples");
        if (quiet == 0)
            diags_.warning(doc.file_name(), where.line, where.column,
                           owner + " has no \"quiet\" examples");
    }

    void read_modifier(const json_document& doc, const std::string& at, const std::string& pack)
    {
        if (!doc.expect_object(at, diags_)) return;
        doc.check_keys(at, {"id", "label", "when", "effect"}, diags_);
        bool ok = true;
        modifier_info info;
        info.pack = pack;
        ok &= read_id(doc, json_document::child(at, "id"), pack, info.id);
        std::string owner = "modifier " + qt(info.id.empty() ? doc.display(at) : info.id);
        if (auto label = doc.expect_string(json_document::child(at, "label"), diags_, true))
            info.label = *label;
        else
            ok = false;
        auto when_at = json_document::child(at, "when");
        std::size_t before = diags_.items().size();
        analyzer::compiled::modifier m;
        if (doc.expect_array(when_at, diags_, true)) {
            m.when = cue_list(doc, when_at, owner);
            if (diags_.items().size() != before) ok = false;
            else if (m.when.empty()) {
                doc.error_at(when_at, owner + " needs at least one cue in \"when\"", diags_);
                ok = false;
            }
        } else {
            ok = false;
        }
        for (std::size_t i = 0; i < m.when.size(); ++i) {
            auto name = doc.find(json_document::child(when_at, i));
            if (name && name->is_string()) info.when.push_back(name->get<std::string>());
        }
        auto effect_at = json_document::child(at, "effect");
        if (auto effect = doc.expect_object(effect_at, diags_, true)) {
            if (effect->empty()) {
                doc.error_at(effect_at, owner + " needs at least one category in \"effect\"", diags_);
                ok = false;
            }
            for (const auto& item : effect->items()) {
                auto cat = parse_category(item.key());
                auto value_at = json_document::child(effect_at, item.key());
                if (!cat) {
                    doc.error_at_key(value_at, "unknown category " + qt(item.key()) + " in " + owner,
                                     diags_);
                    ok = false;
                    continue;
                }
                auto delta = doc.expect_number(value_at, diags_);
                if (!delta || !std::isfinite(*delta) || std::fabs(*delta) > 100) {
                    if (delta) doc.error_at(value_at, "effect must be between -100 and 100", diags_);
                    ok = false;
                    continue;
                }
                m.effect[static_cast<std::size_t>(*cat)] = static_cast<float>(*delta);
            }
        } else {
            ok = false;
        }
        if (!ok) return;
        info.effect = m.effect;
        c_->modifiers.push_back(std::move(m));
        c_->modifier_infos.push_back(std::move(info));
    }

    void read_pack_examples(const json_document& doc)
    {
        if (!doc.expect_object("/examples", diags_)) return;
        doc.check_keys("/examples", {"flag", "quiet"}, diags_);
        for (auto [key, what] : {std::pair{"flag", pack_example::kind::flag},
                                 std::pair{"quiet", pack_example::kind::stay_quiet}}) {
            auto at = json_document::child("/examples", key);
            auto object = doc.expect_object(at, diags_);
            if (!object) continue;
            for (const auto& item : object->items()) {
                auto list_at = json_document::child(at, item.key());
                auto cat = parse_category(item.key());
                if (!cat) {
                    doc.error_at_key(list_at, "unknown category " + qt(item.key()), diags_);
                    continue;
                }
                pack_example proto;
                proto.what = what;
                proto.cat = *cat;
                std::size_t count = 0;
                read_examples_list(doc, list_at, proto, count);
            }
        }
    }

    // --- scoring.json ----------------------------------------------------------------------
    void read_scoring(const pack_source* source)
    {
        if (!source) {
            diags_.error("scoring.json", 0, 0, "missing scoring.json (bias and thresholds per category)");
            return;
        }
        auto doc = json_document::parse(source->text, source->file_name, diags_);
        if (!doc) return;
        if (!doc->expect_object("", diags_)) return;
        doc->check_keys("", {"categories"}, diags_);
        auto categories = doc->expect_object("/categories", diags_, true);
        if (!categories) return;
        for (const auto& item : categories->items()) {
            auto at = json_document::child("/categories", item.key());
            auto cat = parse_category(item.key());
            if (!cat) {
                doc->error_at_key(at,
                                  "unknown category " + qt(item.key()) +
                                      " (categories: conflict, distress, crisis, kindness, dismissal)",
                                  diags_);
                continue;
            }
            if (!doc->expect_object(at, diags_)) continue;
            doc->check_keys(at, {"bias", "thresholds"}, diags_);
            category_scoring s;
            auto bias_at = json_document::child(at, "bias");
            double bias = 0;
            bool ok = true;
            if (auto b = doc->expect_number(bias_at, diags_, true)) {
                bias = *b;
                if (!std::isfinite(bias) || std::fabs(bias) > 100) {
                    doc->error_at(bias_at, "bias must be between -100 and 100", diags_);
                    ok = false;
                }
            } else {
                ok = false;
            }
            auto th_at = json_document::child(at, "thresholds");
            if (doc->expect_object(th_at, diags_, true)) {
                doc->check_keys(th_at, {"low", "medium", "high"}, diags_);
                const char* names[] = {"low", "medium", "high"};
                for (std::size_t k = 0; k < 3; ++k) {
                    auto v_at = json_document::child(th_at, names[k]);
                    auto v = doc->expect_number(v_at, diags_, true);
                    if (!v) {
                        ok = false;
                        continue;
                    }
                    if (!(*v > 0 && *v <= 1)) {
                        doc->error_at(v_at, "threshold must be in (0, 1]", diags_);
                        ok = false;
                        continue;
                    }
                    s.thresholds[k] = static_cast<float>(*v);
                }
                if (ok && !(s.thresholds[0] >= s.thresholds[1] && s.thresholds[1] >= s.thresholds[2]))
                    doc->error_at(th_at,
                                  "thresholds must not rise with sensitivity (low >= medium >= high)",
                                  diags_);
            } else {
                ok = false;
            }
            if (!ok) continue;
            s.bias = static_cast<float>(bias);
            s.defined = true;
            c_->scoring[static_cast<std::size_t>(*cat)] = s;
        }
    }

    void check_categories()
    {
        bool scoring_read = std::any_of(c_->scoring.begin(), c_->scoring.end(),
                                        [](const category_scoring& s) { return s.defined; });
        if (!scoring_read) return;   // its own errors were reported
        for (const auto& use : category_uses_) {
            if (!c_->scoring[static_cast<std::size_t>(use.cat)].defined)
                use.doc->error_at(use.at,
                                  "category " + qt(to_string(use.cat)) +
                                      " has no entry in scoring.json",
                                  diags_);
        }
    }

    // --- learned.json ----------------------------------------------------------------------
    void read_learned(const pack_source& source)
    {
        bool scoring_read = std::any_of(c_->scoring.begin(), c_->scoring.end(),
                                        [](const category_scoring& s) { return s.defined; });
        std::array<bool, reported_category_count> scored{true, true, true};
        for (std::size_t cat = 0; cat < reported_category_count && scoring_read; ++cat)
            scored[cat] = c_->scoring[cat].defined;
        c_->learned.read(source, diags_, scored);
    }

    // --- matcher ---------------------------------------------------------------------------
    void build_matcher()
    {
        auto& c = *c_;
        std::size_t items = 2 * std::max(c.vocab.word_count(), c.vocab.prefix_count()) + 2;
        c.root.assign(items, -1);
        std::vector<std::vector<analyzer::compiled::edge>> children;
        std::vector<std::vector<analyzer::compiled::terminal>> ends;
        auto new_node = [&] {
            children.emplace_back();
            ends.emplace_back();
            return static_cast<std::int32_t>(children.size() - 1);
        };
        for (const auto& term : pending_) {
            std::int32_t node = -1;
            for (std::size_t k = 0; k < term.items.size(); ++k) {
                auto item = term.items[k];
                if (k == 0) {
                    auto& slot = c.root[static_cast<std::size_t>(item)];
                    if (slot < 0) slot = new_node();
                    node = slot;
                    continue;
                }
                auto& edges = children[static_cast<std::size_t>(node)];
                auto it = std::find_if(edges.begin(), edges.end(),
                                       [&](const auto& e) { return e.item == item; });
                if (it == edges.end()) {
                    auto fresh = new_node();
                    children[static_cast<std::size_t>(node)].push_back({item, fresh});
                    node = fresh;
                } else {
                    node = it->node;
                }
            }
            auto& here = ends[static_cast<std::size_t>(node)];
            bool dup = std::any_of(here.begin(), here.end(),
                                   [&](const auto& t) { return t.lexicon == term.lexicon; });
            if (!dup) here.push_back({term.lexicon, term.term});
        }
        c.nodes.resize(children.size());
        for (std::size_t n = 0; n < children.size(); ++n) {
            auto& node = c.nodes[n];
            std::sort(children[n].begin(), children[n].end(),
                      [](const auto& a, const auto& b) { return a.item < b.item; });
            c.node_edges.push_back({static_cast<std::uint32_t>(c.edges.size()),
                                    static_cast<std::uint32_t>(children[n].size())});
            c.edges.insert(c.edges.end(), children[n].begin(), children[n].end());
            node.term_begin = static_cast<std::uint32_t>(c.terminals.size());
            node.term_count = static_cast<std::uint32_t>(ends[n].size());
            c.terminals.insert(c.terminals.end(), ends[n].begin(), ends[n].end());
        }
        // Rule triggers: a rule is looked at only when its first `all` cue (or any `any` cue)
        // is present in the message.
        c.triggers.assign(c.cue_count(), {});
        for (std::size_t r = 0; r < c.rules.size(); ++r) {
            const auto& rule = c.rules[r];
            if (rule.all_count > 0) {
                c.triggers[c.cue_refs[rule.all_begin]].push_back(static_cast<std::uint32_t>(r));
            } else {
                for (std::uint32_t k = 0; k < rule.any_count; ++k)
                    c.triggers[c.cue_refs[rule.any_begin + k]].push_back(static_cast<std::uint32_t>(r));
            }
        }
    }

    struct category_use {
        category cat;
        const json_document* doc;
        std::string at;
    };

    core::diagnostics& diags_;
    std::unique_ptr<analyzer::compiled> c_;
    std::vector<json_document> docs_;
    std::map<const json_document*, std::string> pack_of_;
    std::unordered_map<std::string, std::uint32_t> lexicon_index_;
    std::unordered_set<std::string> ids_;
    std::vector<pending_term> pending_;
    std::vector<category_use> category_uses_;
    normalized_text scratch_;
};

}  // namespace

const std::vector<std::string_view>& analyzer::features()
{
    static const std::vector<std::string_view> names(std::begin(feature_names), std::end(feature_names));
    return names;
}

std::shared_ptr<const analyzer> compile_rules(const std::vector<pack_source>& packs,
                                              const pack_source* scoring, core::diagnostics& diags,
                                              const pack_source* learned)
{
    compiler c(diags);
    return c.run(packs, scoring, learned);
}

}  // namespace nudgebot::engine
