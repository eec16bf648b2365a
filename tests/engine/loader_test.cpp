#include "engine/analyzer.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace nudgebot::engine;
using nudgebot::core::diagnostics;

namespace {

const pack_source scoring{"r/scoring.json", R"({"categories": {
  "conflict": {"bias": -1, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}}}})"};

const char* const good_pack = R"({
  "pack": "a",
  "lexicons": {
    "you": {"label": "you", "terms": ["you"]},
    "insult": {"label": "an insult", "terms": ["idiot"]}
  },
  "rules": [
    {"id": "a.insult", "category": "conflict", "label": "an insult", "weight": 3,
     "all": ["you", "insult"], "examples": {"fire": ["you idiot"], "quiet": ["idiot"]}}
  ]
})";

std::string compile(const std::vector<pack_source>& packs, const pack_source* score = &scoring)
{
    diagnostics diags;
    auto rules = compile_rules(packs, score, diags);
    CHECK((rules == nullptr) == diags.has_errors());
    return diags.to_string();
}

}  // namespace

TEST_CASE("A correct pack compiles without diagnostics", "[engine][loader]")
{
    diagnostics diags;
    auto rules = compile_rules({{"r/a.json", good_pack}}, &scoring, diags);
    REQUIRE(rules);
    CHECK(diags.to_string().empty());
    REQUIRE(rules->rules().size() == 1);
    CHECK(rules->rules()[0].id == "a.insult");
    CHECK(rules->rules()[0].pack == "a");
    CHECK(rules->rules()[0].weight == 3.0f);
    CHECK(rules->lexicons().size() == 2);
    CHECK(rules->threshold(category::conflict, sensitivity::medium) == 0.75f);
    CHECK(rules->compile_ms() >= 0);
}

TEST_CASE("Every mistake in a pack is reported at its place, all at once and sorted",
          "[engine][loader]")
{
    const char* bad = R"({
  "pack": "b",
  "colour": "red",
  "lexicons": {
    "insult": {"label": "an insult", "terms": ["idiot", "", "st*pid", 3], "negatible": true},
    "Bad-Id": {"label": "x", "terms": ["x"]},
    "empty": {"label": "nothing", "terms": []}
  },
  "rules": [
    {"id": "b.one", "category": "conflit", "label": "one", "weight": "high",
     "all": ["insults", "@shout"]},
    {"id": "c.two", "category": "conflict", "label": "two", "weight": 1, "all": ["insult"],
     "window": 0, "sentense": true},
    {"id": "b.three", "category": "conflict", "label": "three", "weight": 1, "all": []},
    {"id": "b.three", "category": "conflict", "label": "again", "weight": 1, "any": ["insult"]}
  ],
  "modifiers": [
    {"id": "b.mod", "label": "m", "when": [], "effect": {"anger": 1}}
  ]
})";
    CHECK(compile({{"r/b.json", bad}}) ==
          "r/b.json:3:3: error: unknown key \"colour\" at top level (allowed: pack, description, lexicons, rules, modifiers, examples)\n"
          "r/b.json:5:57: error: term \"\": is empty\n"
          "r/b.json:5:61: error: term \"st*pid\": '*' is only allowed at the end of a word\n"
          "r/b.json:5:71: error: lexicons.insult.terms[3]: expected a string, got an integer\n"
          "r/b.json:5:75: error: unknown key \"negatible\" in lexicons.insult; did you mean \"negatable\"?\n"
          "r/b.json:6:5: error: lexicon id \"Bad-Id\" must match [a-z0-9_]+\n"
          "r/b.json:7:44: error: a lexicon needs at least one term\n"
          "r/b.json:10:33: error: unknown category \"conflit\" (categories: conflict, distress, crisis, kindness, dismissal)\n"
          "r/b.json:10:70: error: rules[0].weight: expected a number, got a string\n"
          "r/b.json:11:14: error: unknown lexicon \"insults\" in rule \"b.one\"; did you mean \"insult\"?\n"
          "r/b.json:11:25: error: unknown feature \"@shout\" in rule \"b.one\"; did you mean \"@short\"?\n"
          "r/b.json:12:12: error: id \"c.two\" must start with the pack id \"b.\"\n"
          "r/b.json:13:16: error: window must be between 1 and 1000 tokens\n"
          "r/b.json:13:19: error: unknown key \"sentense\" in rules[1]; did you mean \"sentence\"?\n"
          "r/b.json:14:5: error: rule \"b.three\" needs at least one cue in \"all\" or \"any\"\n"
          "r/b.json:15:12: error: duplicate id \"b.three\"\n"
          "r/b.json:18:43: error: modifier \"b.mod\" needs at least one cue in \"when\"\n"
          "r/b.json:18:58: error: unknown category \"anger\" in modifier \"b.mod\"\n");
}

