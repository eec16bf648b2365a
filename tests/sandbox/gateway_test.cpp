#include "sandbox/server.hpp"

#include "net/websocket.hpp"
#include "support/run_until.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>

using namespace nudgebot;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

json fixture(const std::string& name)
{
    std::ifstream in(std::string(NUDGEBOT_SOURCE_DIR) + "/../shared/fixtures/discord/" + name);
    if (!in) return json();
    return json::parse(in, nullptr, false);
}

// A bare gateway client: what any Discord library does, frame by frame (no zlib).
struct raw_client {
    asio::io_context& ioc;
    net::ws_connection ws;
    std::vector<json> frames;
    bool open = true;
    int close_code = 0;

    raw_client(asio::io_context& c, const std::string& url) : ioc(c), ws(c, {})
    {
        std::optional<std::string> connected;
        asio::co_spawn(
            ioc, [&]() -> asio::awaitable<void> { connected = co_await ws.connect(url); }, asio::detached);
        REQUIRE(test::run_until(ioc, [&] { return connected.has_value(); }));
        REQUIRE(connected->empty());
        asio::co_spawn(
            ioc,
            [this]() -> asio::awaitable<void> {
                for (;;) {
                    auto r = co_await ws.read();
                    if (!r.ok) {
                        close_code = r.close_code;
                        break;
                    }
                    frames.push_back(json::parse(r.data, nullptr, false));
                }
                open = false;
            },
            asio::detached);
    }

    const json* wait_for(const std::string& type)
    {
        const json* found = nullptr;
        test::run_until(ioc, [&] {
            for (const auto& f : frames)
                if (f.is_object() && f.value("t", json()).is_string() && f["t"] == type) found = &f;
            return found != nullptr;
        });
        return found;
    }
};

}  // namespace

TEST_CASE("A plain gateway client gets Discord's HELLO, READY and GUILD_CREATE shapes", "[sandbox][protocol]")
{
    asio::io_context ioc;
    sandbox::server_options o;
    o.bot_token = "secret";
    sandbox::server server(ioc, o);
    REQUIRE(server.start().empty());
    raw_client c(ioc, server.gateway_url() + "?v=10&encoding=json");
    REQUIRE(test::run_until(ioc, [&] { return !c.frames.empty(); }));
    auto hello = fixture("hello.json");
    CHECK(c.frames[0]["op"] == 10);
    if (hello.is_object()) CHECK(c.frames[0]["d"].contains("heartbeat_interval") == hello["d"].contains("heartbeat_interval"));

    auto identify = fixture("identify_minimal.json");
    if (!identify.is_object()) identify = json{{"op", 2}, {"d", {{"token", ""}, {"intents", 513}, {"properties", json::object()}}}};
    identify["d"]["token"] = "secret";
    c.ws.send(identify.dump());
    const json* ready = c.wait_for("READY");
    REQUIRE(ready);
    CHECK((*ready)["s"] == 1);
    const auto& d = (*ready)["d"];
    CHECK(d["v"] == 10);
    CHECK(d["user"]["id"] == sandbox::bot_user_id);
    CHECK(d["user"]["bot"] == true);
    CHECK(d["application"]["id"] == sandbox::application_id);
    CHECK(d["session_id"].is_string());
    CHECK(d["resume_gateway_url"].get<std::string>().rfind("ws://127.0.0.1:", 0) == 0);
    CHECK(d["guilds"][0]["unavailable"] == true);
    const json* guild = c.wait_for("GUILD_CREATE");
    REQUIRE(guild);
    CHECK((*guild)["d"]["channels"].size() == 3);
    CHECK((*guild)["d"]["members"].size() == 6);

    // Heartbeat → ACK.
    c.ws.send(R"({"op":1,"d":2})");
    REQUIRE(test::run_until(ioc, [&] { return c.frames.back()["op"] == 11; }));

    // RESUME on a new connection replays what was missed, then RESUMED.
    auto session = d["session_id"].get<std::string>();
    c.ws.abort();
    raw_client again(ioc, server.gateway_url());
    again.ws.send(json{{"op", 6}, {"d", {{"token", "secret"}, {"session_id", session}, {"seq", 1}}}}.dump());
    const json* resumed = again.wait_for("RESUMED");
    REQUIRE(resumed);
    CHECK(again.wait_for("GUILD_CREATE"));   // seq 2, replayed
    raw_client unknown(ioc, server.gateway_url());
    unknown.ws.send(json{{"op", 6}, {"d", {{"token", "secret"}, {"session_id", "nope"}, {"seq", 1}}}}.dump());
    REQUIRE(test::run_until(ioc, [&] { return unknown.frames.size() == 2; }));
    CHECK(unknown.frames[1] == json{{"op", 9}, {"d", false}});
}

TEST_CASE("Bad gateway input is closed with Discord's close codes and does not disturb others",
          "[sandbox][protocol][bad-input]")
{
    asio::io_context ioc;
    sandbox::server_options o;
    o.bot_token = "secret";
    sandbox::server server(ioc, o);
    REQUIRE(server.start().empty());

    raw_client wrong_token(ioc, server.gateway_url());
    wrong_token.ws.send(R"({"op":2,"d":{"token":"guess","intents":513,"properties":{}}})");
    REQUIRE(test::run_until(ioc, [&] { return !wrong_token.open; }));
    CHECK(wrong_token.close_code == 4004);

    raw_client garbage(ioc, server.gateway_url());
    garbage.ws.send("{not json");
    REQUIRE(test::run_until(ioc, [&] { return !garbage.open; }));
    CHECK(garbage.close_code == 4002);

    raw_client unknown_op(ioc, server.gateway_url());
    unknown_op.ws.send(R"({"op":99,"d":null})");
    REQUIRE(test::run_until(ioc, [&] { return !unknown_op.open; }));
    CHECK(unknown_op.close_code == 4001);

    raw_client good(ioc, server.gateway_url());
    good.ws.send(R"({"op":2,"d":{"token":"secret","intents":513,"properties":{}}})");
    REQUIRE(good.wait_for("READY"));
    good.ws.send(R"({"op":2,"d":{"token":"secret","intents":513,"properties":{}}})");
    REQUIRE(test::run_until(ioc, [&] { return !good.open; }));
    CHECK(good.close_code == 4005);
    CHECK(server.bot_ready());
}
