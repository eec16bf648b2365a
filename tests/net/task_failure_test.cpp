#include "net/task_failure.hpp"

#include "core/metrics.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/websocket.hpp"
#include "support/run_until.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

using namespace nudgebot;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// The exception's text stands for message text: it must never reach the log.
const std::string secret = "what alice wrote must never reach a log";

// Captures the "net" logger for the life of the test.
struct net_log {
    std::ostringstream lines;
    net_log()
    {
        spdlog::drop("net");
        auto l = std::make_shared<spdlog::logger>("net", std::make_shared<spdlog::sinks::ostream_sink_st>(lines));
        spdlog::register_logger(l);
    }
    ~net_log() { spdlog::drop("net"); }
    bool reported(std::string_view task) const
    {
        auto text = lines.str();
        return text.find(std::string(task) + " ended with an exception (std::runtime_error)") != std::string::npos &&
               text.find(secret) == std::string::npos;
    }
};

// Installs net's fault hook for the life of the test: it throws once, the next time `task` is
// reached while armed.
struct one_fault {
    std::shared_ptr<std::atomic<bool>> armed = std::make_shared<std::atomic<bool>>(false);
    explicit one_fault(std::string_view task)
    {
        net::set_fault_hook([armed = armed, task](std::string_view t) {
            if (t == task && armed->exchange(false)) throw std::runtime_error(secret);
        });
    }
    ~one_fault() { net::set_fault_hook({}); }
};

std::uint64_t failures(std::string_view task)
{
    return core::metrics::global().value(net::task_failures_metric, {{"task", std::string(task)}});
}

std::optional<net::http_response> get(asio::io_context& ioc, std::uint16_t port, const std::string& path)
{
    net::http_client client(ioc, {});
    std::optional<net::http_response> out;
    net::http_request req;
    req.method = "GET";
    req.url = "http://127.0.0.1:" + std::to_string(port) + path;
    req.timeout = 2000ms;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { out = co_await client.request(std::move(req)); }, asio::detached);
    test::run_until(ioc, [&] { return out.has_value(); }, 3000ms);
    return out;
}

net::server_response path_echo(const net::server_request& r)
{
    return net::server_response::text(200, "at " + std::string(r.path()));
}

// A client websocket that keeps reading: frames in order, `open` false once it ended.
struct ws_client {
    net::ws_connection ws;
    std::vector<std::string> frames;
    bool open = false;

    ws_client(asio::io_context& ioc, net::ws_options o, const std::string& url) : ws(ioc, std::move(o))
    {
        std::optional<std::string> connected;
        asio::co_spawn(
            ioc, [&]() -> asio::awaitable<void> { connected = co_await ws.connect(url); }, asio::detached);
        REQUIRE(test::run_until(ioc, [&] { return connected.has_value(); }));
        REQUIRE(connected->empty());
        open = true;
        asio::co_spawn(
            ioc,
            [this]() -> asio::awaitable<void> {
                for (;;) {
                    auto r = co_await ws.read();
                    if (!r.ok) break;
                    frames.push_back(r.data);
                }
                open = false;
            },
            asio::detached);
    }
};

// A websocket endpoint that answers "echo <text>" and records the close codes it saw.
struct echo_endpoint {
    std::vector<int> closes;
    std::function<void(const std::string&)> before_echo;   // may throw, to stand for a faulty callback
    net::ws_router router()
    {
        return [this](const net::server_request&) -> std::optional<net::ws_callbacks> {
            net::ws_callbacks cb;
            cb.on_message = [this](net::ws_peer p, std::string text, bool) {
                if (before_echo) before_echo(text);
                p.send("echo " + text);
            };
            cb.on_close = [this](net::ws_peer, int code) { closes.push_back(code); };
            return cb;
        };
    }
};

}  // namespace

TEST_CASE("An exception in one HTTP connection is logged by type and counted, closes that connection, and the "
          "server answers the next request",
          "[net][http_server][task_failure]")
{
    net_log log;
    asio::io_context ioc;
    one_fault fault(net::task::http_connection);
    net::http_server server(ioc, {}, path_echo);
    REQUIRE(server.start().empty());
    const auto before = failures(net::task::http_connection);

    fault.armed->store(true);
    auto broken = get(ioc, server.port(), "/first");
    REQUIRE(broken);
    CHECK(broken->status == 0);   // the connection closed without an answer
    CHECK_FALSE(broken->error.empty());
    REQUIRE(test::run_until(ioc, [&] { return failures(net::task::http_connection) == before + 1; }));
    CHECK(log.reported(net::task::http_connection));
    CHECK(test::run_until(ioc, [&] { return server.stats().open_connections == 0; }));

    auto next = get(ioc, server.port(), "/second");
    REQUIRE(next);
    CHECK(next->status == 200);
    CHECK(next->body == "at /second");
}

