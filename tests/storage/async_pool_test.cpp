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
#include <thread>
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

namespace {

// Forwards to a real store; counts how many add_counts calls run at once (each takes 2 ms).
class overlap_probe final : public store {
public:
    overlap_probe(std::unique_ptr<store> inner, std::atomic<int>& running, std::atomic<int>& most)
        : inner_(std::move(inner)), running_(running), most_(most)
    {}
    bool add_counts(const std::vector<counter_row>& rows) override
    {
        const int now = ++running_;
        for (int seen = most_.load(); now > seen && !most_.compare_exchange_weak(seen, now);) {}
        std::this_thread::sleep_for(2ms);
        const bool ok = inner_->add_counts(rows);
        --running_;
        return ok;
    }
    std::optional<consent> get_consent(const user_key& u) override { return inner_->get_consent(u); }
    bool put_consent(const user_key& u, const consent& c) override { return inner_->put_consent(u, c); }
    std::vector<std::pair<core::user_id, consent>> load_consents(core::platform p) override { return inner_->load_consents(p); }
    std::optional<server_settings> get_settings(const server_key& k) override { return inner_->get_settings(k); }
    bool put_settings(const server_key& k, const server_settings& s) override { return inner_->put_settings(k, s); }
    std::vector<std::pair<core::server_id, server_settings>> load_settings(core::platform p) override
    {
        return inner_->load_settings(p);
    }
    std::vector<counter_row> counts(core::platform p, const std::string& s, std::int32_t a, std::int32_t b) override
    {
        return inner_->counts(p, s, a, b);
    }
    bool add_notice(const user_key& u, const std::string& k) override { return inner_->add_notice(u, k); }
    std::vector<std::string> take_notices(const user_key& u) override { return inner_->take_notices(u); }
    bool forget_user(const user_key& u) override { return inner_->forget_user(u); }
    std::vector<std::pair<std::string, std::string>> load_state(core::platform p) override { return inner_->load_state(p); }
    bool put_state(core::platform p, const std::string& n, const std::string& v) override { return inner_->put_state(p, n, v); }

private:
    std::unique_ptr<store> inner_;
    std::atomic<int>& running_;
    std::atomic<int>& most_;
};

}  // namespace

TEST_CASE("With a pool, one counter batch is written at a time and what arrives meanwhile goes in the next",
          "[storage][async][pool]")
{
    test::temp_folder dir{"nudgebot-pool"};
    const auto db = dir.file("nudgebot.db");
    std::atomic<int> running{0};
    std::atomic<int> most{0};
    std::vector<std::unique_ptr<store>> pool;
    for (int i = 0; i < 3; ++i) pool.push_back(std::make_unique<overlap_probe>(make_store("sqlite:" + db), running, most));
    async_store as(std::move(pool), [](std::function<void()> f) { f(); });
    const counter_key k{1, core::platform::discord, "g", "conflict", "r", "delivered"};
    // Counts keep arriving while batches are written (each takes 2 ms): never two batches at once.
    for (int i = 0; i < 400; ++i) {
        as.count(k);
        if (i % 10 == 0) std::this_thread::sleep_for(1ms);
    }
    as.wait_idle();   // waits for the batch queued after the last one, too
    CHECK(most.load() == 1);
    auto rows = as.call([](store& s) { return s.counts(core::platform::discord, "g", 0, 10); });
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].count == 400);
}
