// Mattermost's websocket against the fake: reconnect pacing, the healthy period, a token revoked
// while running, and supervised loops.
#include "platforms/mattermost/adapter.hpp"

#include "platforms/mattermost/harness.hpp"
#include "support/resilience_checks.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;

TEST_CASE("On Mattermost, links that die right after hello are retried at most six times in ten seconds",
          "[mattermost][socket][reconnect]")
{
    mm_harness h({}, [](mattermost::settings& s) { s.reconnect = scaled_reconnect(); });
    check_dying_links_are_paced(h);
}

TEST_CASE("On Mattermost, after a healthy period the next reconnect starts from the first step",
          "[mattermost][socket][reconnect]")
{
    mm_harness h({}, [](mattermost::settings& s) { s.reconnect = scaled_reconnect(); });
    check_healthy_period_resets_the_backoff(
        h, [&] { return h.bot->status().connected; }, [&] { h.fake.drop(); });
}

TEST_CASE("A token revoked while running is found by a REST check after the socket closes before its hello, and "
          "ends the adapter instead of reconnecting for ever",
          "[mattermost][socket][privacy]")
{
    mm_harness h({}, [](mattermost::settings& s) { s.reconnect = scaled_reconnect(); });
    REQUIRE(h.start_and_wait_ready());
    auto checks_before = h.fake.calls("GET", "/api/v4/users/me").size();
    h.fake.revoke_token();
    h.fake.drop();
    REQUIRE(h.run_until([&] { return h.bot->status().finished; }, 5000ms));
    CHECK(h.bot->status().exit_code == 1);
    CHECK(h.fake.calls("GET", "/api/v4/users/me").size() == checks_before + 1);
    CHECK(h.logs.str().find("Mattermost rejected the bot token (GET /users/me answered 401") != std::string::npos);
    CHECK(h.logs.str().find(h.fake.options().token) == std::string::npos);
    auto connects = h.fake.connections();
    h.run_for(500ms);
    CHECK(h.fake.connections() == connects);
    CHECK(connects <= 2);
}

TEST_CASE("An exception escaping the Mattermost socket loop is logged without text, counted, marks the adapter "
          "failed, and the loop starts again",
          "[mattermost][supervision]")
{
    one_fault fault{.task = "socket"};
    mm_harness h({}, [&](mattermost::settings& s) { slow_restarts(s.supervision, fault); });
    REQUIRE(h.start_and_wait_ready());
    check_supervised_failure(
        h, fault, "mattermost", [&] { return h.bot->status().failed; },
        [&] { h.fake.post_event("posted", h.post(mm_user("bob"), "lost in the throw")); },
        [&] { return h.bot->status().connected; });
    // The restarted loop resumes the session: the event that was in flight is replayed once.
    REQUIRE(h.run_until([&] { return h.all<core::message_created>().size() == 1; }));
}

TEST_CASE("An exception escaping Mattermost's start-up is restarted the same way", "[mattermost][supervision]")
{
    one_fault fault{.task = "boot"};
    mm_harness h({}, [&](mattermost::settings& s) { slow_restarts(s.supervision, fault); });
    check_supervised_failure(
        h, fault, "mattermost", [&] { return h.bot->status().failed; }, [&] { h.bot->start(); },
        [&] { return h.bot->status().connected; });
}
