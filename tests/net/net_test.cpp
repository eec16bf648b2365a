#include "net/http_client.hpp"

#include "net/backoff.hpp"
#include "net/rate_limiter.hpp"
#include "net/websocket.hpp"
#include "support/fake_discord.hpp"
#include "support/run_until.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <optional>

using namespace nudgebot;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

std::optional<net::http_response> fetch(asio::io_context& ioc, net::http_client& client, net::http_request req,
                                         std::chrono::milliseconds timeout = 3000ms)
{
    std::optional<net::http_response> out;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { out = co_await client.request(std::move(req)); }, asio::detached);
    test::run_until(ioc, [&] { return out.has_value(); }, timeout);
    return out;
}

}  // namespace

TEST_CASE("Backoff grows exponentially with jitter, stays under the cap and resets", "[net][backoff]")
{
    net::backoff b(100ms, 1000ms, 42);
    auto first = b.next();
    CHECK(first >= 50ms);
    CHECK(first <= 100ms);
    std::chrono::milliseconds last{};
    for (int i = 0; i < 10; ++i) last = b.next();
    CHECK(last >= 500ms);
    CHECK(last <= 1000ms);
    b.reset();
    CHECK(b.next() <= 100ms);

    // Jitter: two seeds do not produce the same schedule.
    net::backoff x(1000ms, 60000ms, 1), y(1000ms, 60000ms, 2);
    bool differs = false;
    for (int i = 0; i < 5; ++i) differs |= x.next() != y.next();
    CHECK(differs);
}

TEST_CASE("A token bucket allows its capacity per window and keeps a reserve for the priority lane",
          "[net][ratelimit]")
{
    auto t0 = std::chrono::steady_clock::time_point{};
    net::token_bucket bucket(120, 60s, t0);
    int normal = 0;
    while (bucket.try_acquire(t0, 3)) ++normal;
    CHECK(normal == 117);
    CHECK(bucket.try_acquire(t0));   // priority uses the reserve
    CHECK(bucket.wait_time(t0, 3) > std::chrono::steady_clock::duration::zero());
    // Tokens come back continuously: 2 per second for 120 per minute.
    CHECK(bucket.try_acquire(t0 + 2s, 3));
    CHECK(bucket.available(t0 + 120s) == Approx(120));
}

TEST_CASE("The HTTP client reuses one keep-alive connection for consecutive requests", "[net][http]")
{
    test::fake_discord fake;
    asio::io_context ioc;
    net::http_client client(ioc, {});
    for (int i = 0; i < 3; ++i) {
        auto r = fetch(ioc, client, {"GET", fake.api_base() + "/gateway/bot", {}, {}, 2000ms});
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(nlohmann::json::parse(r->body)["url"] == fake.gateway_url());
        CHECK(r->header("content-type") == "application/json");
    }
    CHECK(client.connections_opened() == 1);
    CHECK(client.idle_connections() == 1);
}

TEST_CASE("A pooled connection closed by the server is replaced transparently", "[net][http]")
{
    test::fake_discord fake;
    asio::io_context ioc;
    net::http_client client(ioc, {});
    auto first = fetch(ioc, client, {"GET", fake.api_base() + "/gateway/bot", {}, {}, 2000ms});
    REQUIRE(first);
    fake.on_rest([](const test::fake_request&) -> std::optional<test::fake_response> {
        test::fake_response r;
        r.drop = true;
        return r;
    });
    auto dropped = fetch(ioc, client, {"GET", fake.api_base() + "/gateway/bot", {}, {}, 2000ms});
    REQUIRE(dropped);
    CHECK(dropped->status == 0);
    CHECK_FALSE(dropped->error.empty());
    fake.on_rest({});
    auto again = fetch(ioc, client, {"GET", fake.api_base() + "/gateway/bot", {}, {}, 2000ms});
    REQUIRE(again);
    CHECK(again->status == 200);
}

TEST_CASE("An HTTP request that gets no answer ends with a timeout error", "[net][http]")
{
    test::fake_discord fake;
    fake.on_rest([](const test::fake_request&) -> std::optional<test::fake_response> {
        test::fake_response r;
        r.delay = 2000ms;
        return r;
    });
    asio::io_context ioc;
    net::http_client client(ioc, {});
    auto start = std::chrono::steady_clock::now();
    auto r = fetch(ioc, client, {"GET", fake.api_base() + "/slow", {}, {}, 200ms});
    REQUIRE(r);
    CHECK(r->status == 0);
    CHECK(r->error == "timeout");
    CHECK(std::chrono::steady_clock::now() - start < 1500ms);
}

TEST_CASE("Plain-text HTTP to a non-loopback host and TLS to a plain server fail with an error", "[net][http][tls]")
{
    asio::io_context ioc;
    net::http_client client(ioc, {});
    auto plain = fetch(ioc, client, {"GET", "http://discord.com/api/v10/gateway", {}, {}, 500ms});
    REQUIRE(plain);
    CHECK(plain->status == 0);
    CHECK(plain->error.find("loopback") != std::string::npos);

    test::fake_discord fake;
    auto tls = fetch(ioc, client,
                     {"GET", "https://127.0.0.1:" + std::to_string(fake.port()) + "/api/v10/gateway/bot", {}, {},
                      2000ms});
    REQUIRE(tls);
    CHECK(tls->status == 0);
    CHECK_FALSE(tls->error.empty());
}

TEST_CASE("A websocket sends priority messages first and never exceeds its send limit", "[net][websocket]")
{
    test::fake_discord fake;
    asio::io_context ioc;
    net::ws_options opts;
    opts.send_limit = 5;
    opts.send_window = 60000ms;
    opts.priority_reserve = 1;
    net::ws_connection ws(ioc, opts);
    std::optional<std::string> err;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { err = co_await ws.connect(fake.gateway_url()); }, asio::detached);
    REQUIRE(test::run_until(ioc, [&] { return err.has_value(); }));
    REQUIRE(err->empty());
    // The priority lane's heartbeat carries d:null; the normal lane's frames are heartbeats too
    // (d:7), which the fake answers without closing (an unknown opcode would end the connection
    // after the first frame, as Discord does, and the count would depend on timing).
    for (int i = 0; i < 8; ++i) CHECK(ws.send(R"({"op":1,"d":7})"));
    CHECK(ws.send(R"({"op":1,"d":null})", net::ws_lane::priority));
    test::run_for(ioc, 300ms);
    auto frames = fake.received();
    REQUIRE(!frames.empty());
    CHECK(frames.front().payload.at("d").is_null());   // jumped the queue
    CHECK(frames.back().payload.at("d") == 7);
    // 5 tokens: the heartbeat takes one, normal sends stop when only the reserved one is left.
    CHECK(frames.size() == 4);
    CHECK(ws.queued() == 5);

    net::ws_options small;
    small.max_queue = 2;
    net::ws_connection bounded(ioc, small);
    CHECK_FALSE(bounded.send("x"));       // not connected yet: refused, never queued without bound
}
