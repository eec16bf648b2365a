// /livez and /readyz: what an orchestrator's probes see.
#include "ops/endpoints.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nudgebot;
using nlohmann::json;

TEST_CASE("/livez stays 200 while /readyz says 503 when a platform or the store is down", "[app][ops]")
{
    core::metrics registry;
    bool ready = false;
    ops::health_fn health = [&] {
        registry.gauge("nudgebot_ready").set(ready ? 1 : 0);
        return ops::health_report{ready, {{"platforms", 1}, {"store_reachable", ready ? 1u : 0u}}};
    };
    net::server_request get;
    get.method = "GET";

    get.target = "/livez";
    auto live = ops::answer(get, health, registry);
    CHECK(live.status == 200);
    CHECK(json::parse(live.body)["status"] == "alive");

    get.target = "/readyz";
    auto r = ops::answer(get, health, registry);
    CHECK(r.status == 503);
    CHECK(json::parse(r.body)["store_reachable"] == 0);
    get.target = "/healthz";
    CHECK(ops::answer(get, health, registry).status == 503);

    // /metrics asks the health function first, so the state gauges are current.
    ready = true;
    get.target = "/metrics";
    CHECK(ops::answer(get, health, registry).body.find("nudgebot_ready 1\n") != std::string::npos);
    get.target = "/readyz";
    CHECK(ops::answer(get, health, registry).status == 200);
    get.target = "/livez";
    CHECK(ops::answer(get, health, registry).status == 200);
}
