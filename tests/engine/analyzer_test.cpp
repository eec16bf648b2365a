#include "engine/analyzer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/examples.hpp"

using namespace nudgebot::engine;
using nudgebot::core::diagnostics;

namespace {

std::shared_ptr<const analyzer> test_rules()
{
    static std::shared_ptr<const analyzer> rules = [] {
        diagnostics diags;
        auto r = load_rules(NUDGEBOT_SOURCE_DIR "/tests/engine/data/basic", diags);
        INFO(diags.to_string());
        REQUIRE(r);
        return r;
    }();
    return rules;
}

std::vector<std::string> fired(const analysis& a)
{
    std::vector<std::string> ids;
    for (const auto& c : a.cues) ids.emplace_back(c.rule_id);
    return ids;
}

bool has(const analysis& a, std::string_view id)
{
    return std::any_of(a.cues.begin(), a.cues.end(), [&](const cue& c) { return c.rule_id == id; });
}

using strings = std::vector<std::string>;

// `count` more lexicons of one word each (", \"f0\": {...}, ..."), to follow the others in a
// pack's "lexicons" object: with 130 of them cue ids pass 128 and the analyzer works without its
// cue bit masks.
std::string filler_lexicons(int count)
{
    std::string out;
    for (int k = 0; k < count; ++k)
        out += ", \"f" + std::to_string(k) + "\": {\"label\": \"f\", \"terms\": [\"filler" +
               std::to_string(k) + "\"]}";
    return out;
}

// The scoring of a pack that reports conflict only.
const pack_source conflict_scoring{"r/scoring.json", R"({"categories": {
  "conflict": {"bias": -1, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}}}})"};

// A pack whose lexicon "p" holds `terms` (the items of a JSON list) and whose rule p.phrase fires
// on any of them, compiled with conflict_scoring.
std::shared_ptr<const analyzer> phrase_rules(const std::string& terms)
{
    const std::string pack = R"({"pack": "p", "lexicons": {"p": {"label": "p", "terms": [)" + terms +
                             R"(]}}, "rules": [{"id": "p.phrase", "category": "conflict",
  "label": "a phrase", "weight": 1, "all": ["p"]}]})";
    diagnostics diags;
    auto rules = compile_rules({{"r/p.json", pack}}, &conflict_scoring, diags);
    INFO(diags.to_string());
    REQUIRE(rules);
    return rules;
}

}  // namespace

TEST_CASE("A rule fires when all its cues are present within its window and sentence",
          "[engine][analyzer]")
{
    auto rules = test_rules();
    std::string text = "well, you are such an idiot";
    auto a = rules->analyze(text, sensitivity::medium);
    REQUIRE(fired(a) == strings{"t.insult"});
    const auto& c = a.cues[0];
    CHECK(c.cat == category::conflict);
    CHECK(c.label == "an insult aimed at a person");
    CHECK(text.substr(c.span.begin, c.span.end - c.span.begin) == "you are such an idiot");
    CHECK(c.weight == 3.0f);
    CHECK(a.features.second_person);
    // Too far apart for window 4, or split across sentences: quiet.
    CHECK_FALSE(has(rules->analyze("you are such a very big idiot", sensitivity::medium), "t.insult"));
    CHECK_FALSE(has(rules->analyze("thank you. idiot", sensitivity::medium), "t.insult"));
}

TEST_CASE("Scores are the sigmoid of bias plus weights and flags follow the sensitivity",
          "[engine][analyzer][scoring]")
{
    auto rules = test_rules();
    auto medium = rules->analyze("you idiot", sensitivity::medium);
    float expected = 1.0f / (1.0f + std::exp(-(-1.0f + 3.0f)));
    CHECK(medium.score(category::conflict) == Approx(expected));
    CHECK(medium.flagged(category::conflict));   // 0.88 >= 0.75
    CHECK_FALSE(rules->analyze("you idiot", sensitivity::low).flagged(category::conflict));   // < 0.9
    CHECK(medium.score(category::distress) == 0.0f);
    CHECK_FALSE(medium.flagged(category::distress));
    auto none = rules->analyze("a calm message about lunch", sensitivity::high);
    CHECK(none.cues.empty());
    CHECK(std::all_of(none.scores.begin(), none.scores.end(), [](float s) { return s == 0; }));
}

