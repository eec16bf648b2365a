#include "nudge/context.hpp"

#include "nudge/analyses.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot;
using namespace nudgebot::nudge;
using namespace nudgebot::testing;
using namespace std::chrono_literals;

namespace {
const std::chrono::steady_clock::time_point t0{};
}

TEST_CASE("A reply is aimed at the author of the message it replies to", "[nudge][context]")
{
    conversation_context ctx;
    auto a = message("1", "alice");
    ctx.observe(a, quiet(), t0);
    auto r = reply("2", "bob", a);
    r.reply_to_author.reset();   // the platform did not say: the context knows
    auto o = ctx.observe(r, hostile(), t0 + 1s);
    CHECK(o.target == core::user_id{"alice"});
    CHECK(o.via == target_via::reply);
}

TEST_CASE("A mention is a target when there is no reply", "[nudge][context]")
{
    conversation_context ctx;
    auto m = message("1", "bob");
    m.mentions = {core::user_id{"bob"}, core::user_id{"carol"}};
    auto o = ctx.observe(m, hostile(), t0);
    CHECK(o.target == core::user_id{"carol"});
    CHECK(o.via == target_via::mention);
}

TEST_CASE("In a two-person exchange the other person is the target; with three there is none",
          "[nudge][context]")
{
    conversation_context ctx;
    ctx.observe(message("1", "alice"), quiet(), t0);
    auto o = ctx.observe(message("2", "bob"), hostile(), t0 + 1s);
    CHECK(o.target == core::user_id{"alice"});
    CHECK(o.via == target_via::pair);
    ctx.observe(message("3", "carol"), quiet(), t0 + 2s);
    o = ctx.observe(message("4", "bob"), hostile(), t0 + 3s);
    CHECK(o.target.empty());
}

TEST_CASE("Conflict both ways between the same pair across turns is an escalation", "[nudge][context]")
{
    conversation_context ctx;
    auto m1 = message("1", "alice");
    CHECK_FALSE(ctx.observe(m1, hostile(0.3f), t0).escalation);
    auto m2 = reply("2", "bob", m1);
    auto o2 = ctx.observe(m2, hostile(0.5f), t0 + 20s);
    CHECK_FALSE(o2.escalation);   // alice's first message was aimed at nobody yet
    auto m3 = reply("3", "alice", m2);
    auto o3 = ctx.observe(m3, hostile(0.6f), t0 + 40s);
    CHECK(o3.escalation);         // alice -> bob after bob -> alice, intensity rising
    CHECK(o3.pair_conflict_turns == 2);
}

TEST_CASE("Rapid alternating turns between two people are noticed", "[nudge][context]")
{
    conversation_context ctx;
    ctx.observe(message("1", "alice"), quiet(), t0);
    ctx.observe(message("2", "bob"), quiet(), t0 + 5s);
    ctx.observe(message("3", "alice"), quiet(), t0 + 10s);
    auto o = ctx.observe(message("4", "bob"), quiet(), t0 + 15s);
    CHECK(o.rapid);
    auto slow = ctx.observe(message("5", "alice"), quiet(), t0 + 15s + 10min);
    CHECK_FALSE(slow.rapid);
}

TEST_CASE("A reply to someone whose message showed distress is marked as such", "[nudge][context]")
{
    conversation_context ctx;
    auto c = message("1", "carol");
    ctx.observe(c, flagged(engine::category::distress, "distress.overwhelmed", "feeling overwhelmed"), t0);
    auto o = ctx.observe(reply("2", "dave", c), quiet(), t0 + 30s);
    CHECK(o.target_distressed);
}

TEST_CASE("Edits replace a turn's flags and deletes remove it", "[nudge][context]")
{
    conversation_context ctx;
    auto c = message("1", "carol");
    ctx.observe(c, quiet(), t0);
    auto fresh = ctx.edit(c, flagged(engine::category::distress, "distress.x", "x"), t0 + 1s);
    CHECK(fresh == bit(engine::category::distress));
    CHECK(ctx.edit(c, flagged(engine::category::distress, "distress.x", "x"), t0 + 2s) == 0);
    auto o = ctx.observe(reply("2", "dave", c), quiet(), t0 + 3s);
    CHECK(o.target_distressed);
    ctx.erase(c.channel, c.id);
    auto r = reply("3", "erin", c);
    r.reply_to_author.reset();
    CHECK(ctx.observe(r, quiet(), t0 + 4s).via != target_via::reply);
}

TEST_CASE("Turns expire after the window and a channel never holds more than max_turns",
          "[nudge][context][memory]")
{
    context_limits limits;
    limits.max_turns = 5;
    limits.window = 60s;
    limits.max_channels = 3;
    conversation_context ctx(limits);
    core::channel_id c1{"c1"};
    for (int i = 0; i < 20; ++i) ctx.observe(message(std::to_string(i), "u" + std::to_string(i % 3)), quiet(), t0 + i * 1s);
    CHECK(ctx.turn_count(c1) == 5);
    ctx.observe(message("late", "u1"), quiet(), t0 + 10min);
    CHECK(ctx.turn_count(c1) == 1);
    for (int i = 0; i < 5; ++i) ctx.observe(message("m", "u", "ch" + std::to_string(i)), quiet(), t0 + 10min);
    CHECK(ctx.channel_count() == 3);
    ctx.expire(t0 + 20min);
    CHECK(ctx.channel_count() == 0);
}

TEST_CASE("forget-me drops every turn by or aimed at the person", "[nudge][context][privacy]")
{
    conversation_context ctx;
    auto a = message("1", "alice");
    ctx.observe(a, quiet(), t0);
    ctx.observe(reply("2", "bob", a), hostile(), t0 + 1s);
    ctx.observe(message("3", "carol"), quiet(), t0 + 2s);
    ctx.forget_user(core::user_id{"alice"});
    CHECK(ctx.turn_count(core::channel_id{"c1"}) == 1);
}