TEST_CASE("An exception in the accept loop is logged and counted, and the loop starts again", "[net][http_server][task_failure]")
{
    net_log log;
    asio::io_context ioc;
    one_fault fault(net::task::http_accept);
    net::http_server server(ioc, {}, path_echo);
    REQUIRE(server.start().empty());
    const auto before = failures(net::task::http_accept);

    fault.armed->store(true);
    auto dropped = get(ioc, server.port(), "/first");   // accepted, then the loop threw: closed unanswered
    REQUIRE(dropped);
    CHECK(dropped->status == 0);
    REQUIRE(test::run_until(ioc, [&] { return failures(net::task::http_accept) == before + 1; }));
    CHECK(log.reported(net::task::http_accept));

    for (const auto* path : {"/second", "/third"}) {   // the restarted loop keeps serving
        auto next = get(ioc, server.port(), path);
        REQUIRE(next);
        CHECK(next->status == 200);
        CHECK(next->body == std::string("at ") + path);
    }
    CHECK(failures(net::task::http_accept) == before + 1);
}

TEST_CASE("A websocket callback that throws ends that connection only: it is reported, on_close runs, and a new "
          "connection is served",
          "[net][http_server][websocket][task_failure]")
{
    net_log log;
    asio::io_context ioc;
    echo_endpoint endpoint;
    endpoint.before_echo = [](const std::string& text) {
        if (text == "boom") throw std::runtime_error(secret);
    };
    net::http_server server(ioc, {}, path_echo, endpoint.router());
    REQUIRE(server.start().empty());
    const auto url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws";
    const auto before = failures(net::task::http_connection);

    ws_client first(ioc, {}, url);
    first.ws.send("hello");
    REQUIRE(test::run_until(ioc, [&] { return first.frames.size() == 1; }));
    first.ws.send("boom");
    REQUIRE(test::run_until(ioc, [&] { return !first.open; }));
    REQUIRE(test::run_until(ioc, [&] { return failures(net::task::http_connection) == before + 1; }));
    CHECK(log.reported(net::task::http_connection));
    REQUIRE(endpoint.closes.size() == 1);
    CHECK(endpoint.closes[0] == 1011);
    CHECK(server.stats().open_websockets == 0);
    CHECK(server.stats().open_connections == 0);

    ws_client second(ioc, {}, url);
    second.ws.send("again");
    REQUIRE(test::run_until(ioc, [&] { return second.frames.size() == 1; }));
    CHECK(second.frames[0] == "echo again");
    auto http = get(ioc, server.port(), "/still");
    REQUIRE(http);
    CHECK(http->status == 200);
}

TEST_CASE("An exception in a server websocket's writer is reported and closes that websocket; the server serves on",
          "[net][http_server][websocket][task_failure]")
{
    net_log log;
    asio::io_context ioc;
    echo_endpoint endpoint;
    one_fault fault(net::task::http_ws_writer);
    net::http_server server(ioc, {}, path_echo, endpoint.router());
    REQUIRE(server.start().empty());
    const auto url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws";
    const auto before = failures(net::task::http_ws_writer);

    ws_client first(ioc, {}, url);
    fault.armed->store(true);
    first.ws.send("hello");   // its echo is what the writer throws on
    REQUIRE(test::run_until(ioc, [&] { return !first.open; }));
    CHECK(first.frames.empty());
    REQUIRE(test::run_until(ioc, [&] { return failures(net::task::http_ws_writer) == before + 1; }));
    CHECK(log.reported(net::task::http_ws_writer));
    REQUIRE(test::run_until(ioc, [&] { return endpoint.closes.size() == 1; }));
    CHECK(test::run_until(ioc, [&] { return server.stats().open_websockets == 0; }));

    ws_client second(ioc, {}, url);
    second.ws.send("again");
    REQUIRE(test::run_until(ioc, [&] { return second.frames.size() == 1; }));
    CHECK(second.frames[0] == "echo again");
}

TEST_CASE("An exception in a client websocket's writer is reported and aborts that connection, so its reader ends",
          "[net][websocket][task_failure]")
{
    net_log log;
    asio::io_context ioc;
    echo_endpoint endpoint;
    net::http_server server(ioc, {}, path_echo, endpoint.router());
    REQUIRE(server.start().empty());
    const auto url = "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws";
    const auto before = failures(net::task::ws_writer);
    one_fault fault(net::task::ws_writer);
    const net::ws_options o;

    ws_client first(ioc, o, url);
    first.ws.send("one");
    REQUIRE(test::run_until(ioc, [&] { return first.frames.size() == 1; }));
    fault.armed->store(true);
    first.ws.send("two");
    REQUIRE(test::run_until(ioc, [&] { return !first.open; }));
    CHECK(first.frames.size() == 1);
    CHECK_FALSE(first.ws.is_open());
    REQUIRE(test::run_until(ioc, [&] { return failures(net::task::ws_writer) == before + 1; }));
    CHECK(log.reported(net::task::ws_writer));

    ws_client second(ioc, o, url);   // a new connection works (what a platform's reconnect does)
    second.ws.send("three");
    REQUIRE(test::run_until(ioc, [&] { return second.frames.size() == 1; }));
    CHECK(second.frames[0] == "echo three");
}

TEST_CASE("The network task failure counter exists at 0 for every task before any failure", "[net][task_failure]")
{
    net::declare_task_failure_metrics();
    auto text = core::metrics::global().render_prometheus();
    CHECK(text.find("# HELP nudgebot_net_task_failures_total") != std::string::npos);
    for (auto t : {net::task::http_connection, net::task::http_accept, net::task::http_ws_writer, net::task::ws_writer})
        CHECK(text.find("nudgebot_net_task_failures_total{task=\"" + std::string(t) + "\"}") != std::string::npos);
}
