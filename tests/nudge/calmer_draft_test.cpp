#include "nudge/calmer_draft.hpp"

#include "engine/analyzer.hpp"
#include "nudge/analyses.hpp"
#include "nudge/reflection.hpp"
#include "nudge/text_spans.hpp"
#include "nudge/shipped.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

using namespace nudgebot;
using namespace nudgebot::nudge;
using nudgebot::testing::english;

namespace {

struct rewritten {
    engine::analysis before;
    std::optional<calmer_draft> draft;
};

rewritten rewrite(const std::string& text)
{
    auto a = english();
    rewritten r;
    r.before = a->analyze(text, engine::sensitivity::medium);
    r.draft = calmer_rewrite(text, r.before, [&](std::string_view t, engine::analysis& out) {
        a->analyze(t, engine::sensitivity::medium, out);
    }, testing::restating());
    return r;
}

bool flags_conflict(std::string_view text)
{
    return english()->analyze(text, engine::sensitivity::medium).flagged(engine::category::conflict);
}

bool has(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

}  // namespace

TEST_CASE("A verdict about the person becomes an observation and a request, without the capitals",
          "[nudge][calmer]")
{
    auto r = rewrite("you ALWAYS break the build");
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    INFO(r.draft->text);
    CHECK(has(r.draft->text, "the build got broken again."));
    CHECK(has(r.draft->text, "Could we"));
    CHECK_FALSE(has(r.draft->text, "ALWAYS"));
    CHECK_FALSE(has(r.draft->text, "you always"));
    CHECK(r.draft->reason() == "without the 'you always' and the capitals");
    CHECK_FALSE(flags_conflict(r.draft->text));
}

TEST_CASE("A rhetorical attack is dropped and the technical point stays", "[nudge][calmer]")
{
    auto r = rewrite("What is WRONG with you?! The migration dropped the users table");
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    INFO(r.draft->text);
    CHECK(r.draft->text == "The migration dropped the users table");
    CHECK(r.draft->reason() == "without the rhetorical attack on the person, the capitals and the '?!'");
    CHECK_FALSE(flags_conflict(r.draft->text));
}

TEST_CASE("'Are you even trying' goes with its clause, as the issue asks", "[nudge][calmer]")
{
    auto r = rewrite("you ALWAYS break the build, are you even trying??");
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    CHECK(r.draft->text == "the build got broken again. Could we look at how to avoid that next time?");
    CHECK(r.draft->reason() == "without the 'you always', the 'are you even trying', the capitals and the '?" "?'");
}

TEST_CASE("A message that is nothing but an attack is not cut down to nothing: its point is restated",
          "[nudge][calmer]")
{
    for (const char* text : {"What is WRONG with you?!", "you idiot", "you absolute muppet"}) {
        INFO(text);
        auto r = rewrite(text);
        REQUIRE(r.before.flagged(engine::category::conflict));
        REQUIRE(r.draft);
        INFO(r.draft->text);
        CHECK_FALSE(r.draft->restated.empty());
        CHECK_FALSE(flags_conflict(r.draft->text));
        CHECK(r.draft->text.back() == '?');
    }
}

TEST_CASE("Swearing loses the swear word when the sentence still reads whole", "[nudge][calmer]")
{
    auto r = rewrite("the shitty config you wrote broke staging");
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    INFO(r.draft->text);
    CHECK(r.draft->text == "the config you wrote broke staging");
    CHECK(r.draft->reason() == "without the swearing");
}

TEST_CASE("Code spans, links and mentions of the original survive every rewrite", "[nudge][calmer][kept]")
{
    const std::string text = "@derek you ALWAYS break `make check` on main?! see https://ci.example.com/run/42 and <#1100>";
    // ... which reads: "@derek `make check` on main got broken again. Could we look at how to avoid
    // that next time? See https://ci.example.com/run/42 and <#1100>"
    auto r = rewrite(text);
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    INFO(r.draft->text);
    for (auto kept : {"@derek", "`make check`", "https://ci.example.com/run/42", "<#1100>"}) CHECK(has(r.draft->text, kept));
    CHECK(keeps_protected(text, r.draft->text));
    CHECK_FALSE(has(r.draft->text, "?!"));
    CHECK_FALSE(flags_conflict(r.draft->text));
}

TEST_CASE("A draft that starts with a link keeps the link as written (no capital letter)", "[nudge][calmer][kept]")
{
    for (std::string text : {"You idiot. https://ci.example.com/run/42 has been red since your merge",
                             "YOU IDIOT, www.example.com/status says the deploy failed again"}) {
        INFO(text);
        auto r = rewrite(text);
        REQUIRE(r.draft);
        CHECK((r.draft->text.starts_with("https://ci.example.com/run/42 ") ||
               r.draft->text.starts_with("www.example.com/status ")));
        CHECK(keeps_protected(text, r.draft->text));
    }
}

TEST_CASE("A clause that holds a mention keeps the mention when the clause goes", "[nudge][calmer][kept]")
{
    auto r = rewrite("the release notes are missing again, <@4481> you idiot");
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    INFO(r.draft->text);
    CHECK(has(r.draft->text, "<@4481>"));
    CHECK(has(r.draft->text, "the release notes are missing again"));
    CHECK_FALSE(has(r.draft->text, "idiot"));
}

TEST_CASE("'You never …' caught by another rule also becomes a request, and the emphasis after it goes",
          "[nudge][calmer]")
{
    auto r = rewrite("@dana you never write the changelog. not once. ever.");
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    CHECK(r.draft->text == "@dana the changelog didn't get written. Could we make sure that happens next time?");
    CHECK(r.draft->reason() == "without the 'you never', the 'not once' and the 'ever'");
    CHECK_FALSE(flags_conflict(r.draft->text));
    // Without a verdict turned into a request, emphasis is not cut on its own.
    auto plain = rewrite("not once. ever.");
    CHECK_FALSE(plain.draft);
}

TEST_CASE("A question asked with a jab loses only its 'even' and stays a question", "[nudge][calmer]")
{
    auto r = rewrite("Did you even run the migrations before merging?");
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    CHECK(r.draft->text == "Did you run the migrations before merging?");
    CHECK(r.draft->reason() == "without the 'even'");
    CHECK_FALSE(flags_conflict(r.draft->text));
    // Nothing is asked in "are you even trying": it goes whole, never down to "are you trying??"
    // (restated when it flags, which sits near the threshold and depends on the learned model;
    // no draft when it does not).
    const auto jab = rewrite("are you even trying??");
    INFO((jab.draft ? jab.draft->text : std::string("no draft")));
    CHECK((!jab.draft || !has(jab.draft->text, "trying")));
}

TEST_CASE("Words that threaten are never cut, wherever they stand; the same words in other senses are",
          "[nudge][calmer][safety]")
{
    for (std::string text : {"you ALWAYS break the build, watch your back", "watch your back, you ALWAYS break the build"}) {
        INFO(text);
        auto r = rewrite(text);
        REQUIRE(r.before.flagged(engine::category::conflict));
        REQUIRE(r.draft);   // restated whole: none of the message's own words
        INFO(r.draft->text);
        CHECK(r.draft->text.find("watch") == std::string::npos);
        CHECK(r.draft->text.find("ALWAYS") == std::string::npos);
        CHECK(r.draft->reason().starts_with("without the threat"));
    }
    auto r = rewrite("you ALWAYS break the build, watch the logs next time");
    REQUIRE(r.before.flagged(engine::category::conflict));
    REQUIRE(r.draft);
    CHECK(r.draft->text.find("watch the logs") != std::string::npos);
}

TEST_CASE("No text is analysed twice while a draft is built, and the original is never analysed again",
          "[nudge][calmer][cost]")
{
    auto a = english();
    for (std::string text : {"you ALWAYS break the build", "@sam you never update the changelog before tagging, seriously?!",
                             "What is WRONG with you?! The migration dropped the users table",
                             "we lost the demo because nobody sent the fucking slides",
                             "<@4481> you idiot, the config in `deploy/prod.yaml` points at the old database",
                             "Honestly, you always ignore the on-call rota and then complain about pages"}) {
        INFO(text);
        auto before = a->analyze(text, engine::sensitivity::medium);
        REQUIRE(before.flagged(engine::category::conflict));
        std::vector<std::string> analysed;
        calmer_rewrite(text, before, [&](std::string_view t, engine::analysis& out) {
            analysed.emplace_back(t);
            a->analyze(t, engine::sensitivity::medium, out);
        }, testing::restating());
        CHECK(std::find(analysed.begin(), analysed.end(), text) == analysed.end());
        auto sorted = analysed;
        std::sort(sorted.begin(), sorted.end());
        CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    }
}

TEST_CASE("A calm message is not rewritten", "[nudge][calmer]")
{
    auto r = rewrite("could you take a look at the flaky test when you have a minute?");
    CHECK_FALSE(r.draft);
}

TEST_CASE("Cue families come from rule ids and labels, so a new rule of a known kind is handled",
          "[nudge][calmer][generic]")
{
    // A stand-in analyzer: any text containing "numpty" fires a rule no pack has today.
    const std::string text = "The cache keys collide on restart, numpty. Please check the hash.";
    engine::analysis a;
    testing::numpty_put_down(text, a);
    auto draft = calmer_rewrite(text, a, testing::numpty_put_down, testing::restating());
    REQUIRE(draft);
    CHECK(draft->text == "The cache keys collide on restart. Please check the hash.");
    CHECK(draft->reason() == "without the belittling name for someone");
}

TEST_CASE("Protected spans are found where chat puts them", "[nudge][spans]")
{
    const std::string text = "see `a b` and ```\nx = 1\n``` at https://x.io/a?b=1. cc @dana, <@123>, #4521 and <https://y.io|y>";
    auto kept = protected_texts(text);
    std::vector<std::string> got(kept.begin(), kept.end());
    CHECK(got == std::vector<std::string>{"`a b`", "```\nx = 1\n```", "https://x.io/a?b=1", "@dana", "<@123>",
                                          "#4521", "<https://y.io|y>"});
    CHECK(keeps_protected(text, "`a b` ```\nx = 1\n``` https://x.io/a?b=1 @dana <@123> #4521 <https://y.io|y>"));
    CHECK_FALSE(keeps_protected(text, "`a b` https://x.io/a?b=1 @dana <@123> #4521 <https://y.io|y>"));
}

TEST_CASE("Show the analysis and calmer draft of each line of $NUDGEBOT_SHOW (run by hand with [.show])", "[.show]")
{
    const char* path = std::getenv("NUDGEBOT_SHOW");
    REQUIRE(path);
    std::ifstream in(path);
    std::string text;
    while (std::getline(in, text)) {
        auto r = rewrite(text);
        std::printf("%s\n  conflict %.2f%s distress %.2f%s\n", text.c_str(), static_cast<double>(r.before.score(engine::category::conflict)),
                    r.before.flagged(engine::category::conflict) ? "!" : "", static_cast<double>(r.before.score(engine::category::distress)),
                    r.before.flagged(engine::category::distress) ? "!" : "");
        for (const auto& c : r.before.cues)
            std::printf("    %s %.2f [%u,%u) %s\n", std::string(c.rule_id).c_str(), static_cast<double>(c.weight), c.span.begin,
                        c.span.end, text.substr(c.span.begin, c.span.end - c.span.begin).c_str());
        if (r.draft) std::printf("  => %s (%s)\n", r.draft->text.c_str(), r.draft->reason().c_str());
        if (r.before.flagged(engine::category::distress))
            std::printf("  situation: [%s]\n", situation_phrase(text, r.before).c_str());
    }
}
