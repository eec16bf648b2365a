// The quality gate of cut drafts (calmer_draft_fragments.cpp): a draft of the message's own words
// that reads as the remains of a message is not offered; the point is restated instead. Example
// sentences written for this test.
#include "nudge/calmer_draft.hpp"

#include "nudge/analyses.hpp"
#include "nudge/calmer_draft_steps.hpp"
#include "nudge/shipped.hpp"
#include "nudge/text_spans.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot;
using namespace nudgebot::nudge;
using drafting::fragment;

namespace {

std::optional<fragment> judge(std::string_view draft) { return drafting::reads_as_fragment(draft, protected_spans(draft)); }

std::optional<calmer_draft> rewrite(std::string_view text)
{
    engine::analysis a;
    testing::numpty_put_down(text, a);
    return calmer_rewrite(text, a, testing::numpty_put_down, testing::restating());
}

}  // namespace

TEST_CASE("A draft ending on a word that needs more after it is a fragment", "[nudge][calmer][fragment]")
{
    CHECK(judge("The release notes are late. I mean.") == fragment::dangling_end);
    CHECK(judge("We could ship on Friday and") == fragment::dangling_end);
    CHECK(judge("Please look at the.") == fragment::dangling_end);
    CHECK(judge("the staging box is down again, oh wait") == fragment::dangling_end);
    // Ending on a link, code or a preposition that can end a sentence is fine.
    CHECK_FALSE(judge("The steps are in https://wiki.example.org/the"));
    CHECK_FALSE(judge("Which branch is the fix in?"));
    CHECK_FALSE(judge("The tickets get updated weekly."));
    CHECK_FALSE(judge("I mean the second test, not the first one."));
}

TEST_CASE("A sentence left with only an interjection or swearing and names is a fragment", "[nudge][calmer][fragment]")
{
    CHECK(judge("omg Priscilla. The roster is wrong again.") == fragment::interjection_only);
    CHECK(judge("The roster is wrong again. ffs.") == fragment::interjection_only);
    CHECK(judge("Damn. The roster is wrong again.") == fragment::interjection_only);
    CHECK(judge("wtf @dana") == fragment::interjection_only);   // a mention names someone, says nothing
    // An interjection inside a sentence that says something is not judged.
    CHECK_FALSE(judge("omg the roster is wrong again."));
    CHECK_FALSE(judge("Priscilla, the roster is wrong again."));
}

TEST_CASE("A subject left with only adverbs after it is a fragment", "[nudge][calmer][fragment]")
{
    CHECK(judge("you reliably, every single sprint") == fragment::subject_without_verb);
    CHECK(judge("The demo went fine. We honestly, at the end.") == fragment::subject_without_verb);
    CHECK(judge("they always") == fragment::subject_without_verb);
    CHECK_FALSE(judge("you reliably fix the flaky tests, every single sprint"));
    CHECK_FALSE(judge("Honestly, the demo went fine."));
}

TEST_CASE("A cut that leaves a fragment gives the restatement instead", "[nudge][calmer][fragment]")
{
    const auto& words = testing::restating();
    const auto frustration = static_cast<std::size_t>(drafting::tone::frustration);
    for (std::string text : {"The cache keys collide on restart. I mean, numpty.",
                             "jfc Tanner, numpty. The cache keys collide on restart.",
                             "you honestly, numpty, every single sprint"}) {
        INFO(text);
        auto d = rewrite(text);
        REQUIRE(d);
        INFO(d->text);
        CHECK(d->restated == words[frustration].said_as);
        CHECK(d->text.find("numpty") == std::string::npos);
        // Its first sentence is one of the family's feeling lines, from the language pack.
        bool from_pack = false;
        for (const auto& line : words[frustration].feelings) from_pack = from_pack || d->text.starts_with(line);
        CHECK(from_pack);
    }
    // The same cut that leaves a whole message keeps the person's own words.
    auto whole = rewrite("The cache keys collide on restart, numpty. Please check the hash.");
    REQUIRE(whole);
    CHECK(whole->text == "The cache keys collide on restart. Please check the hash.");
    CHECK(whole->restated.empty());
}

TEST_CASE("A cut that uncovers a threat is not offered: the point is restated whole", "[nudge][calmer][fragment][harm]")
{
    // A stand-in rule that sees only the swear word: deleting it leaves a whole sentence that threatens.
    const auto swearing = testing::one_word_rule("fucking", "conflict.future_swearing", "swearing at someone");
    const std::string text = "Push to my branch once more and I will break your fucking fingers.";
    engine::analysis a;
    swearing(text, a);
    const auto threat = calmer_rewrite(text, a, swearing, testing::restating());
    REQUIRE(threat);
    INFO(threat->text);
    CHECK(threat->text.find("break") == std::string::npos);
    CHECK(threat->text.find("fingers") == std::string::npos);
    CHECK(threat->reason().starts_with("without the threat"));
    // The same cut in a sentence that threatens nobody is offered.
    const std::string mild = "Push to my branch once more and I will revert your fucking commits.";
    swearing(mild, a);
    auto d = calmer_rewrite(mild, a, swearing, testing::restating());
    REQUIRE(d);
    CHECK(d->text == "Push to my branch once more and I will revert your commits.");
}
