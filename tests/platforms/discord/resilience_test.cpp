// The Discord gateway against the fake: reconnect pacing, the healthy period, IDENTIFY pacing
// after 4009, a token revoked while running, and supervised loops.
#include "platforms/discord/adapter.hpp"

#include "platforms/discord/harness.hpp"
#include "support/resilience_checks.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;

namespace {

std::vector<fake_frame> identifies(const fake_discord& fake)
{
    std::vector<fake_frame> out;
    for (auto& f : fake.received())
        if (f.op == 2) out.push_back(f);
    return out;
}

}  // namespace

TEST_CASE("On Discord, links that die right after HELLO are retried at most six times in ten seconds",
          "[discord][gateway][reconnect]")
{
    harness h({}, [](discord::settings& s) { s.reconnect = scaled_reconnect(); });
    check_dying_links_are_paced(h);
}

TEST_CASE("On Discord, after a healthy period the next reconnect starts from the first step",
          "[discord][gateway][reconnect]")
{
    harness h({}, [](discord::settings& s) { s.reconnect = scaled_reconnect(); });
    check_healthy_period_resets_the_backoff(
        h, [&] { return h.count<core::session_ready>() >= 1 && h.fake.open_connections() == 1; },
        [&] { h.fake.drop(); });
}

TEST_CASE("After close 4009 the next IDENTIFY keeps a margin over the identify interval", "[discord][gateway]")
{
    harness h({}, [](discord::settings& s) {
        s.identify_interval = 300ms;
        s.reconnect.base = 1ms;   // the reconnect itself is immediate: only the identify slot paces
    });
    REQUIRE(h.start_and_wait_ready());
    h.fake.close(4009);
    REQUIRE(h.run_until([&] { return identifies(h.fake).size() == 2; }, 3000ms));
    auto ids = identifies(h.fake);
    // 300 ms plus a tenth: Discord answers an IDENTIFY right on the 5 s edge with an invalid session.
    CHECK(ids[1].at - ids[0].at >= 315ms);
}

TEST_CASE("A gateway that closes before READY is followed by a REST check; a revoked token stops the shard",
          "[discord][gateway][privacy]")
{
    harness h({}, [](discord::settings& s) { s.reconnect = scaled_reconnect(); });
    REQUIRE(h.start_and_wait_ready());
    h.fake.on_rest([](const fake_request& r) -> std::optional<fake_response> {
        if (r.target == "/api/v10/users/@me") return fake_response{401, R"({"message":"401: Unauthorized","code":0})", {}};
        return std::nullopt;
    });
    h.fake.set_kill_after_hello(true);
    h.fake.close(4000);
    REQUIRE(h.run_until([&] { return h.bot->status().finished; }, 5000ms));
    CHECK(h.bot->status().exit_code == 1);
    CHECK(h.fake.count_rest("GET", "/api/v10/users/@me") == 1);
    auto connects = h.fake.connections();
    h.run_for(500ms);
    CHECK(h.fake.connections() == connects);
}

TEST_CASE("An exception escaping the Discord gateway loop is logged without text, counted, marks the adapter failed, "
          "and the loop resumes",
          "[discord][supervision]")
{
    one_fault fault{.task = "gateway"};
    harness h({}, [&](discord::settings& s) { slow_restarts(s.supervision, fault); });
    REQUIRE(h.start_and_wait_ready());
    check_supervised_failure(
        h, fault, "discord", [&] { return h.bot->status().failed; }, {},
        [&] { return h.fake.resumes() >= 1 && h.bot->status().shards_running == 1; });
}

TEST_CASE("An exception escaping the Discord heartbeat loop is restarted the same way", "[discord][supervision]")
{
    one_fault fault{.task = "heartbeat"};
    harness h({}, [&](discord::settings& s) { slow_restarts(s.supervision, fault); });
    REQUIRE(h.start_and_wait_ready());
    auto beats = h.fake.count_received(1);
    check_supervised_failure(
        h, fault, "discord", [&] { return h.bot->status().failed; }, {},
        [&] { return h.fake.count_received(1) > beats + 2; });
}

TEST_CASE("An exception escaping Discord's start-up is restarted the same way", "[discord][supervision]")
{
    one_fault fault{.task = "boot"};
    harness h({}, [&](discord::settings& s) { slow_restarts(s.supervision, fault); });
    check_supervised_failure(
        h, fault, "discord", [&] { return h.bot->status().failed; }, [&] { h.bot->start(); },
        [&] { return h.count<core::session_ready>() == 1; });
}
