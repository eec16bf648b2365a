#include "routing/event_router.hpp"

#include "routing/harness.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

using namespace nudgebot;
using namespace nudgebot::testing;
using namespace std::chrono_literals;

namespace {

const std::string hostile_text = "you ALWAYS break the build, are you even trying??";
const std::string distress_text = "(a message where carol says she is exhausted and cannot keep up)";
const std::string dismissive_text = "just cheer up, others have it worse";
const std::string crisis_text = "(a message using crisis language)";
const std::string kind_text = "(a warm, listening reply)";

void teach(harness& h)
{
    h.analyses[hostile_text] = hostile();
    h.analyses[distress_text] =
        flagged(engine::category::distress, "distress.exhausted", "saying you're exhausted");
    h.analyses[dismissive_text] =
        flagged(engine::category::dismissal, "dismissal.cheer_up", "'just cheer up' + a comparison");
    auto crisis = flagged(engine::category::crisis, "crisis.no_way_out", "words about not wanting to go on");
    crisis.flags[static_cast<std::size_t>(engine::category::distress)] = true;
    h.analyses[crisis_text] = crisis;
    h.analyses[kind_text] = flagged(engine::category::kindness, "kindness.listening", "a listening reply");
}

bool has(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("alice, bob, carol and dave meet nudgebot as the issue describes", "[commands][scenario]")
{
    std::ostringstream logs;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs);
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
    spdlog::set_level(spdlog::level::trace);

    harness h;
    teach(h);

    // alice opts in.
    auto on = h.command("alice", "nudge", {"on"});
    CHECK(has(h.answer_text(on), "You're in"));
    REQUIRE(h.bot->consent_of(core::platform::discord, core::user_id{"alice"}));

    // bob replies to alice with a hostile message: alice gets a boundary suggestion, bob nothing.
    auto a1 = h.say("alice", "(alice asks about the build)");
    h.clock.advance(30s);
    h.say("bob", hostile_text, &a1);
    auto alice_dms = h.delivery.dms_to("alice");
    REQUIRE(alice_dms.size() == 1);
    const auto& nudge = alice_dms[0]->message;
    CHECK(has(nudge.text, "nudgebot"));
    CHECK((has(nudge.text, "keep it about the work") || has(nudge.text, "after lunch")));
    CHECK(has(nudge.text, "aimed at you"));
    CHECK_FALSE(has(nudge.text, hostile_text));
    REQUIRE(nudge.buttons.size() == 3);
    CHECK(h.delivery.dms_to("bob").empty());

    // bob opts in and sends the same: bob gets a calmer draft of his own words.
    h.command("bob", "nudge", {"on"});
    h.clock.advance(1min);
    h.say("bob", hostile_text, &a1);
    auto bob_dms = h.delivery.dms_to("bob");
    REQUIRE(bob_dms.size() == 1);
    CHECK(has(bob_dms[0]->message.text, "A calmer draft of your message (without the 'you always'"));
    CHECK(has(bob_dms[0]->message.text, "\n> the build got broken again."));
    CHECK(has(bob_dms[0]->message.text, "in your message"));
    CHECK(h.delivery.dms_to("alice").size() == 1);   // alice still inside her cooldown

    // A second hostile message inside the cooldown: no second nudge.
    h.clock.advance(2min);
    h.say("bob", hostile_text, &a1);
    CHECK(h.delivery.dms_to("bob").size() == 1);
    CHECK(h.delivery.dms_to("alice").size() == 1);

    // carol posts distress: carol (opted in) gets a self-compassion nudge, nobody else is told.
    h.command("carol", "nudge", {"on"});
    h.command("dave", "nudge", {"on"});
    auto before = h.delivery.dms.size();
    auto c1 = h.say("carol", distress_text, nullptr, "c2");
    REQUIRE(h.delivery.dms.size() == before + 1);
    CHECK(h.delivery.dms.back().to.str() == "carol");
    CHECK(has(h.delivery.dms.back().message.text, "heavy day"));

    // dave replies "just cheer up": dave gets an active-listening tip, which says nothing about carol.
    h.clock.advance(1min);
    h.say("dave", dismissive_text, &c1);
    auto dave_dms = h.delivery.dms_to("dave");
    REQUIRE(dave_dms.size() == 1);
    CHECK((has(dave_dms[0]->message.text, "reflect back") || has(dave_dms[0]->message.text, "someone to listen")));
    CHECK_FALSE(has(dave_dms[0]->message.text, "carol"));
    CHECK(h.delivery.dms_to("carol").size() == 1);

    // A crisis message: the crisis card for its author only, once per day.
    h.clock.advance(1min);
    before = h.delivery.dms.size();
    h.say("carol", crisis_text, nullptr, "c3");
    REQUIRE(h.delivery.dms.size() == before + 1);
    CHECK(h.delivery.dms.back().to.str() == "carol");
    CHECK(has(h.delivery.dms.back().message.text, "988"));
    h.clock.advance(2h);
    h.say("carol", crisis_text, nullptr, "c3");
    CHECK(h.delivery.dms.size() == before + 1);

    // A non-moderator calling /nudge-admin is refused, politely and privately.
    auto refused = h.command("bob", "nudge-admin", {"sensitivity"}, {{"level", "high"}});
    CHECK(has(h.answer_text(refused), "Sorry"));
    CHECK(h.bot->settings_of(core::platform::discord, core::server_id{"g1"}).sensitivity == "medium");

    // The message command returns suggestions at once (no defer needed with a healthy store).
    auto pulled = h.command("dave", "suggest-reply", {}, {}, false, c1);
    CHECK(has(h.answer_text(pulled), "Some ways you could reply"));
    CHECK(h.delivery.deferred.empty());

    // forget-me: nothing left in the database about alice.
    auto forget = h.command("alice", "nudge", {"forget-me"});
    CHECK(has(h.answer_text(forget), "erased"));
    CHECK_FALSE(h.bot->consent_of(core::platform::discord, core::user_id{"alice"}));
    h.close();
    auto bytes = h.db_bytes();
    CHECK_FALSE(has(bytes, "alice"));

    // No message text anywhere: not in the database, not in the logs.
    for (const auto& t : {hostile_text, distress_text, dismissive_text, crisis_text, std::string("alice asks")}) {
        CHECK_FALSE(has(bytes, t));
        CHECK_FALSE(has(logs.str(), t));
    }
    CHECK(has(bytes, "bob"));   // the scan does see what is really there
    spdlog::set_default_logger(previous);
}

TEST_CASE("Stop these takes effect at once and survives a restart", "[commands][feedback]")
{
    harness h;
    teach(h);
    h.command("bob", "nudge", {"on"});
    h.say("bob", hostile_text);
    auto dms = h.delivery.dms_to("bob");
    REQUIRE(dms.size() == 1);
    auto stop = dms[0]->message.buttons[2].custom_id;
    auto answer = h.press("bob", stop);
    CHECK(has(h.answer_text(answer), "won't get suggestions like this"));
    CHECK(h.bot->consent_of(core::platform::discord, core::user_id{"bob"})->muted.count("own_heated"));
    h.clock.advance(24h);
    h.say("bob", hostile_text);
    CHECK(h.delivery.dms_to("bob").size() == 1);
    h.close();
    h.open();
    CHECK(h.bot->consent_of(core::platform::discord, core::user_id{"bob"})->muted.count("own_heated"));
    h.clock.advance(24h);
    h.say("bob", hostile_text);
    CHECK(h.delivery.dms_to("bob").size() == 1);
    // Other kinds still come.
    h.analyses["(tired)"] = flagged(engine::category::distress, "distress.x", "tired");
    h.say("bob", "(tired)");
    CHECK(h.delivery.dms_to("bob").size() == 2);
}

TEST_CASE("Helpful and Not now presses are counted and show up in stats", "[commands][feedback][stats]")
{
    harness h;
    teach(h);
    h.command("bob", "nudge", {"on"});
    h.say("bob", hostile_text);
    auto buttons = h.delivery.dms_to("bob")[0]->message.buttons;
    h.press("bob", buttons[0].custom_id);
    h.press("bob", buttons[1].custom_id);
    h.say("zed", hostile_text, nullptr, "c9");   // not opted in: suppressed
    h.pump();
    auto stats = h.command("mod", "nudge-admin", {"stats"}, {{"days", "7"}}, true);
    auto t = h.answer_text(stats);
    INFO(t);
    CHECK(has(t, "conflict: delivered 1; helpful 1; not_now 1; suppressed 1; helpful rate 100%"));
    // Not now: nothing for an hour even after the cooldown.
    h.clock.advance(20min);
    h.say("bob", hostile_text);
    CHECK(h.delivery.dms_to("bob").size() == 1);
}

TEST_CASE("A person with closed DMs is told once, at their next command", "[commands][delivery]")
{
    harness h;
    teach(h);
    h.delivery.closed_dms.insert("bob");
    h.command("bob", "nudge", {"on"});
    h.say("bob", hostile_text);
    auto first = h.command("bob", "nudge", {"status"});
    CHECK(has(h.answer_text(first), "direct messages are closed"));
    auto second = h.command("bob", "nudge", {"status"});
    CHECK_FALSE(has(h.answer_text(second), "direct messages are closed"));
}

TEST_CASE("/nudge off stops suggestions at once and status says so", "[commands][user]")
{
    harness h;
    teach(h);
    h.command("bob", "nudge", {"on"}, {{"style", "direct"}});
    auto status = h.command("bob", "nudge", {"status"});
    CHECK(has(h.answer_text(status), "Suggestions: on. Style: direct."));
    h.command("bob", "nudge", {"off"});
    h.say("bob", hostile_text);
    CHECK(h.delivery.dms_to("bob").empty());
    CHECK(has(h.answer_text(h.command("bob", "nudge", {"status"})), "Suggestions: off"));
    CHECK(has(h.answer_text(h.command("bob", "nudge", {"help"})), "automated helper"));
}

TEST_CASE("An opt-in that could not be saved is not acknowledged and not in effect", "[commands][storage]")
{
    harness h;
    teach(h);
    h.raw_store->fail_writes = true;
    auto on = h.command("bob", "nudge", {"on"});
    CHECK(has(h.answer_text(on), "couldn't save"));
    CHECK_FALSE(h.bot->consent_of(core::platform::discord, core::user_id{"bob"}));
    h.say("bob", hostile_text);
    CHECK(h.delivery.dms_to("bob").empty());
}

TEST_CASE("Commands defer first when storage is slow", "[commands][storage]")
{
    harness h;
    h.raw_store->delay_ms = 300;
    h.command("bob", "nudge", {"status"});   // slow job: the next one defers
    h.raw_store->delay_ms = 0;
    auto handle = h.command("bob", "nudge", {"status"});
    REQUIRE(h.delivery.deferred.size() == 1);
    CHECK(h.delivery.deferred[0] == handle);
    CHECK(h.delivery.answer_to(handle));
}

TEST_CASE("/nudge check answers privately with a calmer phrasing and never echoes the draft", "[commands][check]")
{
    harness h;
    teach(h);
    auto heated = h.command("bob", "nudge", {"check"}, {{"text", hostile_text}});
    auto t = h.answer_text(heated);
    CHECK(has(t, "may read as heated"));
    CHECK(has(t, "calmer"));
    CHECK_FALSE(has(t, hostile_text));
    auto fine = h.command("bob", "nudge", {"check"}, {{"text", "(a friendly draft)"}});
    CHECK(has(h.answer_text(fine), "don't see heated or distress cues"));
    auto crisis = h.command("bob", "nudge", {"check"}, {{"text", crisis_text}});
    CHECK(has(h.answer_text(crisis), "988"));
    CHECK(h.delivery.dms.empty());   // pull answers are never DMs
}

TEST_CASE("Moderators configure channels, sensitivity, packs, crisis scope and alerts", "[commands][admin]")
{
    harness h;
    teach(h);
    const core::server_id g1{"g1"};
    auto settings = [&] { return h.bot->settings_of(core::platform::discord, g1); };
    h.command("mod", "nudge-admin", {"sensitivity"}, {{"level", "high"}}, true);
    CHECK(settings().sensitivity == "high");
    CHECK(has(h.answer_text(h.command("mod", "nudge-admin", {"sensitivity"}, {{"level", "extreme"}}, true)),
              "low, medium or high"));
    h.command("mod", "nudge-admin", {"channels", "disable"}, {{"channel", "c5"}}, true);
    CHECK_FALSE(settings().watches(core::channel_id{"c5"}));
    CHECK(has(h.answer_text(h.command("mod", "nudge-admin", {"channels", "list"}, {}, true)), "Not watched: <#c5>"));
    h.command("mod", "nudge-admin", {"packs", "disable"}, {{"pack", "conflict"}}, true);
    CHECK(settings().disabled_packs.count("conflict"));
    CHECK(has(h.answer_text(h.command("mod", "nudge-admin", {"packs", "disable"}, {{"pack", "nope"}}, true)),
              "no rule pack"));
    CHECK(has(h.answer_text(h.command("mod", "nudge-admin", {"packs", "list"}, {}, true)), "conflict: off"));
    h.command("mod", "nudge-admin", {"crisis-card"}, {{"scope", "everyone"}}, true);
    CHECK(settings().crisis == storage::crisis_scope::everyone);
    h.command("mod", "nudge-admin", {"alerts", "on"}, {{"channel", "mods"}}, true);
    CHECK(settings().alerts_channel == core::channel_id{"mods"});

    // Settings survive a restart.
    h.close();
    h.open();
    CHECK(settings().sensitivity == "high");
    CHECK(settings().disabled_packs.count("conflict"));
    CHECK(settings().alerts_channel == core::channel_id{"mods"});

    // Crisis scope "everyone": an author who never opted in gets the card, privately.
    h.say("zed", crisis_text);
    REQUIRE(h.delivery.dms_to("zed").size() == 1);
    CHECK(has(h.delivery.dms_to("zed")[0]->message.text, "988"));
    // Unwatched channel: nothing at all.
    h.say("yan", crisis_text, nullptr, "c5");
    CHECK(h.delivery.dms_to("yan").empty());
}

TEST_CASE("An escalation alert carries a link and cue names, never text or names", "[commands][admin][alerts]")
{
    harness h;
    teach(h);
    h.command("mod", "nudge-admin", {"alerts", "on"}, {{"channel", "mods"}}, true);
    auto m1 = h.say("alice", hostile_text);
    auto m2 = h.say("bob", hostile_text, &m1);
    h.say("alice", hostile_text, &m2);
    REQUIRE(h.delivery.posts.size() == 1);
    const auto& post = h.delivery.posts[0];
    CHECK(post.channel == core::channel_id{"mods"});
    CHECK(has(post.message.text, "https://chat.example/g1/c1/"));
    CHECK(has(post.message.text, "'you always'"));
    CHECK_FALSE(has(post.message.text, hostile_text));
    CHECK_FALSE(has(post.message.text, "alice"));
    CHECK_FALSE(has(post.message.text, "bob"));
    h.say("bob", hostile_text, &m2);
    CHECK(h.delivery.posts.size() == 1);   // one alert per channel per 30 minutes
}

TEST_CASE("explain lists the cues that fire, for moderators only", "[commands][admin]")
{
    harness h;
    teach(h);
    auto t = h.answer_text(h.command("mod", "nudge-admin", {"explain"}, {{"text", hostile_text}}, true));
    CHECK(has(t, "conflict.you_always"));
    CHECK(has(t, "flagged"));
    CHECK_FALSE(has(t, hostile_text));
    CHECK(has(h.answer_text(h.command("bob", "nudge-admin", {"explain"}, {{"text", hostile_text}})), "Sorry"));
}

TEST_CASE("Unknown commands and forged buttons get a polite answer and change nothing", "[commands][untrusted]")
{
    harness h;
    CHECK(has(h.answer_text(h.command("bob", "nudge", {"explode"})), "don't know that command"));
    CHECK(has(h.answer_text(h.command("bob", "nudge-admin", {"channels"}, {}, true)), "don't know that command"));
    CHECK(has(h.answer_text(h.press("bob", "nb1|s|targeted|conflict|g1|r|x")), "no longer active"));
    CHECK(has(h.answer_text(h.press("bob", std::string(5000, 'x'))), "no longer active"));
    CHECK_FALSE(h.bot->consent_of(core::platform::discord, core::user_id{"bob"}));
}

TEST_CASE("An edit that turns a message heated is acted on once; a deleted message leaves the context",
          "[commands][context]")
{
    harness h;
    teach(h);
    h.command("bob", "nudge", {"on"});
    auto m = h.say("bob", "(a calm message)");
    CHECK(h.delivery.dms_to("bob").empty());
    m.text = hostile_text;
    h.bot->handle(core::message_edited{m});
    h.pump();
    CHECK(h.delivery.dms_to("bob").size() == 1);
    h.clock.advance(11min);   // past the cooldown, inside the context window
    h.bot->handle(core::message_edited{m});   // the same edit again: nothing new
    h.pump();
    CHECK(h.delivery.dms_to("bob").size() == 1);
    CHECK(h.bot->context().turn_count(m.channel) == 1);
    h.bot->handle(core::message_deleted{m.where, m.server, m.channel, m.id});
    CHECK(h.bot->context().turn_count(m.channel) == 0);
}
