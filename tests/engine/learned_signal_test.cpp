// The learned second signal: keys, quotes, cues, the combination with the rules, learned.json errors.
#include "engine/learned_signal.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/analyzer.hpp"

using namespace nudgebot::engine;
using nudgebot::core::diagnostics;

namespace {

const pack_source scoring{"r/scoring.json", R"({"categories": {
  "conflict": {"bias": -1, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}},
  "distress": {"bias": -1, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}},
  "crisis": {"bias": -1, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}}}})"};

// "you idiot" fires a conflict rule that stays below the medium threshold alone: sigmoid(-1 + 2)
// = 0.73 < 0.75. "haha" beside it lowers conflict by 1.
const pack_source pack{"r/a.json", R"({
  "pack": "a",
  "lexicons": {
    "you": {"label": "you", "terms": ["you"]},
    "insult": {"label": "an insult", "terms": ["idiot"]},
    "laughter": {"label": "laughter", "terms": ["haha"]}
  },
  "rules": [
    {"id": "a.insult", "category": "conflict", "label": "an insult at a person", "weight": 2,
     "all": ["you", "insult"]}
  ],
  "modifiers": [
    {"id": "a.mod_laughter", "label": "laughter", "when": ["laughter"], "effect": {"conflict": -1}}
  ]
})"};

std::string learned_file(const std::string& ngrams, bool damp = false, bool yield = false)
{
    return R"({"model": "test", "order": 2, "trained": "by hand",
  "categories": {
    "conflict": {"bias": 0, "label": "words that often come with conflict", "scale": 1, "offset": 0,
                 "min_effect": 0.3, "max_effect": 4, "damp": )" +
           std::string(damp ? "true" : "false") + R"(, "yield_to_modifiers": )" + std::string(yield ? "true" : "false") +
           R"(},
    "crisis": {"bias": -2, "label": "words that often come with crisis"}
  },
  "ngrams": [)" + ngrams +
           "]}";
}

std::shared_ptr<const analyzer> compile_with(const std::string& learned_text)
{
    diagnostics diags;
    const pack_source learned{"r/learned.json", learned_text};
    auto rules = compile_rules({pack}, &scoring, diags, &learned);
    INFO(diags.to_string());
    REQUIRE(rules);
    return rules;
}

const cue* find_cue(const analysis& a, std::string_view id)
{
    for (const auto& c : a.cues)
        if (c.rule_id == id) return &c;
    return nullptr;
}

std::string_view covered(std::string_view text, byte_span s) { return text.substr(s.begin, s.end - s.begin); }

}  // namespace

TEST_CASE("The training path and the analysis path compute the same n-gram keys", "[engine][learned]")
{
    auto rules = compile_with(learned_file(R"(["so late", 1, 0, 0])"));
    std::vector<ngram_occurrence> grams;
    rules->ngrams("You are SO late again 💀", 2, grams);
    // 6 tokens: 6 unigrams and 5 bigrams.
    REQUIRE(grams.size() == 11);
    std::vector<std::string> texts;
    for (const auto& g : grams) {
        texts.push_back(g.text);
        CHECK(learned::ngram_key(g.text) == g.key);
    }
    CHECK(std::find(texts.begin(), texts.end(), "so late") != texts.end());
    CHECK(std::find(texts.begin(), texts.end(), "again 💀") != texts.end());
    CHECK(std::find(texts.begin(), texts.end(), "you") != texts.end());
    // Order matters.
    CHECK(learned::ngram_key("so late") != learned::ngram_key("late so"));
    CHECK(learned::ngram_key("so late") != learned::ngram_key("so"));
    // Trigrams only when asked for.
    rules->ngrams("you are so late", 3, grams);
    CHECK(grams.size() == 4 + 3 + 2);
    CHECK(std::any_of(grams.begin(), grams.end(), [](const auto& g) { return g.text == "are so late"; }));

    // The n-gram as training wrote it is found at analysis time: its cue spans it.
    const std::string text = "You are SO late again";
    auto a = rules->analyze(text, sensitivity::medium);
    const cue* c = find_cue(a, "learned.conflict");
    REQUIRE(c);
    CHECK(covered(text, c->span) == "SO late");
    CHECK(rules->learned_model().size() == 1);
}

