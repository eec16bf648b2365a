#include "nudge/composer.hpp"

#include "nudge/analyses.hpp"
#include "nudge/shipped.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace nudgebot;
using namespace nudgebot::nudge;
using namespace nudgebot::testing;

namespace {

composer make_composer()
{
    core::diagnostics diags;
    auto lib = load_suggestions(NUDGEBOT_SOURCE_DIR "/tests/nudge/data/suggestions.json", diags);
    INFO(diags.to_string());
    REQUIRE(lib);
    return composer(std::move(*lib));
}

decision targeted_alice()
{
    decision d;
    d.recipient = core::user_id{"alice"};
    d.situation = situation::targeted;
    d.category = engine::category::conflict;
    d.deliver = true;
    d.rule = "conflict.you_always";
    d.recipient_is_author = false;
    return d;
}

}  // namespace

TEST_CASE("A push nudge says it is from nudgebot, explains the cues and carries three buttons",
          "[nudge][composer]")
{
    auto c = make_composer();
    auto msg = c.compose(targeted_alice(), storage::style::gentle, hostile(), "g1");
    CHECK(msg.text.find("nudgebot") != std::string::npos);
    CHECK(msg.text.find("'you always' aimed at a person + all caps + '?" "?', in a message aimed at you") !=
          std::string::npos);
    CHECK((msg.text.find("keep it about the work") != std::string::npos ||
           msg.text.find("after lunch") != std::string::npos));
    CHECK(msg.text.find("(text)") == std::string::npos);   // never the message itself
    REQUIRE(msg.buttons.size() == 3);
    CHECK(msg.buttons[0].label == "Helpful");
    CHECK(msg.buttons[1].label == "Not now");
    CHECK(msg.buttons[2].label == "Stop these");
    auto meaning = parse_button_id(msg.buttons[2].custom_id);
    REQUIRE(meaning);
    CHECK(meaning->action == button_action::stop);
    CHECK(meaning->situation == situation::targeted);
    CHECK(meaning->server == "g1");
    CHECK(meaning->rule == "conflict.you_always");
}

TEST_CASE("The same person rarely sees the same words twice", "[nudge][composer][rotation]")
{
    auto c = make_composer();
    auto d = targeted_alice();
    std::set<std::string> seen;
    for (int i = 0; i < 2; ++i) seen.insert(c.compose(d, storage::style::gentle, hostile(), "g1").text);
    CHECK(seen.size() == 2);
    auto bob = d;
    bob.recipient = core::user_id{"bob"};
    bob.situation = situation::own_heated;
    std::set<std::string> own;
    for (int i = 0; i < 3; ++i) own.insert(c.compose(bob, storage::style::gentle, hostile(), "g1").text);
    CHECK(own.size() == 3);
}

TEST_CASE("Style picks the direct wording and slots are filled from the message or the defaults",
          "[nudge][composer]")
{
    auto c = make_composer();
    auto d = targeted_alice();
    d.recipient = core::user_id{"bob"};
    d.situation = situation::own_heated;
    auto a = hostile();
    auto s1 = c.compose(d, storage::style::direct, a, "g1").text;
    CHECK(s1.find("Pause before you answer again.") != std::string::npos);
    auto s2 = c.compose(d, storage::style::direct, a, "g1").text;
    CHECK(s2.find("I'm frustrated; can we fix the build together?") != std::string::npos);
    a.feeling = "worried";
    c.compose(d, storage::style::direct, a, "g1");
    auto s4 = c.compose(d, storage::style::direct, a, "g1").text;
    CHECK(s4.find("I'm worried;") != std::string::npos);
}

TEST_CASE("Templates whose slots cannot be filled are skipped", "[nudge][composer]")
{
    CHECK_FALSE(fill_slots("About {topic}.", {}, ""));
    CHECK(*fill_slots("I'm {feeling}.", {{"feeling", "tired"}}, "") == "I'm tired.");
    CHECK(*fill_slots("I'm {feeling}.", {{"feeling", "tired"}}, "sad") == "I'm sad.");
    auto c = make_composer();
    for (int i = 0; i < 6; ++i)
        for (const auto& s : c.suggestions(situation::check_calmer, storage::style::gentle, core::user_id{"u"}, "", 2))
            CHECK(s.find("{") == std::string::npos);
}

TEST_CASE("The crisis card is the fixed text with Dismiss and Don't show me these", "[nudge][composer][crisis]")
{
    auto c = make_composer();
    decision d;
    d.recipient = core::user_id{"carol"};
    d.situation = situation::own_crisis;
    d.category = engine::category::crisis;
    auto msg = c.compose(d, storage::style::direct, flagged(engine::category::crisis, "crisis.x", "x"), "g1");
    CHECK(msg.text == c.library().crisis_text);
    CHECK(msg.text.find("988") != std::string::npos);
    REQUIRE(msg.buttons.size() == 2);
    CHECK(parse_button_id(msg.buttons[0].custom_id)->action == button_action::crisis_dismiss);
    CHECK(parse_button_id(msg.buttons[1].custom_id)->action == button_action::crisis_never);
}