TEST_CASE("Negation just before a negatable cue silences it", "[engine][analyzer]")
{
    auto rules = test_rules();
    CHECK_FALSE(has(rules->analyze("you're not an idiot", sensitivity::medium), "t.insult"));
    CHECK_FALSE(has(rules->analyze("you are never a moron", sensitivity::medium), "t.insult"));
    // A negator in another clause does not reach the cue.
    CHECK(has(rules->analyze("no, you idiot", sensitivity::medium), "t.insult"));
    // Far enough away, negation no longer applies.
    CHECK(has(rules->analyze("not sure, but you are an idiot", sensitivity::medium), "t.insult"));
}

TEST_CASE("Cues inside quotes or code are ignored and reported as quoted", "[engine][analyzer]")
{
    auto rules = test_rules();
    auto a = rules->analyze("he said \"you idiot\" to me", sensitivity::medium);
    CHECK(a.cues.empty());
    CHECK(a.features.quoted);
    CHECK(rules->analyze("the log says `kms` here", sensitivity::medium).cues.empty());
}

TEST_CASE("A mask lexicon hides its words from other lexicons", "[engine][analyzer]")
{
    auto rules = test_rules();
    CHECK_FALSE(has(rules->analyze("this bug is killing me", sensitivity::medium), "t.kill"));
    CHECK_FALSE(has(rules->analyze("just kill -9 it", sensitivity::medium), "t.kill"));
    CHECK(has(rules->analyze("I will kill it", sensitivity::medium), "t.kill"));
}

TEST_CASE("Prefix terms match longer words and phrases match token sequences", "[engine][analyzer]")
{
    auto rules = test_rules();
    CHECK(has(rules->analyze("you clowns", sensitivity::medium), "t.insult"));
    CHECK(has(rules->analyze("you total waste of space", sensitivity::medium), "t.insult"));
    CHECK_FALSE(has(rules->analyze("you waste space", sensitivity::medium), "t.insult"));
    CHECK(has(rules->analyze("killers", sensitivity::medium), "t.kill"));
}

TEST_CASE("Known and unknown words, emoji, quotes and capitals in any mix are each matched",
          "[engine][analyzer]")
{
    // The analyzer takes every token's record in one pass and builds those of unknown words
    // and emoji in another: a token of each kind next to each other kind, phrases starting
    // and ending at either end of the message.
    auto rules = test_rules();
    const std::string text = "blah you blah clowns \xF0\x9F\x99\x82 blah \"you idiot\" KMS zzz";
    auto a = rules->analyze(text, sensitivity::medium);
    CHECK(fired(a) == strings{"t.insult", "t.coded"});
    CHECK(text.substr(a.cues[0].span.begin, a.cues[0].span.end - a.cues[0].span.begin) == "you blah clowns");
    CHECK(text.substr(a.cues[1].span.begin, a.cues[1].span.end - a.cues[1].span.begin) == "KMS");
    CHECK(a.features.quoted);
    CHECK(a.features.second_person);
    CHECK(a.features.shouting);   // a known word in capitals
    CHECK_FALSE(rules->analyze("blah ZZZ blah", sensitivity::medium).features.shouting);   // too short
    CHECK(fired(rules->analyze("waste of space you", sensitivity::medium)) == strings{"t.insult"});
    CHECK(fired(rules->analyze("zzz you zzz waste of space", sensitivity::medium)) == strings{"t.insult"});
    CHECK(rules->analyze("you waste zzz of space", sensitivity::medium).cues.empty());
    CHECK(rules->analyze("you waste of \xF0\x9F\x99\x82 space", sensitivity::medium).cues.empty());
    // A smile (an emoji cue) lowers distress only where a distress rule fired.
    auto smile = rules->analyze("zzz I am so frustrated \xF0\x9F\x99\x82 zzz", sensitivity::medium);
    CHECK(fired(smile) == strings{"t.feeling", "t.mod_smile"});
    CHECK(smile.feeling == "frustrated");
}