TEST_CASE("Quoted text contributes no n-gram to the learned signal", "[engine][learned]")
{
    auto rules = compile_with(learned_file(R"(["goodbye everyone", 0, 0, 30])"));
    std::vector<ngram_occurrence> grams;
    rules->ngrams(R"(he wrote "goodbye everyone" in the script)", 2, grams);
    for (const auto& g : grams) {
        CHECK(g.text.find("goodbye") == std::string::npos);
        CHECK(g.text.find("everyone") == std::string::npos);
    }
    // "wrote in" is not a bigram either: the quote breaks the run.
    CHECK(std::none_of(grams.begin(), grams.end(), [](const auto& g) { return g.text == "wrote in"; }));

    auto quoted = rules->analyze(R"(he wrote "goodbye everyone" in the script)", sensitivity::medium);
    CHECK(find_cue(quoted, "learned.crisis") == nullptr);
    CHECK_FALSE(quoted.flagged(category::crisis));
    auto plain = rules->analyze("goodbye everyone", sensitivity::medium);
    CHECK(find_cue(plain, "learned.crisis") != nullptr);
    CHECK(plain.flagged(category::crisis));
    // The probability for tools: the quoted message scores like an empty one.
    CHECK(rules->learned_probabilities(R"("goodbye everyone")")[2] == Approx(1 / (1 + std::exp(2.0))));
    CHECK(rules->learned_probabilities("goodbye everyone")[2] > 0.99f);
    CHECK(rules->learned_probabilities("goodbye everyone")[1] == 0.0f);   // distress: not in the model
}

TEST_CASE("A learned cue names its label and spans the n-grams that weighed most", "[engine][learned]")
{
    auto rules = compile_with(learned_file(R"(["late", 3, 0, 0], ["again", 2, 0, 0], ["are", 0.1, 0, 0])"));
    const std::string text = "you are late again";
    auto a = rules->analyze(text, sensitivity::medium);
    const cue* c = find_cue(a, "learned.conflict");
    REQUIRE(c);
    CHECK(c->label == "words that often come with conflict");
    CHECK(c->cat == category::conflict);
    // The two strongest ("late", "again": the second weighs at least half as much) are joined.
    CHECK(covered(text, c->span) == "late again");
    // z = (3 + 2 + 0.1) / sqrt(4 unigrams + 3 bigrams + 1).
    CHECK(c->weight == Approx(5.1 / std::sqrt(8.0)).epsilon(1e-4));

    auto one = compile_with(learned_file(R"(["late", 3, 0, 0], ["again", 1, 0, 0])"));
    a = one->analyze(text, sensitivity::medium);
    c = find_cue(a, "learned.conflict");
    REQUIRE(c);
    CHECK(covered(text, c->span) == "late");
}

TEST_CASE("A strong learned signal flags alone, a middling one only with a rule", "[engine][learned]")
{
    // "so late": 10 / sqrt(3 + 2 + 1) = 4.08, clamped to max_effect 4: sigmoid(-1 + 4) = 0.95.
    // "meh": 1.5 / sqrt(1 + 1) = 1.06 alone (sigmoid(0.06) = 0.52); beside "you idiot"
    // 1.5 / sqrt(3 + 2 + 1) = 0.61, and with the rule sigmoid(-1 + 2 + 0.61) = 0.83.
    auto rules = compile_with(learned_file(R"(["so late", 10, 0, 0], ["meh", 1.5, 0, 0])"));
    auto strong = rules->analyze("so late again", sensitivity::medium);
    CHECK(strong.flagged(category::conflict));
    REQUIRE(find_cue(strong, "learned.conflict"));
    CHECK(find_cue(strong, "learned.conflict")->weight == Approx(4.0f));

    auto middling = rules->analyze("meh", sensitivity::medium);
    CHECK_FALSE(middling.flagged(category::conflict));
    CHECK(find_cue(middling, "learned.conflict") != nullptr);   // named, but not enough alone

    auto rule_alone = rules->analyze("you idiot", sensitivity::medium);
    CHECK_FALSE(rule_alone.flagged(category::conflict));
    auto both = rules->analyze("you idiot meh", sensitivity::medium);
    CHECK(both.flagged(category::conflict));
    CHECK(find_cue(both, "a.insult") != nullptr);
    CHECK(find_cue(both, "learned.conflict") != nullptr);

    // Below min_effect nothing is added: 0.3 / sqrt(2) = 0.21.
    auto weak = compile_with(learned_file(R"(["meh", 0.3, 0, 0])"));
    CHECK(weak->analyze("meh", sensitivity::medium).cues.empty());
}

