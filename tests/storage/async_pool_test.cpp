// async_store over a pool of connections: claims overtake a durable write that waits for the
// disk, while every ordered call keeps submission order.
#include "storage/async_store.hpp"

#include "support/failing_store.hpp"
#include "support/temp_folder.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <vector>

using namespace nudgebot;
using namespace nudgebot::storage;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

const user_key alice{core::platform::discord, core::user_id{"700000000000000001"}};
const user_key bob{core::platform::discord, core::user_id{"700000000000000002"}};

// `n` connections to one SQLite file, each of whose durable writes takes `fsync` longer.
std::vector<std::unique_ptr<store>> slow_disk_pool(const std::string& db, std::size_t n, std::chrono::milliseconds fsync)
{
    std::vector<std::unique_ptr<store>> pool;
    for (std::size_t i = 0; i < n; ++i) {
        auto s = std::make_unique<testing::failing_store>(make_store("sqlite:" + db));
        s->durable_delay_ms = static_cast<int>(fsync.count());
        pool.push_back(std::move(s));
    }
    return pool;
}

struct timings {
    std::chrono::milliseconds claim_answered{0};   // after submit
    std::optional<consent> read_after_writes;
    std::vector<int> completion_order;
};

// Two durable consent writes, a claim and a read, submitted in that order.
timings run(std::vector<std::unique_ptr<store>> pool)
{
    timings t;
    std::mutex m;
    async_store as(std::move(pool), [](std::function<void()> f) { f(); });
    const auto start = steady::now();
    as.submit([](store& s) { return s.put_consent(alice, consent{true, style::gentle, true, {}}); },
              [&](bool) {
                  std::lock_guard lock(m);
                  t.completion_order.push_back(1);
              });
    as.submit([](store& s) { return s.put_consent(alice, consent{false, style::direct, true, {}}); },
              [&](bool) {
                  std::lock_guard lock(m);
                  t.completion_order.push_back(2);
              });
    as.submit([](store& s) { return s.claim_daily(bob, 20000, "push", 3); },
              [&](bool) {
                  std::lock_guard lock(m);
                  t.claim_answered = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
              });
    as.submit([](store& s) { return s.get_consent(alice); },
              [&](std::optional<consent> c) {
                  std::lock_guard lock(m);
                  t.read_after_writes = c;
                  t.completion_order.push_back(4);
              });
    as.wait_idle();
    return t;
}

}  // namespace

TEST_CASE("With a pool, a daily claim does not wait behind durable writes, and writes and reads keep their order",
          "[storage][async][pool]")
{
    constexpr auto fsync = 300ms;
    test::temp_folder dir{"nudgebot-pool"};

    // One connection: the claim waits for both writes (the behaviour the pool removes).
    auto one = run(slow_disk_pool(dir.file("one.db"), 1, fsync));
    CHECK(one.claim_answered >= 2 * fsync);

    auto pooled = run(slow_disk_pool(dir.file("pool.db"), 3, fsync));
    CHECK(pooled.claim_answered < fsync / 2);
    // The second write lands after the first and the read sees it; completions come in order.
    REQUIRE(pooled.read_after_writes);
    CHECK_FALSE(pooled.read_after_writes->enabled);
    CHECK(pooled.read_after_writes->style == style::direct);
    CHECK(pooled.completion_order == std::vector<int>{1, 2, 4});
}

TEST_CASE("With a pool, counter batches are all written and a shutdown flushes the last one", "[storage][async][pool]")
{
    test::temp_folder dir{"nudgebot-pool"};
    const auto db = dir.file("nudgebot.db");
    {
        async_store as(slow_disk_pool(db, 3, 0ms), [](std::function<void()> f) { f(); });
        const counter_key k{1, core::platform::discord, "g", "conflict", "r", "delivered"};
        for (int i = 0; i < 500; ++i) as.count(k);
    }
    auto rows = make_store("sqlite:" + db)->counts(core::platform::discord, "g", 0, 10);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].count == 500);
}
