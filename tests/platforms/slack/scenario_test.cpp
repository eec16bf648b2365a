#include "platforms/slack/adapter.hpp"

#include "platforms/slack/harness.hpp"
#include "support/scenario_world.hpp"

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;

TEST_CASE("On Slack, alice opts in, bob's hostile reply gets her a private boundary suggestion and carol's "
          "distress reaches only carol",
          "[slack][scenario]")
{
    slack_harness h;
    world w(h, core::platform::slack);
    REQUIRE(h.start_and_wait_ready());

    for (std::string who : {"UALICE", "UCAROL"})
        h.fake.send(fake_slack::slash_envelope("on-" + who, "/nudge", "on", who, h.fake.response_url("on-" + who)));
    REQUIRE(h.run_until([&] { return h.fake.calls("response_url").size() == 2; }));
    for (auto& c : h.fake.calls("response_url")) CHECK(c.body["response_type"] == "ephemeral");

    h.fake.send(fake_slack::message_envelope("m1", "Ev1", "UALICE", "could someone review the release checklist?",
                                             "1700000100.000100", "C1"));
    auto reply = fake_slack::message_envelope("m2", "Ev2", "UBOB", "you ALWAYS wreck the release, do you even read it??",
                                              "1700000130.000100", "C1", "1700000100.000100");
    reply["payload"]["event"]["parent_user_id"] = "UALICE";
    h.fake.send(reply);
    REQUIRE(h.run_until([&] { return !h.fake.calls("chat.postEphemeral").empty(); }));
    h.fake.send(fake_slack::message_envelope("m3", "Ev3", "UCAROL",
                                             "I'm so exhausted, I can't keep up with any of it anymore and I feel like I'm failing",
                                             "1700000200.000100", "C2"));
    REQUIRE(h.run_until([&] { return h.fake.calls("chat.postEphemeral").size() >= 2; }));
    h.run_for(200ms);

    auto eph = h.fake.calls("chat.postEphemeral");
    REQUIRE(eph.size() == 2);
    CHECK(eph[0].body["user"] == "UALICE");
    CHECK(eph[0].body["channel"] == "C1");
    CHECK(eph[0].body["text"].get<std::string>().find("aimed at you") != std::string::npos);
    CHECK(eph[1].body["user"] == "UCAROL");
    CHECK(eph[1].body["channel"] == "C2");
    CHECK(eph[0].body.contains("blocks"));
    CHECK(h.fake.calls("chat.postMessage").empty());   // nobody else, nothing public
}

namespace {

// Our own words (not from any data set); the test checks first that they flag crisis.
constexpr const char* crisis_words = "I can't do this anymore. Everyone would be better off without me.";

// Opts `who` in and posts crisis language; the crisis card as posted (chat.postEphemeral's text).
std::string crisis_card_for(slack_harness& h, const std::string& who, const std::string& ts)
{
    const auto cards = h.fake.calls("chat.postEphemeral").size();
    const auto answers = h.fake.calls("response_url").size();
    h.fake.send(fake_slack::slash_envelope("on-" + who, "/nudge", "on", who, h.fake.response_url("on-" + who)));
    REQUIRE(h.run_until([&] { return h.fake.calls("response_url").size() == answers + 1; }));
    h.fake.send(fake_slack::message_envelope("m-" + who, "Ev-" + who, who, crisis_words, ts, "C2"));
    REQUIRE(h.run_until([&] { return h.fake.calls("chat.postEphemeral").size() == cards + 1; }));
    auto card = h.fake.calls("chat.postEphemeral").back();
    CHECK(card.body["user"] == who);
    return card.body["text"].get<std::string>();
}

}  // namespace

TEST_CASE("On Slack, the crisis card names the lines of the workspace's country, from its locale, until moderators "
          "choose another",
          "[slack][scenario][crisis]")
{
    core::diagnostics diags;
    auto rules = engine::load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    REQUIRE(rules);
    REQUIRE(rules->analyze(crisis_words, engine::sensitivity::medium).flagged(engine::category::crisis));

    slack_harness h;
    world w(h, core::platform::slack, shipped_library);
    // The primary owner's locale names the workspace's country; most members use another.
    h.fake.set_members({{{"id", "UOWNER"}, {"locale", "de-DE"}, {"is_primary_owner", true}},
                        {{"id", "UCAROL"}, {"locale", "en-US"}},
                        {{"id", "UDAN"}, {"locale", "en-US"}}});
    h.fake.make_admin("UERIN");
    REQUIRE(h.start_and_wait_ready());
    REQUIRE(h.run_until([&] { return !h.all<core::server_available>().empty(); }));

    auto german = crisis_card_for(h, "UCAROL", "1700000300.000100");
    CHECK(german.find("In Germany, you can call TelefonSeelsorge") != std::string::npos);
    CHECK(german.find("988") == std::string::npos);

    // A moderator's choice wins over the locale.
    h.fake.send(fake_slack::slash_envelope("mod", "/nudge-admin", "crisis-resources set country:GB", "UERIN",
                                           h.fake.response_url("mod")));
    REQUIRE(h.run_until([&] { return h.fake.calls("response_url").size() == 2; }));
    auto british = crisis_card_for(h, "UDAN", "1700000400.000100");
    CHECK(british.find("In the United Kingdom, you can call Samaritans free on 116 123") != std::string::npos);
    CHECK(british.find("TelefonSeelsorge") == std::string::npos);
}

TEST_CASE("On Slack, a workspace whose locale is unknown gets the neutral crisis card", "[slack][scenario][crisis]")
{
    slack_harness h;
    world w(h, core::platform::slack, shipped_library);
    h.fake.set_members({{{"id", "UOWNER"}, {"locale", "de-DE"}, {"is_primary_owner", true}}});
    h.fake.on_web([](const fake_slack_call& c) -> std::optional<fake_slack_answer> {
        if (c.method == "users.list") return fake_slack_answer{200, R"({"ok":false,"error":"missing_scope"})", {}};
        return std::nullopt;
    });
    REQUIRE(h.start_and_wait_ready());
    REQUIRE(h.run_until([&] { return !h.fake.calls("users.list").empty(); }));
    auto card = crisis_card_for(h, "UCAROL", "1700000500.000100");
    CHECK(card.find("findahelpline.com lists free, confidential helplines in your country") != std::string::npos);
    CHECK(card.find("TelefonSeelsorge") == std::string::npos);
}