TEST_CASE("With damp, a strongly negative learned signal lowers a category a rule fired", "[engine][learned]")
{
    const std::string ngrams = R"(["kidding", -10, 0, 0])";
    const std::string text = "you idiot, kidding";
    // Without the learned signal the rule flags at high sensitivity (0.73 >= 0.6).
    auto undamped = compile_with(learned_file(ngrams, false));
    auto a = undamped->analyze(text, sensitivity::high);
    CHECK(a.flagged(category::conflict));
    CHECK(find_cue(a, "learned.conflict") == nullptr);

    auto damped = compile_with(learned_file(ngrams, true));
    a = damped->analyze(text, sensitivity::high);
    CHECK_FALSE(a.flagged(category::conflict));
    const cue* c = find_cue(a, "learned.conflict");
    REQUIRE(c);
    CHECK(c->weight < 0);
    CHECK(c->label == "words that rarely come with conflict language in team chat");
    CHECK(covered(text, c->span) == "kidding");
    // No rule fired: nothing to damp, no cue.
    CHECK(damped->analyze("kidding", sensitivity::high).cues.empty());
}

TEST_CASE("With yield_to_modifiers, a modifier that lowered a category keeps the learned signal from raising it",
          "[engine][learned]")
{
    // "so late": 10 / sqrt(N + 1), clamped to max_effect 4 in every text below.
    const std::string ngrams = R"(["so late", 10, 0, 0])";
    const std::string joking = "you idiot haha so late";
    // Without yielding: -1 + 2 (rule) - 1 (laughter) + 4 (learned) = 4, flagged.
    auto plain = compile_with(learned_file(ngrams));
    auto a = plain->analyze(joking, sensitivity::medium);
    CHECK(a.flagged(category::conflict));
    CHECK(find_cue(a, "a.mod_laughter") != nullptr);
    CHECK(find_cue(a, "learned.conflict") != nullptr);

    // Yielding: -1 + 2 - 1 = 0, sigmoid 0.5, not flagged, and the learned cue is not shown.
    auto yielding = compile_with(learned_file(ngrams, false, true));
    a = yielding->analyze(joking, sensitivity::medium);
    CHECK_FALSE(a.flagged(category::conflict));
    CHECK(find_cue(a, "a.mod_laughter") != nullptr);
    CHECK(find_cue(a, "learned.conflict") == nullptr);
    // Without a modifier that lowers the category the learned signal raises it as before, and
    // alone it still flags.
    a = yielding->analyze("you idiot so late", sensitivity::medium);
    CHECK(a.flagged(category::conflict));
    CHECK(find_cue(a, "learned.conflict") != nullptr);
    CHECK(yielding->analyze("haha so late", sensitivity::medium).flagged(category::conflict));
}

TEST_CASE("With \"count\": \"known\", N counts only the n-grams the model has", "[engine][learned]")
{
    // "you idiot meh": 3 unigrams and 2 bigrams, of which the model has one ("meh", 1.5).
    const std::string ngrams = R"(["meh", 1.5, 0, 0])";
    auto every = compile_with(learned_file(ngrams));
    CHECK_FALSE(every->learned_model().counts_known_only());
    auto a = every->analyze("you idiot meh", sensitivity::medium);
    REQUIRE(find_cue(a, "learned.conflict"));
    CHECK(find_cue(a, "learned.conflict")->weight == Approx(1.5 / std::sqrt(6.0)).epsilon(1e-5));

    // learned_file() with a top-level "count".
    const auto counting = [&](const std::string& count) {
        const std::string order = "\"order\": 2,";
        std::string file = learned_file(ngrams);
        file.replace(file.find(order), order.size(), order + " \"count\": \"" + count + "\",");
        return file;
    };
    auto known = compile_with(counting("known"));
    CHECK(known->learned_model().counts_known_only());
    a = known->analyze("you idiot meh", sensitivity::medium);
    REQUIRE(find_cue(a, "learned.conflict"));
    CHECK(find_cue(a, "learned.conflict")->weight == Approx(1.5 / std::sqrt(2.0)).epsilon(1e-5));
    // The n-grams the model lacks no longer dilute it: the same words with more around them weigh the same.
    a = known->analyze("you idiot meh, honestly whatever today", sensitivity::medium);
    REQUIRE(find_cue(a, "learned.conflict"));
    CHECK(find_cue(a, "learned.conflict")->weight == Approx(1.5 / std::sqrt(2.0)).epsilon(1e-5));

    diagnostics diags;
    const pack_source bad{"r/learned.json", counting("some")};
    CHECK(compile_rules({pack}, &scoring, diags, &bad) == nullptr);
    CHECK(diags.to_string().find("r/learned.json:1:") != std::string::npos);
    CHECK(diags.to_string().find("count must be \"all\"") != std::string::npos);
}

