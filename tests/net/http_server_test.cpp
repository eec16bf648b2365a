#include "net/http_server.hpp"

#include "net/http_client.hpp"
#include "net/websocket.hpp"
#include "support/run_until.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <optional>

using namespace nudgebot;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::optional<net::http_response> fetch(asio::io_context& ioc, net::http_client& client, net::http_request req)
{
    std::optional<net::http_response> out;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { out = co_await client.request(std::move(req)); }, asio::detached);
    test::run_until(ioc, [&] { return out.has_value(); }, 3000ms);
    return out;
}

net::http_server_options small_limits()
{
    net::http_server_options o;
    o.max_body_bytes = 1024;
    o.read_timeout = 300ms;
    o.idle_timeout = 300ms;
    return o;
}

net::server_response echo(const net::server_request& r)
{
    return net::server_response::text(200, r.method + " " + std::string(r.path()) + " q=" + r.query("q") +
                                               " body=" + std::to_string(r.body.size()));
}

// A raw TCP client that writes `bytes` and reads whatever comes back until the server closes.
std::string raw_exchange(asio::io_context& ioc, std::uint16_t port, std::string bytes)
{
    std::string reply;
    bool done = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            tcp::socket s(ioc);
            auto tuple = asio::as_tuple(asio::use_awaitable);
            co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, tuple);
            co_await asio::async_write(s, asio::buffer(bytes), tuple);
            char buf[4096];
            for (;;) {
                auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tuple);
                reply.append(buf, n);
                if (ec) break;
            }
            done = true;
        },
        asio::detached);
    test::run_until(ioc, [&] { return done; }, 3000ms);
    return reply;
}

}  // namespace

TEST_CASE("The HTTP server answers on a free loopback port and decodes the query", "[net][http_server]")
{
    asio::io_context ioc;
    net::http_server server(ioc, small_limits(), echo);
    REQUIRE(server.start().empty());
    REQUIRE(server.port() != 0);
    CHECK(server.address() == "127.0.0.1");

    net::http_client client(ioc);
    auto r = fetch(ioc, client, {"POST", "http://127.0.0.1:" + std::to_string(server.port()) + "/a/b?q=hello%20there",
                                 {}, "12345"});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "POST /a/b q=hello there body=5");
    // Keep-alive: a second request reuses the connection.
    auto again = fetch(ioc, client, {"GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/x", {}, ""});
    REQUIRE(again);
    CHECK(again->body == "GET /x q= body=0");
    CHECK(client.connections_opened() == 1);
    CHECK(server.stats().requests == 2);
}

TEST_CASE("A body over the limit is refused with 413 and a reason, and the server keeps serving",
          "[net][http_server][bad-input]")
{
    asio::io_context ioc;
    net::http_server server(ioc, small_limits(), echo);
    REQUIRE(server.start().empty());
    net::http_client client(ioc);
    auto base = "http://127.0.0.1:" + std::to_string(server.port());
    auto big = fetch(ioc, client, {"POST", base + "/big", {}, std::string(5000, 'x')});
    REQUIRE(big);
    CHECK(big->status == 413);
    CHECK(big->body.find("limit is 1024 bytes") != std::string::npos);
    auto ok = fetch(ioc, client, {"POST", base + "/small", {}, "x"});
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(server.stats().rejected == 1);
}

