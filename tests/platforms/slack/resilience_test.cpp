// Slack Socket Mode against the fake: reconnect pacing, the healthy period, link_disabled, a
// revoked token found after a socket closed before its hello, and supervised loops.
#include "platforms/slack/adapter.hpp"

#include "platforms/slack/harness.hpp"
#include "support/resilience_checks.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("On Slack, links that die right after hello are retried at most six times in ten seconds",
          "[slack][socket][reconnect]")
{
    slack_harness h([](slack::settings& s) { s.reconnect = scaled_reconnect(); });
    check_dying_links_are_paced(h);
    // Each connect asked for a fresh URL first (one more may be on its way).
    CHECK(h.fake.calls("apps.connections.open").size() >= static_cast<std::size_t>(h.fake.connections()));
    CHECK(h.fake.calls("apps.connections.open").size() <= static_cast<std::size_t>(h.fake.connections()) + 1);
}

TEST_CASE("On Slack, after a healthy period the next reconnect starts from the first step", "[slack][socket][reconnect]")
{
    slack_harness h([](slack::settings& s) { s.reconnect = scaled_reconnect(); });
    check_healthy_period_resets_the_backoff(
        h, [&] { return h.bot->status().connected; }, [&] { h.fake.close(-1); });
}

TEST_CASE("link_disabled is not a reason to reconnect at once: it is an error, counted, and waited out",
          "[slack][socket][reconnect]")
{
    slack_harness h([](slack::settings& s) { s.reconnect = scaled_reconnect(); });
    REQUIRE(h.start_and_wait_ready());
    auto disabled = metric("slack_socket_link_disabled_total");
    auto disabled_at = std::chrono::steady_clock::now();
    h.fake.disconnect("link_disabled", 0);
    REQUIRE(h.run_until([&] { return h.fake.open_connections() == 0; }));
    CHECK(metric("slack_socket_link_disabled_total") == disabled + 1);
    CHECK(h.logs.str().find("[error] Slack disabled Socket Mode for this app (link_disabled)") != std::string::npos);
    // The refused pause (scaled: 1.5 s) passes before the next apps.connections.open.
    h.run_for(1000ms);
    CHECK(h.fake.connections() == 1);
    CHECK(h.fake.calls("apps.connections.open").size() == 1);
    REQUIRE(h.run_until([&] { return h.fake.connections() == 2 && h.bot->status().connected; }, 5000ms));
    CHECK(std::chrono::steady_clock::now() - disabled_at >= 1400ms);
}

TEST_CASE("A Slack socket that closes before its hello is followed by auth.test; a revoked token ends the adapter",
          "[slack][socket][privacy]")
{
    slack_harness h([](slack::settings& s) {
        s.reconnect = scaled_reconnect();
        s.connect_timeout = 300ms;
    });
    REQUIRE(h.start_and_wait_ready());
    h.fake.on_web([](const fake_slack_call& c) -> std::optional<fake_slack_answer> {
        if (c.method == "auth.test") return fake_slack_answer{200, json{{"ok", false}, {"error", "token_revoked"}}.dump(), {}};
        return std::nullopt;
    });
    h.fake.set_send_hello(false);
    h.fake.close(0);
    REQUIRE(h.run_until([&] { return h.bot->status().finished; }, 5000ms));
    CHECK(h.bot->status().exit_code == 1);
    CHECK(h.fake.calls("auth.test").size() == 2);
    CHECK(h.logs.str().find("token_revoked") != std::string::npos);
    CHECK(h.logs.str().find(slack_bot_token) == std::string::npos);
    auto connects = h.fake.connections();
    h.run_for(500ms);
    CHECK(h.fake.connections() == connects);   // no reconnecting for ever
}

TEST_CASE("An exception escaping the Slack socket loop is logged without text, counted, marks the adapter failed, "
          "and the loop starts again",
          "[slack][supervision]")
{
    one_fault fault{.task = "socket"};
    slack_harness h([&](slack::settings& s) { slow_restarts(s.supervision, fault); });
    REQUIRE(h.start_and_wait_ready());
    check_supervised_failure(
        h, fault, "slack", [&] { return h.bot->status().failed; },
        [&] { h.fake.send(fake_slack::message_envelope("env-x", "EvX", "U1", "lost in the throw", "1700000001.000001")); },
        [&] { return h.bot->status().connected; });
    h.fake.send(fake_slack::message_envelope("env-y", "EvY", "U1", "after the restart", "1700000002.000001"));
    REQUIRE(h.run_until([&] { return !h.all<core::message_created>().empty(); }));
}

TEST_CASE("An exception escaping Slack's start-up is restarted the same way", "[slack][supervision]")
{
    one_fault fault{.task = "boot"};
    slack_harness h([&](slack::settings& s) { slow_restarts(s.supervision, fault); });
    check_supervised_failure(
        h, fault, "slack", [&] { return h.bot->status().failed; }, [&] { h.bot->start(); },
        [&] { return h.bot->status().connected; });
}