TEST_CASE("A phrase continues by each of its next words and by no other", "[engine][analyzer]")
{
    // A trie node finds its child in a table of its edges: nodes with 1 to 12 and with 40
    // edges (words, and at s5 a prefix too), each edge found and no other word of the
    // vocabulary taken for one.
    const std::vector<int> sizes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 40};
    std::string terms = R"("s5 pre*")";
    for (int n : sizes)
        for (int j = 0; j < n; ++j) terms += ", \"s" + std::to_string(n) + " c" + std::to_string(j) + "\"";
    const auto rules = phrase_rules(terms);
    for (int n : sizes) {
        for (int j = 0; j < 40; ++j) {
            const std::string text = "s" + std::to_string(n) + " c" + std::to_string(j);
            INFO(text);
            auto a = rules->analyze(text, sensitivity::medium);
            if (j < n) {
                REQUIRE(fired(a) == strings{"p.phrase"});
                CHECK(a.cues[0].span.begin == 0);
                CHECK(a.cues[0].span.end == text.size());
            } else {
                CHECK(a.cues.empty());
            }
        }
    }
    CHECK(fired(rules->analyze("s5 prefix", sensitivity::medium)) == strings{"p.phrase"});
    CHECK(rules->analyze("s4 prefix", sensitivity::medium).cues.empty());
    CHECK(rules->analyze("s5 pr", sensitivity::medium).cues.empty());
    CHECK(rules->analyze("s40", sensitivity::medium).cues.empty());
}

TEST_CASE("A phrase word followed by a thousand next words scattered over the vocabulary finds each",
          "[engine][analyzer]")
{
    // 20,000 words (ids in the order they first appear: "zz f0" to "zz f19999"), then 1,000 of
    // them, picked by a pseudo-random series, after "many": a table of those 1,000 edges without
    // collisions would need more than 16 slots per edge, so that node's table takes colliding
    // words on to the next free slots, and each is still found. (Ids of one run, as the words
    // after "zz", hash without collisions.)
    constexpr std::uint32_t words = 20000, next_words = 1000;
    std::string terms = R"("zz f0")";
    for (std::uint32_t w = 1; w < words; ++w) terms += ", \"zz f" + std::to_string(w) + "\"";
    std::vector<bool> after_many(words, false);
    std::uint32_t series = 12345;
    for (std::uint32_t picked = 0; picked < next_words;) {
        series = series * 1103515245u + 12345u;
        const std::uint32_t w = (series >> 8) % words;
        if (after_many[w]) continue;
        after_many[w] = true;
        ++picked;
        terms += ", \"many f" + std::to_string(w) + "\"";
    }
    const auto rules = phrase_rules(terms);
    std::uint32_t found = 0;
    for (std::uint32_t w = 0; w < words; ++w) {
        const std::string text = "many f" + std::to_string(w);
        INFO(text);
        const auto a = rules->analyze(text, sensitivity::medium);
        if (after_many[w]) {
            REQUIRE(fired(a) == strings{"p.phrase"});
            ++found;
        } else {
            REQUIRE(a.cues.empty());
        }
    }
    CHECK(found == next_words);
}

TEST_CASE("Ordered rules need their cues in the listed order", "[engine][analyzer]")
{
    auto rules = test_rules();
    CHECK(has(rules->analyze("you always do that", sensitivity::medium), "t.you_always"));
    CHECK_FALSE(has(rules->analyze("always you", sensitivity::medium), "t.you_always"));
    CHECK_FALSE(has(rules->analyze("you do this thing always", sensitivity::medium), "t.you_always"));
}

TEST_CASE("Obfuscated words are still matched", "[engine][analyzer]")
{
    auto rules = test_rules();
    CHECK(has(rules->analyze("you 1d10t", sensitivity::medium), "t.insult"));
    CHECK(has(rules->analyze("you \xC9\xAA" "diot", sensitivity::medium), "t.insult"));
    CHECK(has(rules->analyze("you iiiidiooot", sensitivity::medium), "t.insult"));
    auto coded = rules->analyze("k m s", sensitivity::medium);
    CHECK(has(coded, "t.coded"));
    CHECK(coded.flagged(category::crisis));
    CHECK(has(rules->analyze("UNALIVE", sensitivity::medium), "t.coded"));
}

TEST_CASE("none cues and built-in features gate rules", "[engine][analyzer]")
{
    auto rules = test_rules();
    auto a = rules->analyze("I am so frustrated", sensitivity::medium);
    CHECK(has(a, "t.feeling"));
    CHECK(a.feeling == "frustrated");
    CHECK(a.features.first_person);
    CHECK_FALSE(has(rules->analyze("am I frustrated?", sensitivity::medium), "t.feeling"));
    CHECK(rules->analyze("I am worn out", sensitivity::medium).feeling == "worn out");
    auto shout = rules->analyze("you NEVER listen", sensitivity::medium);
    CHECK(has(shout, "t.shouted"));
    CHECK(shout.features.shouting);
    CHECK(shout.features.intensity > 0);
    CHECK_FALSE(has(rules->analyze("YOU NEVER LISTEN", sensitivity::medium), "t.shouted"));
    auto burst = rules->analyze("why?? stop!!", sensitivity::medium);
    CHECK(burst.features.question_burst);
    CHECK(burst.features.exclamation_burst);
}