TEST_CASE("Malformed requests get 400 and oversized headers 431", "[net][http_server][bad-input]")
{
    asio::io_context ioc;
    auto options = small_limits();
    options.max_header_bytes = 512;
    net::http_server server(ioc, options, echo);
    REQUIRE(server.start().empty());
    auto bad = raw_exchange(ioc, server.port(), "NOT HTTP AT ALL\r\n\r\n");
    CHECK(bad.rfind("HTTP/1.1 400", 0) == 0);
    auto huge = raw_exchange(ioc, server.port(),
                             "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
    CHECK(huge.rfind("HTTP/1.1 431", 0) == 0);
    CHECK(server.stats().rejected == 2);
}

TEST_CASE("A client that vanishes mid-request only ends its own connection", "[net][http_server][bad-input]")
{
    asio::io_context ioc;
    net::http_server server(ioc, small_limits(), echo);
    REQUIRE(server.start().empty());
    {
        // Half a request (headers promise a body that never comes), then the socket closes.
        tcp::socket s(ioc);
        s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
        std::string half = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc";
        asio::write(s, asio::buffer(half));
        test::run_until(ioc, [&] { return server.stats().open_connections == 1; }, 1000ms);
    }
    CHECK(test::run_until(ioc, [&] { return server.stats().open_connections == 0; }, 2000ms));
    CHECK(server.stats().aborted == 1);

    // A client that sends nothing at all is timed out.
    tcp::socket idle(ioc);
    idle.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    CHECK(test::run_until(ioc, [&] { return server.stats().open_connections == 1; }, 1000ms));
    CHECK(test::run_until(ioc, [&] { return server.stats().open_connections == 0; }, 2000ms));

    net::http_client client(ioc);
    auto ok = fetch(ioc, client, {"GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/", {}, ""});
    REQUIRE(ok);
    CHECK(ok->status == 200);
}

TEST_CASE("Websocket upgrades reach the router; messages go both ways; unknown paths get 404",
          "[net][http_server][websocket]")
{
    asio::io_context ioc;
    std::vector<std::string> got;
    int closed = 0;
    net::ws_router router = [&](const net::server_request& r) -> std::optional<net::ws_callbacks> {
        if (r.path() != "/ws") return std::nullopt;
        net::ws_callbacks cb;
        cb.on_open = [](net::ws_peer p) { p.send("hello " + p.target()); };
        cb.on_message = [&](net::ws_peer p, std::string text, bool) {
            got.push_back(text);
            p.send("echo " + text);
        };
        cb.on_close = [&](net::ws_peer, int) { ++closed; };
        return cb;
    };
    auto options = small_limits();
    options.ws_max_message_bytes = 2048;
    net::http_server server(ioc, options, echo, router);
    REQUIRE(server.start().empty());
    auto base = "ws://127.0.0.1:" + std::to_string(server.port());

    net::ws_connection ws(ioc, {});
    std::optional<std::string> connected;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { connected = co_await ws.connect(base + "/ws?v=10"); }, asio::detached);
    REQUIRE(test::run_until(ioc, [&] { return connected.has_value(); }));
    REQUIRE(connected->empty());
    std::vector<std::string> frames;
    bool reading = true;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (;;) {
                auto r = co_await ws.read();
                if (!r.ok) break;
                frames.push_back(r.data);
            }
            reading = false;
        },
        asio::detached);
    REQUIRE(test::run_until(ioc, [&] { return frames.size() == 1; }));
    CHECK(frames[0] == "hello /ws?v=10");
    ws.send("ping?");
    REQUIRE(test::run_until(ioc, [&] { return frames.size() == 2; }));
    CHECK(frames[1] == "echo ping?");
    CHECK(server.stats().open_websockets == 1);

    // Too big a message closes that connection only (1009).
    ws.send(std::string(4096, 'z'));
    CHECK(test::run_until(ioc, [&] { return !reading; }));
    CHECK(test::run_until(ioc, [&] { return closed == 1; }));
    CHECK(got.size() == 1);

    net::ws_connection other(ioc, {});
    std::optional<std::string> refused;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { refused = co_await other.connect(base + "/nope"); }, asio::detached);
    REQUIRE(test::run_until(ioc, [&] { return refused.has_value(); }));
    CHECK_FALSE(refused->empty());
}

TEST_CASE("Stopping the server closes every connection and no callback runs afterwards",
          "[net][http_server][websocket]")
{
    asio::io_context ioc;
    int messages = 0;
    net::ws_router router = [&](const net::server_request&) -> std::optional<net::ws_callbacks> {
        net::ws_callbacks cb;
        cb.on_message = [&](net::ws_peer, std::string, bool) { ++messages; };
        return cb;
    };
    auto server = std::make_unique<net::http_server>(ioc, small_limits(), echo, router);
    REQUIRE(server->start().empty());
    net::ws_connection ws(ioc, {});
    std::optional<std::string> connected;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            connected = co_await ws.connect("ws://127.0.0.1:" + std::to_string(server->port()) + "/");
        },
        asio::detached);
    REQUIRE(test::run_until(ioc, [&] { return connected.has_value(); }));
    REQUIRE(connected->empty());
    bool reading = true;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            while ((co_await ws.read()).ok) {}
            reading = false;
        },
        asio::detached);
    server.reset();
    ws.send("late");
    CHECK(test::run_until(ioc, [&] { return !reading; }));
    test::run_for(ioc, 50ms);
    CHECK(messages == 0);
}

TEST_CASE("Listening on a port already in use reports why instead of throwing", "[net][http_server]")
{
    asio::io_context ioc;
    net::http_server first(ioc, {}, echo);
    REQUIRE(first.start().empty());
    net::http_server_options o;
    o.port = first.port();
    // reuse_address does not allow two listeners on the same port on Linux.
    net::http_server second(ioc, o, echo);
    auto why = second.start();
    CHECK(why.find("cannot listen on 127.0.0.1:") == 0);
    net::http_server_options bad;
    bad.address = "not-an-address";
    CHECK(net::http_server(ioc, bad, echo).start() == "not an IP address: not-an-address");
}
