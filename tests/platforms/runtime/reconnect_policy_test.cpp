#include "platforms/runtime/reconnect_policy.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot;
using namespace std::chrono_literals;
using runtime::reconnect_policy;

namespace {

runtime::reconnect_settings production() { return {}; }   // 1 s, 60 s, 30 s healthy, 5 min refused

}  // namespace

TEST_CASE("Reconnect delays double from the first step to the cap, each drawn from the upper half of its step",
          "[runtime][reconnect]")
{
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        reconnect_policy p(production(), seed);
        auto now = std::chrono::steady_clock::time_point{};
        std::int64_t step = 1000;
        for (int i = 0; i < 10; ++i) {
            auto d = p.next_delay(now).count();
            CHECK(d >= step / 2);
            CHECK(d <= step);
            step = std::min<std::int64_t>(step * 2, 60000);
        }
    }
}

TEST_CASE("A link that dies right after each connect is retried at most five times in ten seconds whatever the dice",
          "[runtime][reconnect]")
{
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        reconnect_policy p(production(), seed);
        auto now = std::chrono::steady_clock::time_point{};
        auto start = now;
        int connects = 0;
        while (now - start < 10s) {
            ++connects;                       // connects, says hello, dies at once
            p.connected(now);
            now += p.next_delay(now);
        }
        CHECK(connects <= 5);
    }
}

TEST_CASE("Only a connection that stayed up for the healthy period resets the steps", "[runtime][reconnect]")
{
    reconnect_policy p(production(), 7);
    auto now = std::chrono::steady_clock::time_point{};
    for (int i = 0; i < 4; ++i) now += p.next_delay(now);
    CHECK(p.step() == 4);
    p.connected(now);
    now += 29s;                               // up, but not long enough
    auto d = p.next_delay(now);
    CHECK(d >= 8000ms);
    CHECK(p.step() == 5);
    now += d;
    p.connected(now);
    now += 30s;                               // healthy
    d = p.next_delay(now);
    CHECK(d <= 1000ms);
    CHECK(p.step() == 1);
}

TEST_CASE("A refused link waits the long pause and starts over afterwards", "[runtime][reconnect]")
{
    reconnect_policy p(production(), 3);
    auto now = std::chrono::steady_clock::time_point{};
    for (int i = 0; i < 6; ++i) now += p.next_delay(now);
    CHECK(p.refused() == 300000ms);
    CHECK(p.next_delay(now) <= 1000ms);
}
