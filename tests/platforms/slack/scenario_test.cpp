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
