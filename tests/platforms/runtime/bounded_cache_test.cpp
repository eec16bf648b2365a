#include "platforms/runtime/bounded_cache.hpp"

#include <catch2/catch.hpp>

#include <string>

using nudgebot::runtime::bounded_cache;
using namespace std::chrono_literals;

TEST_CASE("A bounded cache finds what was put until it expires", "[runtime][cache]")
{
    bounded_cache<bool> rights(10);
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    rights.put("alice", true, t0 + 5min);
    REQUIRE(rights.find("alice", t0) != nullptr);
    CHECK(*rights.find("alice", t0));
    CHECK(rights.find("alice", t0 + 5min) == nullptr);
    CHECK(rights.find("bob", t0) == nullptr);

    bounded_cache<std::string> dms(10);
    dms.put("alice", "D1");
    REQUIRE(dms.find("alice") != nullptr);
    CHECK(*dms.find("alice") == "D1");
}

TEST_CASE("A full bounded cache forgets everything before it takes a new key, never grows past its limit",
          "[runtime][cache]")
{
    bounded_cache<std::string> dms(3);
    for (int i = 0; i < 3; ++i) dms.put("u" + std::to_string(i), "D" + std::to_string(i));
    CHECK(dms.size() == 3);
    dms.put("u1", "D1b");   // a key it holds: replaced, nothing forgotten
    CHECK(dms.size() == 3);
    CHECK(*dms.find("u1") == "D1b");
    dms.put("u3", "D3");
    CHECK(dms.size() == 1);
    CHECK(dms.find("u0") == nullptr);
    CHECK(*dms.find("u3") == "D3");
    for (int i = 0; i < 100; ++i) dms.put("x" + std::to_string(i), "D");
    CHECK(dms.size() <= 3);
}
