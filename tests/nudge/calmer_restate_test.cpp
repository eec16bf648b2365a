// The calmer draft of a message that is nothing but an attack, a brush-off, trash talk, contempt,
// a push to leave someone out, talking down or a passive-aggressive jab: the point said in other
// words, by family, with every mention, code span and link kept. Examples written for this test.
#include "nudge/calmer_draft.hpp"

#include "engine/analyzer.hpp"
#include "nudge/calmer_draft_steps.hpp"
#include "nudge/shipped.hpp"
#include "nudge/text_spans.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

using namespace nudgebot;
using namespace nudgebot::nudge;
using nudgebot::testing::english;

namespace {

engine::analysis analyse(std::string_view text) { return english()->analyze(text, engine::sensitivity::medium); }

std::optional<calmer_draft> draft_of(const std::string& text)
{
    return calmer_rewrite(text, analyse(text), [](std::string_view t, engine::analysis& out) {
        english()->analyze(t, engine::sensitivity::medium, out);
    }, testing::restating());
}

bool has(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

struct family_case {
    drafting::tone tone;
    std::string text;
    std::vector<std::string> kept;   // what the draft must still hold
};

// Per family: a message with nothing of its own words to keep once the attack is gone, with a
// mention, a code span or a link in it.
const std::vector<family_case> cases{
    {drafting::tone::frustration, "<@5512> you absolute clown", {"<@5512>"}},
    {drafting::tone::frustration, "@ines you're a useless moron", {"@ines"}},
    {drafting::tone::frustration, "what a pathetic excuse for a lead, @ines", {"@ines"}},
    {drafting::tone::blame, "@ines you broke the build again, you clown", {"@ines"}},
    {drafting::tone::dismissal, "@ines nobody asked. not my problem", {"@ines"}},
    {drafting::tone::dismissal, "whatever, not my problem `cron.yaml`", {"`cron.yaml`"}},
    {drafting::tone::trash_talk, "@kofi you're so bad, uninstall and stop feeding, bot https://clips.example.gg/991",
     {"@kofi", "https://clips.example.gg/991"}},
    {drafting::tone::condescension, "oh sweetie, it's literally pinned. read the wiki @ravi https://wiki.example.org/faq",
     {"@ravi", "https://wiki.example.org/faq"}},
    {drafting::tone::passive_aggression, "Per my last message, for the fourth time @lena `deploy.sh --dry-run`",
     {"@lena", "`deploy.sh --dry-run`"}},
    {drafting::tone::gaslighting, "@lena you're overreacting, that never happened, see #4521", {"@lena", "#4521"}},
    {drafting::tone::exclusion, "nobody wants you here @ollie, just leave https://example.org/rules",
     {"@ollie", "https://example.org/rules"}},
};

}  // namespace

TEST_CASE("A message that is nothing but an attack gets its point said in other words, by family",
          "[nudge][calmer][restate]")
{
    for (const auto& c : cases) {
        INFO(c.text);
        auto before = analyse(c.text);
        REQUIRE(before.flagged(engine::category::conflict));
        CHECK(drafting::tone_of(c.text, before) == c.tone);
        auto d = draft_of(c.text);
        REQUIRE(d);
        INFO(d->text);
        CHECK_FALSE(d->restated.empty());
        CHECK(d->restated == drafting::tone_how(testing::restating(), c.tone));
        CHECK(has(d->reason(), d->restated));
        CHECK(has(d->reason(), "without the "));
        // Re-analysed, the draft does not flag conflict, and it keeps every mention, code span and link.
        CHECK_FALSE(analyse(d->text).flagged(engine::category::conflict));
        CHECK(keeps_protected(c.text, d->text));
        for (const auto& k : c.kept) CHECK(has(d->text, k));
        // It asks or offers something rather than judging the person (links follow the question).
        CHECK(d->text.find_first_of("?.") != std::string::npos);
        for (const auto& k : c.kept)
            if (k.starts_with("http")) CHECK(d->text.ends_with(k));
        CHECK_FALSE(has(d->text, "you're"));
    }
}

TEST_CASE("A restatement is the same for the same message and differs across similar ones", "[nudge][calmer][restate]")
{
    CHECK(draft_of("you idiot")->text == draft_of("you idiot")->text);
    std::set<std::string> texts;
    for (std::string text : {"you idiot", "you absolute idiot", "you moron", "you're an idiot", "you clown",
                             "you're a moron", "what an idiot", "you utter moron"}) {
        auto d = draft_of(text);
        if (d) texts.insert(d->text);
    }
    CHECK(texts.size() >= 4);
}

TEST_CASE("A restatement names the thing the message was about: code, links, acronyms", "[nudge][calmer][restate]")
{
    const std::string text = "@dana you absolute clown, `make deploy` and the VPN again https://status.example.org";
    auto d = draft_of(text);
    REQUIRE(d);
    INFO(d->text);
    CHECK(keeps_protected(text, d->text));
    CHECK(d->text.starts_with("@dana "));
    CHECK_FALSE(analyse(d->text).flagged(engine::category::conflict));
}

TEST_CASE("Every line a restatement can use, with and without a mention in front, reads calm",
          "[nudge][calmer][restate][quality]")
{
    // All variants of every family, as the rewriter would assemble them.
    for (std::size_t t = 0; t < drafting::tone_count; ++t) {
        const auto tone = static_cast<drafting::tone>(t);
        for (std::string text : {"whatever", "@sam whatever", "whatever `x.cfg`", "<@77> whatever https://example.org/a"}) {
            engine::analysis a;
            for (const auto& line : drafting::restatements(text, a, testing::restating(), tone, 8)) {
                INFO(line);
                CHECK_FALSE(analyse(line).flagged(engine::category::conflict));
                CHECK(keeps_protected(text, line));
            }
        }
    }
}

TEST_CASE("Threats and harm words are never cut: they are restated whole, with none of their words",
          "[nudge][calmer][restate][safety]")
{
    int restated = 0;
    for (std::string text : {"kys", "watch your back @ines", "you idiot, kys", "I know where you live, clown"}) {
        INFO(text);
        auto a = analyse(text);
        if (!a.flagged(engine::category::conflict)) continue;
        auto d = draft_of(text);
        REQUIRE(d);
        ++restated;
        INFO(d->text);
        CHECK_FALSE(drafting::carries_harm(d->text));
        for (std::string_view word : {"kys", "back", "live", "idiot", "clown"})
            CHECK(d->text.find(word) == std::string::npos);
        CHECK_FALSE(analyse(d->text).flagged(engine::category::conflict));
        if (text.find("@ines") != std::string::npos) CHECK(d->text.find("@ines") != std::string::npos);
        CHECK((d->reason().starts_with("without the threat") || d->reason().starts_with("without the words of harm")));
    }
    CHECK(restated >= 3);
    // Crisis language gets no draft at all: the crisis card answers it.
    CHECK_FALSE(draft_of("I want to kill myself"));
}

TEST_CASE("Show the tone and restatements of each line of $NUDGEBOT_SHOW (run by hand with [.show_restate])",
          "[.show_restate]")
{
    const char* path = std::getenv("NUDGEBOT_SHOW");
    REQUIRE(path);
    std::ifstream in(path);
    std::string text;
    while (std::getline(in, text)) {
        auto a = analyse(text);
        const auto t = drafting::tone_of(text, a);
        std::printf("%s\n  tone %s\n", text.c_str(), std::string(drafting::tone_change(testing::restating(), t)).c_str());
        for (const auto& line : drafting::restatements(text, a, testing::restating(), t, 3))
            std::printf("  %s %s\n", analyse(line).flagged(engine::category::conflict) ? "FLAGS" : "ok   ", line.c_str());
    }
}
