#include "nudge/policy.hpp"

#include "nudge/analyses.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace nudgebot;
using namespace nudgebot::nudge;
using namespace nudgebot::testing;
using namespace std::chrono_literals;

namespace {

struct world {
    std::map<std::string, storage::consent> consents;
    storage::server_settings settings;
    policy p;
    conversation_context ctx;
    std::chrono::steady_clock::time_point now{};
    std::int32_t day = 20454;

    void opt_in(const std::string& who, storage::style s = storage::style::gentle)
    {
        consents[who] = storage::consent{true, s, true, {}};
    }
    consent_lookup lookup()
    {
        return [this](const core::user_id& u) -> const storage::consent* {
            auto it = consents.find(u.str());
            return it == consents.end() ? nullptr : &it->second;
        };
    }
    std::vector<decision> send(const core::chat_message& m, const engine::analysis& a)
    {
        auto o = ctx.observe(m, a, now);
        return p.decide({m, a, o, settings}, lookup(), now, day);
    }
    static const decision* to(const std::vector<decision>& ds, const std::string& who)
    {
        for (const auto& d : ds)
            if (d.recipient.str() == who) return &d;
        return nullptr;
    }
};

}  // namespace

TEST_CASE("A user who has not opted in never receives a nudge", "[nudge][policy][privacy]")
{
    world w;
    auto ds = w.send(message("1", "bob"), hostile());
    REQUIRE(ds.size() == 1);
    CHECK_FALSE(ds[0].deliver);
    CHECK(ds[0].why == reason::no_consent);
}

TEST_CASE("A hostile reply nudges the opted-in target with a boundary and not the author who did not opt in",
          "[nudge][policy]")
{
    world w;
    w.opt_in("alice");
    auto a = message("1", "alice");
    w.send(a, quiet());
    w.now += 30s;
    auto ds = w.send(reply("2", "bob", a), hostile());
    const auto* alice = world::to(ds, "alice");
    REQUIRE(alice);
    CHECK(alice->deliver);
    CHECK(alice->situation == situation::targeted);
    CHECK_FALSE(alice->recipient_is_author);
    CHECK(alice->rule == "conflict.you_always");
    const auto* bob = world::to(ds, "bob");
    REQUIRE(bob);
    CHECK_FALSE(bob->deliver);
    CHECK(bob->why == reason::no_consent);
}

TEST_CASE("An opted-in author of a heated message gets a pause suggestion, once per cooldown",
          "[nudge][policy][cooldown]")
{
    world w;
    w.opt_in("bob");
    auto ds = w.send(message("1", "bob"), hostile());
    REQUIRE(world::to(ds, "bob"));
    CHECK(world::to(ds, "bob")->deliver);
    CHECK(world::to(ds, "bob")->situation == situation::own_heated);
    w.now += 2min;
    ds = w.send(message("2", "bob"), hostile());
    CHECK(world::to(ds, "bob")->why == reason::cooldown);
    w.now += 10min;
    ds = w.send(message("3", "bob"), hostile());
    CHECK(world::to(ds, "bob")->deliver);
}

TEST_CASE("The daily cap holds and resets on the next UTC day", "[nudge][policy][cap]")
{
    world w;
    w.opt_in("bob");
    for (int i = 0; i < 3; ++i) {
        CHECK(world::to(w.send(message(std::to_string(i), "bob", "c" + std::to_string(i)), hostile()), "bob")->deliver);
        w.now += 11min;
    }
    CHECK(world::to(w.send(message("x", "bob", "c9"), hostile()), "bob")->why == reason::daily_cap);
    w.day += 1;
    CHECK(world::to(w.send(message("y", "bob", "c8"), hostile()), "bob")->deliver);
}

TEST_CASE("A busy channel gets at most three nudges per window", "[nudge][policy][cooldown]")
{
    world w;
    for (auto who : {"u1", "u2", "u3", "u4"}) w.opt_in(who);
    int delivered = 0;
    std::string_view last;
    for (auto who : {"u1", "u2", "u3", "u4"}) {
        auto ds = w.send(message(std::string("m") + who, who), hostile());
        for (auto& d : ds)
            if (d.recipient.str() == who) {
                delivered += d.deliver;
                last = d.why;
            }
        w.now += 1s;
    }
    CHECK(delivered == 3);
    CHECK(last == reason::channel_rate);
}

TEST_CASE("Distress goes to the author only, and nobody else is told", "[nudge][policy][privacy]")
{
    world w;
    w.opt_in("carol");
    w.opt_in("dave");
    w.send(message("1", "dave"), quiet());
    w.now += 5s;
    auto ds = w.send(message("2", "carol"), flagged(engine::category::distress, "distress.exhausted", "exhaustion"));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].recipient.str() == "carol");
    CHECK(ds[0].situation == situation::own_distress);
    CHECK(ds[0].deliver);
}

TEST_CASE("A dismissive reply to someone in distress gets the replier an active-listening tip",
          "[nudge][policy]")
{
    world w;
    w.opt_in("dave");
    auto c = message("1", "carol");
    w.send(c, flagged(engine::category::distress, "distress.exhausted", "exhaustion"));
    w.now += 1min;
    auto ds = w.send(reply("2", "dave", c),
                     flagged(engine::category::dismissal, "dismissal.cheer_up", "'just cheer up'"));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].recipient.str() == "dave");
    CHECK(ds[0].situation == situation::dismissive_reply);
    CHECK(ds[0].deliver);
}