TEST_CASE("@short counts the words outside quotes and @mention sees <@id> and @name",
          "[engine][analyzer]")
{
    auto rules = test_rules();
    CHECK(has(rules->analyze("bozo", sensitivity::medium), "t.short_insult"));
    CHECK(has(rules->analyze("one two three four five six seven bozo", sensitivity::medium), "t.short_insult"));
    CHECK_FALSE(has(rules->analyze("one two three four five six seven eight bozo", sensitivity::medium),
                    "t.short_insult"));
    // Quoted words do not count towards the length (and a quoted insult is no cue at all).
    CHECK(has(rules->analyze("bozo \"one two three four five six seven eight\"", sensitivity::medium),
              "t.short_insult"));
    CHECK_FALSE(has(rules->analyze("", sensitivity::medium), "t.short_insult"));

    CHECK(has(rules->analyze("<@123> look", sensitivity::medium), "t.mention"));
    CHECK(has(rules->analyze("<@!123> look", sensitivity::medium), "t.mention"));
    CHECK(has(rules->analyze("look @alice", sensitivity::medium), "t.mention"));
    CHECK_FALSE(has(rules->analyze("<@&99> role ping", sensitivity::medium), "t.mention"));
    CHECK_FALSE(has(rules->analyze("see <#42>", sensitivity::medium), "t.mention"));
    CHECK_FALSE(has(rules->analyze("\"<@123>\" in a quote", sensitivity::medium), "t.mention"));
    CHECK_FALSE(has(rules->analyze("a @ sign alone", sensitivity::medium), "t.mention"));
}

TEST_CASE("@reply comes from the message's context, never from its words", "[engine][analyzer]")
{
    auto rules = test_rules();
    const message_context reply{true};
    CHECK(has(rules->analyze("fine, whatever", sensitivity::medium, reply), "t.reply"));
    CHECK_FALSE(has(rules->analyze("fine, whatever", sensitivity::medium), "t.reply"));
    CHECK_FALSE(has(rules->analyze("@reply reply replying", sensitivity::medium), "t.reply"));
    CHECK(has(rules->analyze("", sensitivity::medium, reply), "t.reply"));
    CHECK(rules->analyze("fine, whatever", sensitivity::medium, reply).features.reply);
    CHECK_FALSE(rules->analyze("fine, whatever", sensitivity::medium).features.reply);

    // In the shipped packs a jab with no "you" in it counts as aimed when it answers someone.
    diagnostics diags;
    auto shipped = load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    INFO(diags.to_string());
    REQUIRE(shipped);
    const std::string jab = "riveting. another brilliant idea";
    CHECK_FALSE(shipped->analyze(jab, sensitivity::medium).flagged(category::conflict));
    const auto answered = shipped->analyze(jab, sensitivity::medium, reply);
    CHECK(answered.flagged(category::conflict));
    CHECK(has(answered, "conflict.sarcastic_praise"));
    // A warm answer stays quiet.
    CHECK_FALSE(shipped->analyze("thanks, that helped a lot", sensitivity::medium, reply).flagged(category::conflict));
}

TEST_CASE("Modifiers apply only to categories in which a rule fired and appear as cues",
          "[engine][analyzer]")
{
    auto rules = test_rules();
    auto a = rules->analyze("thanks, you idiot", sensitivity::medium);
    CHECK(fired(a) == strings{"t.mod_thanks", "t.insult"});
    CHECK(a.cues[0].weight == -2.0f);
    CHECK(a.cues[0].cat == category::conflict);
    CHECK(a.score(category::conflict) == Approx(0.5f));
    CHECK_FALSE(a.flagged(category::conflict));
    auto alone = rules->analyze("thanks a lot", sensitivity::medium);
    CHECK(alone.cues.empty());
    // The smile modifier touches distress only, where nothing fired here.
    auto smile = rules->analyze("you idiot \xF0\x9F\x99\x82", sensitivity::medium);
    CHECK(fired(smile) == strings{"t.insult"});
}

