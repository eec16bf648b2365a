// `nudgebot run`: start-up failures (exit 2), fatal platform errors (exit 3), graceful shutdown on
// SIGTERM (exit 0), and the ops answers, through app::run_bot and the fake Discord.
#include "app/run.hpp"

#include "app/e2e_world.hpp"
#include "ops/endpoints.hpp"
#include "storage/store.hpp"

#include <csignal>

using namespace nudgebot;
using namespace nudgebot::e2e;

namespace {

int run_with(world& w, const std::string& config_file, std::ostringstream& err, app::wiring_hooks hooks)
{
    return app::run_bot({config_file}, err, std::move(hooks));
}

}  // namespace

TEST_CASE("A config with mistakes stops the start with exit 2 and every mistake in file:line:col form",
          "[app][run]")
{
    world w;
    auto file = w.write_config(R"({
      "nudges": {"daily_cap": "three"},
      "platforms": {"discord": {"enabled": true, "token_env": "E2E_DISCORD_TOKEN", "shards": {"count": -1}}}
    })");
    std::ostringstream err;
    CHECK(run_with(w, file, err, w.hooks()) == app::exit_startup);
    CHECK(err.str().find(file + ":2:") != std::string::npos);
    CHECK(err.str().find(": error: ") != std::string::npos);
    CHECK(w.fake.identifies() == 0);
    CHECK(w.fake.rest_requests().empty());

    std::ostringstream missing;
    CHECK(app::run_bot({(w.dir / "absent.json").string()}, missing, w.hooks()) == app::exit_startup);
    CHECK(missing.str().find("absent.json") != std::string::npos);
    std::ostringstream none;
    CHECK(app::run_bot({""}, none, w.hooks()) == app::exit_startup);
    CHECK(none.str().find("--config") != std::string::npos);
}

TEST_CASE("A missing token is reported by the name of its variable and nothing connects", "[app][run][privacy]")
{
    world w;
    auto file = w.write_config();
    auto hooks = w.hooks();
    hooks.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    std::ostringstream err;
    CHECK(run_with(w, file, err, hooks) == app::exit_startup);
    CHECK(err.str().find("E2E_DISCORD_TOKEN") != std::string::npos);
    CHECK(w.fake.rest_requests().empty());

    hooks.getenv = [](const std::string&) -> std::optional<std::string> { return std::string(); };
    std::ostringstream empty;
    CHECK(run_with(w, file, empty, hooks) == app::exit_startup);
    CHECK(empty.str().find("E2E_DISCORD_TOKEN") != std::string::npos);
}

TEST_CASE("Broken rules, an unusable database or no enabled platform stop the start with exit 2", "[app][run]")
{
    world w;
    SECTION("rules that do not load are listed with their places")
    {
        auto text = w.config_text;
        auto at = text.find(NUDGEBOT_SOURCE_DIR "/rules/en");
        REQUIRE(at != std::string::npos);
        text.replace(at, std::string_view(NUDGEBOT_SOURCE_DIR "/rules/en").size(),
                     NUDGEBOT_SOURCE_DIR "/tests/app/data/broken_rules");
        std::ostringstream err;
        CHECK(run_with(w, w.write_config(text), err, w.hooks()) == app::exit_startup);
        CHECK(err.str().find("broken_rules/") != std::string::npos);
        CHECK(err.str().find(": error: ") != std::string::npos);
    }
    SECTION("a database that cannot be opened")
    {
        auto text = w.config_text;
        auto at = text.find("sqlite:");
        text.insert(at + 7, "/nonexistent-folder-for-e2e/");
        std::ostringstream err;
        CHECK(run_with(w, w.write_config(text), err, w.hooks()) == app::exit_startup);
        CHECK(err.str().find("storage.url") != std::string::npos);
    }
    SECTION("no platform enabled")
    {
        std::ostringstream err;
        CHECK(run_with(w, w.write_config("{}"), err, w.hooks()) == app::exit_startup);
        CHECK(err.str().find("no platform is enabled") != std::string::npos);
    }
    CHECK(w.fake.identifies() == 0);
}