TEST_CASE("A kind reply to someone struggling is encouraged at most once a day", "[nudge][policy]")
{
    world w;
    w.opt_in("erin");
    auto c = message("1", "carol");
    w.send(c, flagged(engine::category::distress, "distress.x", "x"));
    auto kind = flagged(engine::category::kindness, "kindness.offer_help", "an offer to help");
    CHECK(world::to(w.send(reply("2", "erin", c), kind), "erin")->deliver);
    w.now += 1h;
    w.send(c, flagged(engine::category::distress, "distress.x", "x"));
    CHECK(world::to(w.send(reply("3", "erin", c), kind), "erin")->why == reason::daily_cap);
}

TEST_CASE("The crisis card goes to an opted-in author once per day and to nobody else",
          "[nudge][policy][crisis]")
{
    world w;
    w.opt_in("carol");
    w.opt_in("dave");
    w.send(message("0", "dave"), quiet());
    auto crisis = flagged(engine::category::crisis, "crisis.no_way_out", "talk of not wanting to go on");
    crisis.flags[static_cast<std::size_t>(engine::category::distress)] = true;
    auto ds = w.send(message("1", "carol"), crisis);
    REQUIRE(ds.size() == 1);   // no extra distress nudge, no one else
    CHECK(ds[0].situation == situation::own_crisis);
    CHECK(ds[0].deliver);
    w.now += 3h;
    ds = w.send(message("2", "carol"), crisis);
    CHECK(ds[0].why == reason::crisis_once_per_day);
    w.day += 1;
    CHECK(w.send(message("3", "carol"), crisis)[0].deliver);
}

TEST_CASE("The crisis card reaches authors who did not opt in only where a moderator chose everyone",
          "[nudge][policy][crisis]")
{
    world w;
    auto crisis = flagged(engine::category::crisis, "crisis.no_way_out", "talk of not wanting to go on");
    CHECK(w.send(message("1", "zed"), crisis)[0].why == reason::no_consent);
    w.settings.crisis = storage::crisis_scope::everyone;
    CHECK(w.send(message("2", "zed"), crisis)[0].deliver);
    // Someone who said "Don't show me these" is respected even then.
    w.consents["yan"] = storage::consent{false, storage::style::gentle, false, {}};
    CHECK(w.send(message("3", "yan"), crisis)[0].why == reason::crisis_declined);
}

TEST_CASE("The crisis card is not held back by cooldowns or the daily cap", "[nudge][policy][crisis]")
{
    world w;
    w.opt_in("carol");
    CHECK(w.send(message("1", "carol"), hostile())[0].deliver);
    w.now += 1min;
    auto crisis = flagged(engine::category::crisis, "crisis.no_way_out", "talk of not wanting to go on");
    CHECK(w.send(message("2", "carol"), crisis)[0].deliver);
}

TEST_CASE("Stop these mutes that situation only", "[nudge][policy][feedback]")
{
    world w;
    w.opt_in("bob");
    w.consents["bob"].muted.insert("own_heated");
    CHECK(w.send(message("1", "bob"), hostile())[0].why == reason::muted);
    CHECK(w.send(message("2", "bob"), flagged(engine::category::distress, "distress.x", "x"))[0].deliver);
}

TEST_CASE("Not now snoozes every push nudge for an hour", "[nudge][policy][feedback]")
{
    world w;
    w.opt_in("bob");
    w.p.snooze(core::user_id{"bob"}, w.now);
    CHECK(w.send(message("1", "bob"), hostile())[0].why == reason::snoozed);
    w.now += 61min;
    CHECK(w.send(message("2", "bob"), hostile())[0].deliver);
}

TEST_CASE("Unwatched channels and disabled packs suppress nudges with their reason", "[nudge][policy][settings]")
{
    world w;
    w.opt_in("bob");
    w.settings.channels["c1"] = false;
    CHECK(w.send(message("1", "bob"), hostile())[0].why == reason::channel_off);
    w.settings.channels.clear();
    w.settings.disabled_packs = {"conflict"};
    CHECK(w.send(message("2", "bob"), hostile())[0].why == reason::pack_disabled);
}

TEST_CASE("Escalation between two opted-in people nudges each of them", "[nudge][policy]")
{
    world w;
    w.opt_in("alice");
    w.opt_in("bob");
    w.p = policy(policy_limits{.user_cooldown = 0s, .channel_max = 10});
    auto m1 = message("1", "alice");
    w.send(m1, hostile(0.3f));
    w.now += 10s;
    auto m2 = reply("2", "bob", m1);
    w.send(m2, hostile(0.5f));
    w.now += 10s;
    auto ds = w.send(reply("3", "alice", m2), hostile(0.8f));
    REQUIRE(ds.size() == 2);
    for (const auto& d : ds) {
        CHECK(d.situation == situation::escalation);
        CHECK(d.deliver);
    }
}

TEST_CASE("Messages from bots are never acted on", "[nudge][policy]")
{
    world w;
    w.opt_in("bot");
    auto m = message("1", "bot");
    m.author_is_bot = true;
    CHECK(w.send(m, hostile()).empty());
}