TEST_CASE("A rule is evaluated once however many of its trigger cues are present",
          "[engine][analyzer]")
{
    // With few cues the analyzer tests rules on cue masks; beyond 128 cue ids it walks the cue
    // lists. Both must agree, also for a rule triggered by several `any` cues at once.
    auto compile = [&](int fillers) {
        std::string lexicons = R"("a": {"label": "a", "terms": ["alpha"]},
  "b": {"label": "b", "terms": ["beta"]}, "c": {"label": "c", "terms": ["gamma"]},
  "d": {"label": "d", "terms": ["delta"]})";
        lexicons += filler_lexicons(fillers);
        std::string pack = R"({"pack": "a", "lexicons": {)" + lexicons + R"(},
  "rules": [
    {"id": "a.any", "category": "conflict", "label": "a or b", "weight": 1, "any": ["a", "b"],
     "none": ["c"]},
    {"id": "a.all_any", "category": "conflict", "label": "a with b or d", "weight": 1,
     "all": ["a"], "any": ["b", "d"]}]})";
        diagnostics diags;
        auto rules = compile_rules({{"r/a.json", pack}}, &conflict_scoring, diags);
        INFO(diags.to_string());
        REQUIRE(rules);
        return rules;
    };
    auto sorted = [](strings ids) {
        std::sort(ids.begin(), ids.end());
        return ids;
    };
    for (int fillers : {0, 130}) {
        INFO("filler lexicons: " << fillers);
        auto rules = compile(fillers);
        auto both = rules->analyze("alpha beta", sensitivity::medium);
        CHECK(sorted(fired(both)) == strings{"a.all_any", "a.any"});
        CHECK(both.score(category::conflict) == Approx(1.0f / (1.0f + std::exp(-1.0f))));
        CHECK(sorted(fired(rules->analyze("beta then alpha", sensitivity::medium))) ==
              strings{"a.all_any", "a.any"});
        CHECK(fired(rules->analyze("beta", sensitivity::medium)) == strings{"a.any"});
        CHECK(fired(rules->analyze("alpha", sensitivity::medium)) == strings{"a.any"});
        CHECK(fired(rules->analyze("alpha beta gamma", sensitivity::medium)) == strings{"a.all_any"});
        CHECK(sorted(fired(rules->analyze("delta alpha", sensitivity::medium))) ==
              strings{"a.all_any", "a.any"});
        CHECK(fired(rules->analyze("delta gamma", sensitivity::medium)).empty());
    }
}