TEST_CASE("A token Discord rejects ends the run with exit 3 and a clear log line, without a retry storm",
          "[app][run][discord]")
{
    world w;
    w.fake.on_rest([](const test::fake_request& r) -> std::optional<test::fake_response> {
        if (r.target.find("/gateway/bot") != std::string::npos) {
            test::fake_response unauthorized;
            unauthorized.status = 401;
            unauthorized.body = R"({"message": "401: Unauthorized", "code": 0})";
            return unauthorized;
        }
        return std::nullopt;
    });
    std::ostringstream err;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(run_with(w, w.write_config(), err, w.hooks()) == app::exit_fatal_platform);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    CHECK(w.fake.count_rest("GET", "/api/v10/gateway/bot") <= 2);
    CHECK(w.fake.identifies() == 0);
    const auto logs = w.logs.text();
    CHECK(logs.find("restarting will not help") != std::string::npos);
    CHECK(logs.find(world::token) == std::string::npos);
}

TEST_CASE("SIGTERM shuts the bot down gracefully: connections closed, the opt-in kept, exit 0", "[app][run][signals]")
{
    world w;
    auto file = w.write_config();
    std::ostringstream err;
    std::atomic<int> code{-1};
    std::thread runner([&] { code = run_with(w, file, err, w.hooks()); });
    REQUIRE(eventually([&] { return w.fake.count_rest("PUT", "/api/v10/applications/") >= 1; }));
    const person alice{"900000000000000011", "alice"};
    auto on = w.command(alice, "nudge", "on");
    REQUIRE(w.wait_answer(on));

    ::kill(::getpid(), SIGTERM);
    const bool ended = eventually([&] { return code.load() != -1; }, 5000ms);
    if (!ended) ::kill(::getpid(), SIGINT);   // never leave the thread running
    runner.join();
    CHECK(ended);
    CHECK(code.load() == app::exit_ok);
    CHECK(eventually([&] { return w.fake.open_connections() == 0; }, 2000ms));
    CHECK(w.logs.text().find("signal 15 received") != std::string::npos);

    auto store = storage::make_store("sqlite:" + w.db());
    auto consent = store->get_consent({core::platform::discord, core::user_id{alice.id}});
    REQUIRE(consent);
    CHECK(consent->enabled);
}

TEST_CASE("/healthz says 503 with counts when a platform has no running shard and odd requests are refused",
          "[app][ops]")
{
    core::metrics registry;
    registry.counter("nudgebot_nudges_total", {{"situation", "own_heated"}}).add(2);
    ops::health_fn sick = [] { return ops::health_report{false, {{"shards_running", 0}, {"platforms", 1}}}; };
    net::server_request get;
    get.method = "GET";
    get.target = "/healthz";
    auto h = ops::answer(get, sick, registry);
    CHECK(h.status == 503);
    auto body = json::parse(h.body, nullptr, false);
    REQUIRE(body.is_object());
    CHECK(body["status"] == "unavailable");
    CHECK(body["shards_running"] == 0);

    get.target = "/metrics?x=1";
    auto m = ops::answer(get, sick, registry);
    CHECK(m.status == 200);
    CHECK(m.content_type.find("text/plain; version=0.0.4") == 0);
    CHECK(m.body.find("nudgebot_nudges_total{situation=\"own_heated\"} 2") != std::string::npos);
    CHECK(m.body.find("process_open_fds ") != std::string::npos);

    net::server_request post;
    post.method = "POST";
    post.target = "/metrics";
    post.body = "ignored";
    CHECK(ops::answer(post, sick, registry).status == 405);
    get.target = "/";
    CHECK(ops::answer(get, sick, registry).status == 404);
}