TEST_CASE("Button ids from elsewhere are rejected and long rule ids still fit", "[nudge][composer][untrusted]")
{
    CHECK_FALSE(parse_button_id("something-else"));
    CHECK_FALSE(parse_button_id("nb1|z|targeted|conflict|g|r"));
    CHECK_FALSE(parse_button_id("nb1|h|nope|conflict|g|r"));
    CHECK_FALSE(parse_button_id("nb1|h|targeted|conflict|g"));
    CHECK_FALSE(parse_button_id("nb1|h|targeted|conflict|g|r|extra"));
    CHECK_FALSE(parse_button_id("nb1|h|targeted|conflict|g<script>|r"));
    auto id = button_id(button_action::helpful, situation::escalation, engine::category::conflict,
                        "123456789012345678", std::string(200, 'r'));
    CHECK(id.size() <= 100);
    CHECK(parse_button_id(id));
}

TEST_CASE("Mistakes in a suggestion library are reported with file, line and column", "[nudge][composer][load]")
{
    core::diagnostics diags;
    auto lib = parse_suggestions(R"({
  "families": { "pause": { "label": "p", "gentle": ["ok"], "direct": [] } },
  "situations": { "own_heated": ["pause", "missing"], "made_up": [] },
  "crisis_card": { "text": "t", "buttons": ["only one"] }
})",
                                 "s.json", diags);
    CHECK_FALSE(lib);
    auto text = diags.to_string();
    INFO(text);
    CHECK(text.find("s.json:3:43: error: unknown family \"missing\"") != std::string::npos);
    CHECK(text.find("unknown situation \"made_up\"") != std::string::npos);
    CHECK(text.find("exactly two buttons") != std::string::npos);
}

TEST_CASE("The shipped English suggestion library loads and every push situation can be composed",
          "[nudge][composer][rules]")
{
    core::diagnostics diags;
    auto loaded = load_composer(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    INFO(diags.to_string());
    REQUIRE(loaded);
    auto& c = *loaded;
    // The card names the country's national lines when known, else points to findahelpline.com.
    CHECK(c.crisis_text({"US", ""}).find("988") != std::string::npos);
    CHECK(c.crisis_text({"DE", ""}).find("0800 111 0 111") != std::string::npos);
    CHECK(c.crisis_text({}).find("findahelpline.com") != std::string::npos);
    CHECK(c.crisis_text({"ZZ", ""}) == c.crisis_text({}));
    for (const auto& [code, line] : c.crisis_resources().countries) {
        INFO(code);
        auto card = c.crisis_card("g1", {code, "Our assistance line: 0800 000"});
        CHECK(card.text.find(line.line) != std::string::npos);
        CHECK(card.text.find("Our assistance line: 0800 000") != std::string::npos);
        // The fixed safe-messaging parts are there for every country.
        CHECK(card.text.find("You deserve support from a person.") != std::string::npos);
        CHECK(card.text.find("emergency services") != std::string::npos);
        CHECK(card.text.find('{') == std::string::npos);
        CHECK(card.buttons.size() == 2);
    }
    CHECK(c.crisis_resources().countries.size() >= 20);
    for (auto s : {situation::own_heated, situation::targeted, situation::escalation, situation::own_distress,
                   situation::dismissive_reply, situation::kind_reply}) {
        for (auto style : {storage::style::gentle, storage::style::direct}) {
            decision d;
            d.recipient = core::user_id{"u"};
            d.situation = s;
            d.deliver = true;
            auto msg = c.compose(d, style, hostile(), "g1");
            INFO(to_string(s));
            CHECK(msg.text.find('{') == std::string::npos);
            CHECK(msg.text.size() <= 2000);
            CHECK(msg.buttons.size() == 3);
        }
    }
    for (auto s : {situation::pull_reply, situation::check_calmer})
        CHECK_FALSE(c.suggestions(s, storage::style::gentle, core::user_id{"u"}, "", 3).empty());
}

TEST_CASE("A harsh self-judgement is never echoed back as the person's feeling", "[nudge][composer][feeling]")
{
    // "I felt worthless" / "It sounds like you're feeling a failure" would hand a self-judgement
    // back as a feeling; the family's default fills the slot instead.
    for (std::string_view judgement : {"worthless", "useless", "a failure", "pathetic", "a burden", "stupid",
                                       "mad at myself", "losing my mind", "shitty"}) {
        INFO(judgement);
        CHECK_FALSE(reads_as_feeling(judgement));
        CHECK(*fill_slots("I felt {feeling}.", {{"feeling", "frustrated"}}, judgement) == "I felt frustrated.");
    }
    for (std::string_view feeling : {"tired", "overwhelmed", "worried", "frustrated", "burnt out", "on edge"}) {
        INFO(feeling);
        CHECK(reads_as_feeling(feeling));
        CHECK(*fill_slots("I felt {feeling}.", {{"feeling", "frustrated"}}, feeling) == "I felt " + std::string(feeling) + ".");
    }
    // Through the shipped library, as a person would read it: every line of every situation.
    auto c = nudgebot::testing::shipped();
    std::size_t lines = 0;
    for (auto s : {situation::own_distress, situation::pull_reply, situation::dismissive_reply, situation::own_heated,
                   situation::check_calmer})
        for (auto style : {storage::style::gentle, storage::style::direct})
            for (int i = 0; i < 12; ++i)
                for (const auto& line : c->suggestions(s, style, core::user_id{"u"}, "worthless", 3)) {
                    INFO(line);
                    ++lines;
                    CHECK(line.find("worthless") == std::string::npos);
                }
    CHECK(lines > 100);
}