TEST_CASE("Many hits give the same analysis with and without cue masks", "[engine][analyzer]")
{
    // With every cue id below 128 the analyzer orders hits by counting them per cue and tests
    // rules on cue masks; beyond 128 cue ids it sorts them and walks the cue lists. Texts with
    // more than 16 and more than 64 hits, with and without two hits of one cue on one token
    // (the phrase "alpha beta" and the word "alpha"), must give the same analysis both ways.
    const pack_source scoring{"r/scoring.json", R"({"categories": {
  "conflict": {"bias": -1, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}},
  "distress": {"bias": -2, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}}}})"};
    auto compile = [&](int fillers, bool phrase) {
        std::string lexicons = std::string(R"("a": {"label": "a", "terms": ["alpha")") +
                               (phrase ? R"(, "alpha beta")" : "") + R"(]},
  "b": {"label": "b", "terms": ["beta"]}, "c": {"label": "c", "terms": ["gamma"]},
  "d": {"label": "d", "terms": ["delta", "deli*"], "slot": "feeling"},
  "e": {"label": "e", "terms": ["epsilon"], "negatable": true},
  "g": {"label": "g", "terms": ["omega", "ome*"], "slot": "feeling"},
  "h": {"label": "h", "terms": ["omega"], "slot": "feeling"})";
        lexicons += filler_lexicons(fillers);
        std::string pack = R"({"pack": "a", "lexicons": {)" + lexicons + R"(},
  "rules": [
    {"id": "a.near", "category": "conflict", "label": "a near b", "weight": 1, "all": ["a", "b"],
     "window": 2},
    {"id": "a.ordered", "category": "conflict", "label": "d then a", "weight": 0.5,
     "all": ["d", "a"], "ordered": true},
    {"id": "a.sentence", "category": "distress", "label": "c and e", "weight": 1.5,
     "all": ["c"], "any": ["e", "@second_person"], "sentence": true},
    {"id": "a.any", "category": "distress", "label": "b or d", "weight": 0.25, "any": ["b", "d"],
     "none": ["@question"]},
    {"id": "a.you", "category": "conflict", "label": "you and d", "weight": 0.75,
     "all": ["@second_person", "d"]}],
  "modifiers": [
    {"id": "a.mod", "label": "e and c", "when": ["e", "c"], "effect": {"distress": 0.5}}]})";
        diagnostics diags;
        auto rules = compile_rules({{"r/a.json", pack}}, &scoring, diags);
        INFO(diags.to_string());
        REQUIRE(rules);
        return rules;
    };
    std::vector<std::string> texts;
    std::string text;
    for (int k = 0; k < 40; ++k) {
        text += k % 3 == 0 ? "delta alpha beta gamma. " : k % 3 == 1 ? "you epsilon gamma alpha, " : "not epsilon delights beta alpha! ";
        if (k == 3 || k == 10 || k == 20 || k == 39) texts.push_back(text);
    }
    texts.push_back("alpha beta alpha beta delta gamma epsilon you delta alpha beta alpha beta alpha "
                    "beta gamma you alpha beta delta");
    // Feeling words: two lexicons and two terms of one lexicon on one token, with few hits and
    // with many (where std::sort orders the two hits of one lexicon on one token).
    texts.push_back("alpha beta omega delta");
    texts.push_back("you omega. delta alpha beta");
    texts.push_back(texts[3] + " omega");
    texts.push_back("omega " + texts[3]);
    for (bool phrase : {false, true}) {
        auto with_masks = compile(0, phrase);
        auto without = compile(130, phrase);
        for (const auto& t : texts) {
            INFO("phrase: " << phrase << ", text: " << t);
            auto x = with_masks->analyze(t, sensitivity::medium);
            auto y = without->analyze(t, sensitivity::medium);
            CHECK_FALSE(x.cues.empty());
            REQUIRE(x.cues.size() == y.cues.size());
            for (std::size_t k = 0; k < x.cues.size(); ++k) {
                CHECK(x.cues[k].rule_id == y.cues[k].rule_id);
                CHECK(x.cues[k].span.begin == y.cues[k].span.begin);
                CHECK(x.cues[k].span.end == y.cues[k].span.end);
                CHECK(x.cues[k].weight == y.cues[k].weight);
            }
            CHECK(x.scores == y.scores);
            CHECK(x.flags == y.flags);
            CHECK(x.feeling == y.feeling);
            if (t.find("omega") != std::string::npos && t.find("delta") > t.find("omega"))
                CHECK(x.feeling.substr(0, 3) == "ome");   // "omega" or "ome*", by the order of the hits
            CHECK(x.features.second_person == y.features.second_person);
            CHECK(x.features.intensity == y.features.intensity);
        }
    }
}

TEST_CASE("Every example written in the test pack behaves", "[engine][examples]")
{
    auto report = run_examples(*test_rules());
    CHECK(report.run == 24);
    INFO(report.to_string());
    CHECK(report.ok());
}

TEST_CASE("An example that misbehaves is reported at its string with what happened",
          "[engine][examples]")
{
    const char* pack = R"({"pack": "a",
  "lexicons": {"x": {"label": "x", "terms": ["bad"]}},
  "rules": [{"id": "a.x", "category": "conflict", "label": "x", "weight": 1, "all": ["x"],
             "examples": {"fire": ["good"], "quiet": ["bad"]}}],
  "examples": {"flag": {"conflict": ["bad"]}, "quiet": {"conflict": ["fine"]}}})";
    diagnostics diags;
    auto rules = compile_rules({{"r/a.json", pack}}, &conflict_scoring, diags);
    REQUIRE(rules);
    auto report = run_examples(*rules);
    CHECK(report.run == 4);
    CHECK(report.to_string() ==
          "r/a.json:4:36: error: rule \"a.x\" should fire on this example but did not; nothing "
          "fired\n"
          "r/a.json:4:55: error: rule \"a.x\" should stay quiet on this example but fired; fired: "
          "a.x (+1.00)\n"
          "r/a.json:5:38: error: expected a conflict flag at sensitivity medium: score 0.50, "
          "threshold 0.75; fired: a.x (+1.00)\n");
}