TEST_CASE("Lexicon and pack ids must be unique across packs", "[engine][loader]")
{
    const char* second = R"({"pack": "a", "lexicons": {"you": {"label": "y", "terms": ["u"]}}})";
    std::string out = compile({{"r/a.json", good_pack}, {"r/z.json", second}});
    CHECK(out == "r/z.json:1:10: error: duplicate pack id \"a\"\n"
                 "r/z.json:1:28: error: duplicate lexicon id \"you\" (first defined in a)\n");
}

TEST_CASE("A syntax error names its file, line and column", "[engine][loader]")
{
    CHECK(compile({{"r/a.json", "{\n  \"pack\": \"a\",,\n}"}}) ==
          "r/a.json:2:15: error: syntax error while parsing object key - unexpected ','; "
          "expected string literal\n");
}

TEST_CASE("scoring.json is required and must cover every category a rule uses", "[engine][loader]")
{
    CHECK(compile({{"r/a.json", good_pack}}, nullptr) ==
          "scoring.json: error: missing scoring.json (bias and thresholds per category)\n");
    const pack_source partial{"r/scoring.json", R"({"categories": {
  "crisis": {"bias": 0, "thresholds": {"low": 0.5, "medium": 0.7, "high": 0.6}},
  "distress": {"bias": 0, "thresholds": {"low": 0.9, "medium": 0.7, "high": 0.6}}}})"};
    CHECK(compile({{"r/a.json", good_pack}}, &partial) ==
          "r/a.json:8:36: error: category \"conflict\" has no entry in scoring.json\n"
          "r/scoring.json:2:39: error: thresholds must not rise with sensitivity (low >= medium "
          ">= high)\n");
}

TEST_CASE("Rules and examples that lack examples get warnings, not errors", "[engine][loader]")
{
    const char* pack = R"({"pack": "a", "lexicons": {"x": {"label": "x", "terms": ["x", "x"]}},
  "rules": [{"id": "a.x", "category": "conflict", "label": "x", "weight": 1, "all": ["x"]}]})";
    diagnostics diags;
    auto rules = compile_rules({{"r/a.json", pack}}, &scoring, diags);
    CHECK(rules);
    CHECK(diags.to_string() ==
          "r/a.json:1:63: warning: duplicate term \"x\" in lexicon \"x\"\n"
          "r/a.json:2:13: warning: rule \"a.x\" has no \"fire\" examples\n"
          "r/a.json:2:13: warning: rule \"a.x\" has no \"quiet\" examples\n");
}

TEST_CASE("load_rules reads a folder and reports a missing one", "[engine][loader]")
{
    diagnostics diags;
    auto rules = load_rules(NUDGEBOT_SOURCE_DIR "/tests/engine/data/basic", diags);
    REQUIRE(rules);
    CHECK_FALSE(diags.has_errors());
    CHECK(rules->packs() == std::vector<std::string>{"t"});
    diagnostics missing;
    CHECK_FALSE(load_rules("/nonexistent/rules", missing));
    CHECK(missing.to_string() == "/nonexistent/rules: error: rules folder not found\n");
}

TEST_CASE("The English packs in rules/en load", "[engine][loader][packs]")
{
    diagnostics diags;
    auto rules = load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    INFO(diags.to_string());
    REQUIRE(rules);
    CHECK(rules->compile_ms() < 1000);
}