TEST_CASE("Every mistake in learned.json is reported at its place", "[engine][learned][loader]")
{
    const std::string bad = R"({"model": "test", "order": 2, "colour": 1,
  "categories": {
    "kindness": {"bias": 0, "label": "x"},
    "conflict": {"bias": "high", "label": "x", "max_effect": 0.1, "min_effect": 0.2}
  },
  "ngrams": [
    ["a b c", 1, 0, 0],
    ["a", "1", 0, 0],
    ["b", 1, 0],
    ["c  d", 1, 0, 0],
    ["e", 1, 0, 0],
    ["e", 2, 0, 0],
    ["f", 1, 0, 0],
    ["e", 3, 0, 0],
    ["f", 2, 0, 0]
  ]})";
    diagnostics diags;
    const pack_source learned{"r/learned.json", bad};
    auto rules = compile_rules({pack}, &scoring, diags, &learned);
    CHECK(rules == nullptr);
    const auto text = diags.to_string();
    INFO(text);
    CHECK(text.find("r/learned.json:1:31: error: unknown key \"colour\"") != std::string::npos);
    CHECK(text.find("r/learned.json:3:5: error: unknown category \"kindness\"") != std::string::npos);
    CHECK(text.find("r/learned.json:4:26: error: ") != std::string::npos);   // bias is a string
    CHECK(text.find("r/learned.json:4:62: error: max_effect must not be below min_effect") != std::string::npos);
    CHECK(text.find("r/learned.json:7:6: error: n-gram \"a b c\" has 3 words, more than the order (2)") !=
          std::string::npos);
    CHECK(text.find("r/learned.json:8:11: error: expected a number, got a string") != std::string::npos);
    CHECK(text.find("r/learned.json:9:5: error: an n-gram is [") != std::string::npos);
    CHECK(text.find("r/learned.json:10:6: error: an n-gram is one or more words separated by single spaces") !=
          std::string::npos);
    CHECK(text.find("r/learned.json:12:6: error: duplicate n-gram \"e\" (first at line 11)") != std::string::npos);
    // Later duplicates name their first row too, also one that came after the first duplicate.
    CHECK(text.find("r/learned.json:14:6: error: duplicate n-gram \"e\" (first at line 11)") != std::string::npos);
    CHECK(text.find("r/learned.json:15:6: error: duplicate n-gram \"f\" (first at line 13)") != std::string::npos);

    diagnostics syntax;
    const pack_source broken{"r/learned.json", "{\"order\": 2,\n  \"ngrams\": [}"};
    CHECK(compile_rules({pack}, &scoring, syntax, &broken) == nullptr);
    CHECK(syntax.to_string().find("r/learned.json:2:") != std::string::npos);

    diagnostics order;
    const pack_source order4{"r/learned.json", R"({"order": 4, "categories": {}, "ngrams": []})"};
    CHECK(compile_rules({pack}, &scoring, order, &order4) == nullptr);
    CHECK(order.to_string().find("r/learned.json:1:11: error: order must be 1, 2 or 3") != std::string::npos);
}

TEST_CASE("load_rules reads learned.json beside the packs, and works the same without it", "[engine][learned][loader]")
{
    diagnostics diags;
    auto basic = load_rules(NUDGEBOT_SOURCE_DIR "/tests/engine/data/basic", diags);
    REQUIRE(basic);
    CHECK(basic->learned_model().empty());
    CHECK(basic->learned_probabilities("anything at all")[0] == 0.0f);

    const auto dir = std::filesystem::temp_directory_path() / "nudgebot_learned_loader_test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    for (const auto& source : {pack, scoring}) {
        std::ofstream f(dir / std::filesystem::path(source.file_name).filename(), std::ios::binary);
        f << source.text;
    }
    {
        std::ofstream f(dir / "learned.json", std::ios::binary);
        f << learned_file(R"(["so late", 10, 0, 0], ["meh", 1.5, 0, 0])");
    }
    diagnostics with;
    auto rules = load_rules(dir.string(), with);
    INFO(with.to_string());
    REQUIRE(rules);
    CHECK(rules->packs().size() == 1);   // learned.json is not a pack
    CHECK(rules->learned_model().size() == 2);
    CHECK(rules->analyze("so late again", sensitivity::medium).flagged(category::conflict));
    {
        std::ofstream f(dir / "learned.json", std::ios::binary);
        f << "{\"order\": 2, \"categories\": {}, \"ngrams\": [[\"x\", 1, 2]]}";
    }
    diagnostics broken;
    CHECK(load_rules(dir.string(), broken) == nullptr);
    CHECK(broken.to_string().find((dir / "learned.json").string() + ":1:43: error:") != std::string::npos);
    std::filesystem::remove_all(dir);
}
