#include "routing/event_router.hpp"

#include "routing/harness.hpp"
#include "engine/analyzer.hpp"

using namespace nudgebot;
using namespace nudgebot::testing;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const engine::analyzer> english()
{
    core::diagnostics diags;
    auto a = engine::load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    INFO(diags.to_string());
    REQUIRE(a);
    return a;
}

}  // namespace

TEST_CASE("With the real English rules, the people of the issue get what it describes", "[commands][scenario][engine]")
{
    const std::string hostile = "you ALWAYS break the build, are you even trying??";
    const std::string struggling = "I'm so exhausted, I can't keep up with any of this anymore and I feel like I'm failing";
    const std::string cheer_up = "just cheer up, others have it worse";
    const std::string crisis = "I don't want to be here anymore, I want to end it all";
    const std::string idiom = "kill the process and restart it";

    harness h(commands::analyze_with(english()));
    for (auto who : {"alice", "carol", "dave", "erin"}) h.command(who, "nudge", {"on"});

    auto a1 = h.say("alice", "can someone look at the failing pipeline?");
    h.clock.advance(30s);
    h.say("bob", hostile, &a1);
    REQUIRE(h.delivery.dms_to("alice").size() == 1);
    CHECK(h.delivery.dms_to("alice")[0]->message.text.find("aimed at you") != std::string::npos);
    CHECK(h.delivery.dms_to("bob").empty());

    h.say("erin", idiom, nullptr, "c7");
    CHECK(h.delivery.dms_to("erin").empty());   // jargon never fires

    auto c1 = h.say("carol", struggling, nullptr, "c2");
    REQUIRE(h.delivery.dms_to("carol").size() == 1);
    CHECK(h.delivery.dms.size() == 2);
    h.clock.advance(1min);
    h.say("dave", cheer_up, &c1);
    REQUIRE(h.delivery.dms_to("dave").size() == 1);
    CHECK(h.delivery.dms_to("dave")[0]->message.text.find("in your reply") != std::string::npos);

    h.clock.advance(1min);
    h.say("carol", crisis, nullptr, "c3");
    REQUIRE(h.delivery.dms_to("carol").size() == 2);
    CHECK(h.delivery.dms_to("carol")[1]->message.text.find("988") != std::string::npos);
    CHECK(h.delivery.dms.size() == 4);   // nobody else was told anything

    auto hostile_msg = h.say("bob", hostile, nullptr, "c9");
    auto pulled = h.command("alice", "suggest-reply", {}, {}, false, hostile_msg);
    CHECK(h.answer_text(pulled).find("keep it about the work") != std::string::npos);
    CHECK(h.answer_text(pulled).find(hostile) == std::string::npos);

    auto check = h.command("bob", "nudge", {"check"}, {{"text", hostile}});
    CHECK(h.answer_text(check).find("may read as heated") != std::string::npos);

    h.close();
    auto bytes = h.db_bytes();
    for (const auto& t : {hostile, struggling, cheer_up, crisis, idiom})
        CHECK(bytes.find(t) == std::string::npos);
}

TEST_CASE("A jab with no 'you' in it counts when it answers someone, not when it is said to the room",
          "[commands][scenario][engine]")
{
    const std::string jab = "riveting. another brilliant idea";
    harness h(commands::analyze_with(english()));
    for (auto who : {"alice", "bob"}) h.command(who, "nudge", {"on"});

    h.say("bob", jab, nullptr, "c2");   // said to the room: no one is answered
    CHECK(h.delivery.dms.empty());
    auto own = h.say("bob", "I'll draft the plan tonight", nullptr, "c3");
    h.clock.advance(1min);
    h.say("bob", jab, &own, "c3");      // an answer to his own message is no answer to someone
    CHECK(h.delivery.dms.empty());

    auto a1 = h.say("alice", "what if we moved standup to the afternoon?", nullptr, "c4");
    h.clock.advance(1min);
    h.say("bob", jab, &a1);             // an answer to alice
    CHECK_FALSE(h.delivery.dms.empty());
    CHECK((!h.delivery.dms_to("alice").empty() || !h.delivery.dms_to("bob").empty()));
}

TEST_CASE("Show what people read (run by hand with [.show])", "[.show]")
{
    harness h(commands::analyze_with(english()));
    h.command("alice", "nudge", {"on"});
    h.command("bob", "nudge", {"on"}, {{"style", "direct"}});
    auto a1 = h.say("alice", "can someone look at the failing pipeline?");
    h.say("bob", "you ALWAYS break the build, are you even trying??", &a1);
    for (const auto& d : h.delivery.dms) std::printf("--- to %s\n%s\n", d.to.str().c_str(), d.message.text.c_str());
    auto e = h.command("mod", "nudge-admin", {"explain"}, {{"text", "you ALWAYS break the build, are you even trying??"}}, true);
    std::printf("--- explain\n%s\n", h.answer_text(e).c_str());
    auto p = h.command("carol", "suggest-reply", {}, {}, false, a1);
    std::printf("--- pull\n%s\n", h.answer_text(p).c_str());
}
