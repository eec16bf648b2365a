#include "nudge/library_lint.hpp"

#include "engine/analyzer.hpp"
#include "nudge/calmer_draft.hpp"
#include "nudge/reflection.hpp"
#include "nudge/text_spans.hpp"
#include "nudge/shipped.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <memory>

using namespace nudgebot;
using namespace nudgebot::nudge;
using nudgebot::testing::english;
using nudgebot::testing::shipped;

namespace {

engine::analysis analyse(std::string_view text)
{
    return english()->analyze(text, engine::sensitivity::medium);
}

// Heated messages written for this test (team chat, with code, links and mentions mixed in).
const std::vector<std::string> heated{
    "you ALWAYS break the build",
    "@sam you never update the changelog before tagging, seriously?!",
    "you ALWAYS break the build, are you even trying??",
    "this fucking build is broken again",
    "fix your damn tests before merging, see https://ci.example.com/job/991",
    "<@4481> you idiot, the config in `deploy/prod.yaml` points at the old database",
    "What is WRONG with you?! The migration dropped the users table",
    "the shitty config you wrote broke staging, check #4521",
    "what the fuck, the migration dropped the users table",
    "the release notes are missing again, <@4481> you idiot",
    "@dana you ALWAYS break `make check` on main?! see https://ci.example.com/run/42",
    "the fucking deploy failed again because you skipped the checklist",
    "why the hell did you merge this without review",
    "you idiot",
};

const std::vector<std::string> struggling{
    "this release crunch has me running on fumes, I'm so tired",
    "I'm so stressed about the move next week, nothing is packed",
    "my mom is in the hospital and I can't focus on any of this",
    "honestly I'm exhausted, work has been crushing me for weeks",
    "I haven't slept properly since the outage and I feel like I'm failing",
};

}  // namespace

TEST_CASE("Every calmer draft reads calmer: re-analysed, it no longer flags conflict", "[nudge][quality]")
{
    std::size_t flagged = 0, drafted = 0;
    for (const auto& text : heated) {
        INFO(text);
        auto a = analyse(text);
        if (!a.flagged(engine::category::conflict)) continue;
        ++flagged;
        auto draft = calmer_rewrite(text, a, [](std::string_view t, engine::analysis& out) {
            english()->analyze(t, engine::sensitivity::medium, out);
        }, testing::restating());
        if (!draft) continue;
        ++drafted;
        INFO(draft->text);
        CHECK_FALSE(analyse(draft->text).flagged(engine::category::conflict));
        CHECK(keeps_protected(text, draft->text));
        CHECK(draft->text.size() <= text.size() + 80);
        CHECK_FALSE(draft->changes.empty());
    }
    // The test must be able to fail: these messages flag today, and every one gets a draft (a
    // message that is nothing but an attack gets its point restated).
    CHECK(flagged >= heated.size() - 2);
    CHECK(drafted == flagged);
}

TEST_CASE("Reflections name the situation, and as a reply they flag neither distress nor conflict",
          "[nudge][quality][reflection]")
{
    auto c = shipped();
    std::size_t named = 0;
    for (const auto& text : struggling) {
        INFO(text);
        auto a = analyse(text);
        REQUIRE(a.flagged(engine::category::distress));
        auto phrase = situation_phrase(text, a);
        if (phrase.empty()) continue;
        ++named;
        INFO(phrase);
        CHECK(phrase.find(" my ") == std::string::npos);
        CHECK(phrase.rfind("I ", 0) != 0);
        auto ideas = c->suggestions(situation::pull_reply, storage::style::gentle, core::user_id{"r"}, a.feeling, 3, phrase);
        REQUIRE_FALSE(ideas.empty());
        CHECK(ideas.front().find(phrase) != std::string::npos);
        for (const auto& idea : ideas) {
            INFO(idea);
            auto again = analyse(idea);
            CHECK_FALSE(again.flagged(engine::category::distress));
            CHECK_FALSE(again.flagged(engine::category::conflict));
        }
    }
    CHECK(named >= struggling.size() - 1);
}

TEST_CASE("The release crunch is handed back in the second person", "[nudge][reflection]")
{
    const std::string text = "this release crunch has me running on fumes, I'm so tired";
    CHECK(situation_phrase(text, analyse(text)) == "this release crunch has you running on fumes");
    const std::string moving = "I'm so stressed about the move next week, nothing is packed";
    CHECK(situation_phrase(moving, analyse(moving)) == "you're so stressed about the move next week");
}

TEST_CASE("Crisis language is never echoed back in a reflection", "[nudge][reflection][safety]")
{
    const std::string text = "I don't want to be here anymore, I want to end it all";
    auto a = analyse(text);
    REQUIRE(a.flagged(engine::category::crisis));
    CHECK(situation_phrase(text, a).empty());
}

TEST_CASE("The same person does not see the same reflection twice in a row", "[nudge][reflection][rotation]")
{
    auto c = shipped();
    std::string last;
    for (int i = 0; i < 6; ++i) {
        auto ideas = c->suggestions(situation::pull_reply, storage::style::direct, core::user_id{"r"}, "tired", 1,
                                    "the release crunch has you running on fumes");
        REQUIRE(ideas.size() == 1);
        CHECK(ideas[0] != last);
        last = ideas[0];
    }
}

TEST_CASE("Every library line and crisis card passes the spelling and placeholder checks", "[nudge][quality][rules]")
{
    auto c = shipped();
    auto problems = lint_library(*c);
    for (const auto& p : problems) UNSCOPED_INFO(p);
    CHECK(problems.empty());
    // ... and the checks do catch what they promise to catch.
    CHECK_FALSE(lint_text("the the reply.").empty());
    CHECK_FALSE(lint_text("You will recieve it.").empty());
    CHECK_FALSE(lint_text("Say \"hello.").empty());
    CHECK(lint_text("Say \"hello.\"").empty());
}
