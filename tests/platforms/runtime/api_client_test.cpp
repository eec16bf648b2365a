// The retrying API client against a scripted HTTP server on loopback.
#include "platforms/runtime/api_client.hpp"

#include "core/clock.hpp"
#include "platforms/runtime/lifecycle.hpp"
#include "support/adapter_harness.hpp"
#include "support/fake_server.hpp"
#include "support/run_until.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <deque>
#include <mutex>

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;

namespace {

// A server that answers from a script, then 200; records when each request came.
struct scripted_server {
    std::mutex mutex;
    std::deque<net::server_response> script;
    std::vector<std::chrono::steady_clock::time_point> seen;
    fake_server server{"scripted api",
                       [this](const net::server_request&) {
                           std::lock_guard lock(mutex);
                           seen.push_back(std::chrono::steady_clock::now());
                           if (script.empty()) return net::server_response::json(200, "{}");
                           auto r = script.front();
                           script.pop_front();
                           return r;
                       },
                       [](const net::server_request&) { return std::nullopt; }};

    ~scripted_server() { server.stop(); }

    void then(int status, std::vector<std::pair<std::string, std::string>> headers = {})
    {
        auto r = net::server_response::json(status, "{}");
        for (auto& [n, v] : headers) r.headers.push_back({n, v});
        std::lock_guard lock(mutex);
        script.push_back(r);
    }
    std::size_t requests()
    {
        std::lock_guard lock(mutex);
        return seen.size();
    }
};

struct client_fixture {
    boost::asio::io_context ioc;
    core::system_clock clock;
    runtime::lifecycle life{ioc, "apitest", {}};
    runtime::retry_settings settings;
    std::unique_ptr<runtime::api_client> client;
    scripted_server server;

    client_fixture()
    {
        settings.retry_base = 40ms;
        settings.max_attempts = 4;
        settings.max_retry_after = 2000ms;
        settings.timeout = 1000ms;
        settings.breaker_limit = 3;
    }

    net::http_response send(std::string key = "k", bool credential = true)
    {
        if (!client) client = std::make_unique<runtime::api_client>(life, clock, "apitest", settings);
        std::optional<net::http_response> out;
        runtime::api_request r;
        r.http.url = server.server.url() + "/x";
        r.limit_key = std::move(key);
        r.credential = credential;
        boost::asio::co_spawn(
            ioc, [&]() -> boost::asio::awaitable<void> { out = co_await client->send(r); }, boost::asio::detached);
        REQUIRE(run_until(ioc, [&] { return out.has_value(); }, 10000ms));
        return *out;
    }
};

}  // namespace

TEST_CASE("A 429 is waited out for Retry-After, then the call succeeds", "[runtime][api]")
{
    client_fixture f;
    f.server.then(429, {{"Retry-After", "0.3"}});
    auto before = metric("apitest_rate_limited_total");
    auto r = f.send();
    CHECK(r.status == 200);
    REQUIRE(f.server.requests() == 2);
    CHECK(f.server.seen[1] - f.server.seen[0] >= 290ms);
    CHECK(metric("apitest_rate_limited_total") == before + 1);
}

TEST_CASE("A bucket reported empty blocks the next request of the same key until its reset", "[runtime][api]")
{
    client_fixture f;
    f.server.then(200, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "0.3"}});
    CHECK(f.send("bucket").status == 200);
    CHECK(f.send("other").status == 200);     // another key is not held
    CHECK(f.send("bucket").status == 200);
    REQUIRE(f.server.requests() == 3);
    CHECK(f.server.seen[1] - f.server.seen[0] < 250ms);
    CHECK(f.server.seen[2] - f.server.seen[0] >= 290ms);
}

TEST_CASE("A Retry-After beyond the limit is not waited out: the 429 comes back at once", "[runtime][api]")
{
    client_fixture f;
    f.server.then(429, {{"Retry-After", "600"}});
    auto r = f.send();
    CHECK(r.status == 429);
    CHECK(f.server.requests() == 1);
}

TEST_CASE("5xx answers are retried with growing waits, up to the attempt limit", "[runtime][api]")
{
    client_fixture f;
    for (int i = 0; i < 4; ++i) f.server.then(503);
    auto r = f.send();
    CHECK(r.status == 503);
    REQUIRE(f.server.requests() == 4);
    CHECK(f.server.seen[1] - f.server.seen[0] >= 20ms);    // 40 ms step, jittered over its upper half
    CHECK(f.server.seen[3] - f.server.seen[2] >= 80ms);    // 160 ms step
}

TEST_CASE("A 401 opens the breaker for good; 403s open it after the limit; a response_url never counts",
          "[runtime][api]")
{
    {
        client_fixture f;
        f.server.then(401);
        CHECK(f.send().status == 401);
        auto r = f.send();
        CHECK(r.status == 0);
        CHECK(r.error == "circuit open");
        CHECK(f.server.requests() == 1);
        CHECK(f.client->token_rejected());
    }
    {
        client_fixture f;
        for (int i = 0; i < 4; ++i) f.server.then(403, {});
        CHECK(f.send("u", false).status == 403);   // no credential: not counted
        CHECK(f.send().status == 403);
        CHECK(f.send().status == 403);
        CHECK_FALSE(f.client->breaker_open());
        CHECK(f.send().status == 403);             // the third counted 403 opens it
        CHECK(f.client->breaker_open());
        CHECK(f.send().error == "circuit open");
        CHECK(f.server.requests() == 4);
    }
}

TEST_CASE("A transport failure is retried and reported with status 0", "[runtime][api]")
{
    client_fixture f;
    f.settings.max_attempts = 2;
    f.settings.timeout = 200ms;
    auto started = std::chrono::steady_clock::now();
    f.client = std::make_unique<runtime::api_client>(f.life, f.clock, "apitest", f.settings);
    std::optional<net::http_response> out;
    runtime::api_request r;
    r.http.url = "http://127.0.0.1:9/unreachable";   // discard port: refused at once
    boost::asio::co_spawn(
        f.ioc, [&]() -> boost::asio::awaitable<void> { out = co_await f.client->send(r); }, boost::asio::detached);
    REQUIRE(run_until(f.ioc, [&] { return out.has_value(); }, 5000ms));
    CHECK(out->status == 0);
    CHECK_FALSE(out->error.empty());
    CHECK(std::chrono::steady_clock::now() - started >= 20ms);   // one retry wait
}