TEST_CASE("Bad input gets a correct analysis, never a crash or a hang", "[engine][analyzer][bad]")
{
    auto rules = test_rules();
    analysis out;
    auto started = std::chrono::steady_clock::now();
    rules->analyze("", sensitivity::medium, out);
    CHECK(out.cues.empty());
    rules->analyze(std::string("you\0idiot", 9), sensitivity::medium, out);
    CHECK(has(out, "t.insult"));
    rules->analyze("you \xFF\xFE idiot \xC3", sensitivity::medium, out);
    CHECK(has(out, "t.insult"));
    std::string marks = "you idiot";
    for (int k = 0; k < 10000; ++k) marks += "\xCC\x88";
    rules->analyze(marks, sensitivity::medium, out);
    CHECK(has(out, "t.insult"));
    std::string big;
    while (big.size() < (1u << 20)) big += "you are an idiot and you always kill \"it\" ";
    rules->analyze(big, sensitivity::medium, out);
    CHECK(has(out, "t.insult"));
    for (const auto& c : out.cues) CHECK(c.span.end <= big.size());
    std::string many_hits;
    for (int k = 0; k < 20000; ++k) many_hits += "you idiot you always ";
    rules->analyze(many_hits, sensitivity::medium, out);
    CHECK(has(out, "t.you_always"));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

TEST_CASE("One analyzer serves several threads at once", "[engine][analyzer]")
{
    auto rules = test_rules();
    std::vector<std::thread> threads;
    std::vector<int> hits(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            analysis out;
            for (int k = 0; k < 2000; ++k) {
                rules->analyze(k % 2 ? "you idiot" : "hello there", sensitivity::medium, out);
                hits[static_cast<std::size_t>(t)] += out.flagged(category::conflict) ? 1 : 0;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(hits == std::vector<int>{1000, 1000, 1000, 1000});
}

TEST_CASE("Introspection lists rules, lexicons, modifiers and features", "[engine][analyzer]")
{
    auto rules = test_rules();
    CHECK(rules->rules().size() == 9);
    CHECK(rules->lexicons().size() == 10);
    CHECK(rules->modifiers().size() == 2);
    CHECK(rules->modifiers()[0].effect[0] == -2.0f);
    CHECK(rules->modifiers()[0].when == std::vector<std::string>{"thanks"});
    CHECK(std::find(analyzer::features().begin(), analyzer::features().end(), "@shouting") !=
          analyzer::features().end());
    CHECK(std::find(analyzer::features().begin(), analyzer::features().end(), "@reply") !=
          analyzer::features().end());
    CHECK(rules->memory_bytes() > 0);
    CHECK(rules->scoring(category::crisis).defined);
    CHECK_FALSE(rules->scoring(category::kindness).defined);
}

TEST_CASE("A crisis flag is a distress flag too, with at least the crisis score", "[engine][analyzer]")
{
    const pack_source scoring{"r/scoring.json", R"({"categories": {
  "distress": {"bias": -2, "thresholds": {"low": 0.9, "medium": 0.6, "high": 0.5}},
  "crisis": {"bias": -2, "thresholds": {"low": 0.9, "medium": 0.6, "high": 0.5}}}})"};
    const std::string pack = R"({"pack": "p", "lexicons": {
  "gone": {"label": "gone", "terms": ["gone for ever"]},
  "tired": {"label": "tired", "terms": ["so tired"]}},
 "rules": [
  {"id": "p.gone", "category": "crisis", "label": "gone", "weight": 4, "all": ["gone"]},
  {"id": "p.weak_gone", "category": "crisis", "label": "gone", "weight": 1, "all": ["tired"]},
  {"id": "p.tired", "category": "distress", "label": "tired", "weight": 0.5, "all": ["tired"]}]})";
    diagnostics diags;
    auto rules = compile_rules({{"r/p.json", pack}}, &scoring, diags);
    INFO(diags.to_string());
    REQUIRE(rules);

    auto a = rules->analyze("I will be gone for ever", sensitivity::medium);
    REQUIRE(a.flagged(category::crisis));
    CHECK(a.flagged(category::distress));
    CHECK(a.score(category::distress) == a.score(category::crisis));

    // Below the crisis threshold nothing is carried over: distress keeps its own score and flag.
    a = rules->analyze("so tired", sensitivity::medium);
    CHECK_FALSE(a.flagged(category::crisis));
    CHECK_FALSE(a.flagged(category::distress));
    CHECK(a.score(category::distress) < a.score(category::crisis));
    // At low the crisis score no longer clears its threshold, so distress is not raised either.
    a = rules->analyze("I will be gone for ever", sensitivity::low);
    CHECK_FALSE(a.flagged(category::crisis));
    CHECK_FALSE(a.flagged(category::distress));
}

TEST_CASE("The shipped English packs fit the cue masks that keep the analyzer fast", "[engine][analyzer]")
{
    // Past analyzer::cue_mask_limit() cues (lexicons + features) the analyzer falls back to a
    // slower path that gives the same analyses: adding lexicons must not cross it unnoticed.
    diagnostics diags;
    auto shipped = load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    INFO(diags.to_string());
    REQUIRE(shipped);
    INFO(shipped->cue_count() << " cues, limit " << analyzer::cue_mask_limit());
    CHECK(shipped->cue_count() <= analyzer::cue_mask_limit());
    CHECK(shipped->uses_cue_masks());
}

TEST_CASE("A distress rule on the very words another distress rule fired on counts half", "[engine][analyzer]")
{
    const pack_source scoring{"r/scoring.json", R"({"categories": {
  "conflict": {"bias": -2, "thresholds": {"low": 0.8, "medium": 0.6, "high": 0.45}},
  "distress": {"bias": -2, "thresholds": {"low": 0.8, "medium": 0.6, "high": 0.45}}}})"};
    const std::string pack = R"({"pack": "p", "lexicons": {
  "a": {"label": "a", "terms": ["so tired"]}, "b": {"label": "b", "terms": ["so tired"]},
  "c": {"label": "c", "terms": ["today"]}, "x": {"label": "x", "terms": ["you fool"]},
  "y": {"label": "y", "terms": ["you fool"]}},
  "rules": [
  {"id": "p.one", "category": "distress", "label": "one", "weight": 2, "all": ["a"]},
  {"id": "p.two", "category": "distress", "label": "two", "weight": 2, "all": ["b"]},
  {"id": "p.other", "category": "distress", "label": "other", "weight": 2, "all": ["c"]},
  {"id": "p.x", "category": "conflict", "label": "x", "weight": 2, "all": ["x"]},
  {"id": "p.y", "category": "conflict", "label": "y", "weight": 2, "all": ["y"]}]})";
    diagnostics diags;
    auto rules = compile_rules({{"r/p.json", pack}}, &scoring, diags);
    INFO(diags.to_string());
    REQUIRE(rules);
    const auto weights = [](const analysis& a, category c) {
        std::vector<float> w;
        for (const auto& cue : a.cues)
            if (cue.cat == c) w.push_back(cue.weight);
        std::sort(w.begin(), w.end());
        return w;
    };
    // Same span: the second counts 1 instead of 2 (score sigmoid(-2 + 2 + 1)).
    auto same = rules->analyze("so tired", sensitivity::medium);
    CHECK(weights(same, category::distress) == std::vector<float>{1.0f, 2.0f});
    CHECK(same.scores[static_cast<std::size_t>(category::distress)] == Approx(1.0 / (1.0 + std::exp(-1.0))));
    // Other words: both count in full.
    auto apart = rules->analyze("so tired today", sensitivity::medium);
    CHECK(weights(apart, category::distress) == std::vector<float>{1.0f, 2.0f, 2.0f});
    // Conflict rules on one span are different moves: both count in full.
    auto conflict = rules->analyze("you fool", sensitivity::medium);
    CHECK(weights(conflict, category::conflict) == std::vector<float>{2.0f, 2.0f});
}

TEST_CASE("@caps_run: three words in capitals close together, not acronyms or constants",
          "[engine][analyzer]")
{
    const std::string pack = R"({"pack": "p", "lexicons": {"p": {"label": "p", "terms": ["stop"]}},
  "rules": [{"id": "p.caps", "category": "conflict", "label": "capitals", "weight": 1,
             "all": ["@caps_run"]}]})";
    diagnostics diags;
    auto rules = compile_rules({{"r/p.json", pack}}, &conflict_scoring, diags);
    INFO(diags.to_string());
    REQUIRE(rules);
    auto caps = [&](std::string_view text) { return has(rules->analyze(text, sensitivity::medium), "p.caps"); };
    CHECK(caps("STOP PUSHING TO MAIN"));              // "TO" is two letters: within the gap of two
    CHECK(caps("ok but PLEASE READ THE DOCS first"));  // a run inside a mixed-case message
    CHECK(caps("TURN. YOUR. MICROPHONE. OFF."));       // across sentences
    CHECK_FALSE(caps("PLEASE read the DOCS and the GUIDE"));   // too far apart
    CHECK_FALSE(caps("moving AWS RDS EKS to the new account"));   // acronyms only: none word-like
    CHECK_FALSE(caps("set MAX_RETRY_COUNT and DEFAULT_TIMEOUT_SECONDS"));   // constants
    CHECK_FALSE(caps("this is \"SO VERY LOUD\" quoted"));   // quoted words never count
}
