// Reloading rule packs and suggestions while the bot runs (what SIGHUP does).
#include "app/wiring.hpp"

#include "app/e2e_world.hpp"
#include "app/run.hpp"
#include "core/metrics.hpp"

#include <csignal>

using namespace nudgebot;
using namespace nudgebot::e2e;

namespace {

const person alice{"900000000000000031", "alice"};
const std::string hostile = "you ALWAYS break the build, are you even trying??";   // written for this test

std::uint64_t reloads(const char* result)
{
    return core::metrics::global().value("nudgebot_reloads_total", {{"result", result}});
}

}  // namespace

TEST_CASE("A reload with a broken pack keeps the rules in use and names the mistake; a good one swaps them",
          "[app][e2e][reload]")
{
    world w;
    const auto rules = w.dir / "rules";
    fs::copy(NUDGEBOT_SOURCE_DIR "/rules/en", rules, fs::copy_options::recursive);
    w.cfg.rules.dir = rules.string();
    w.cfg.nudges.cooldown_minutes = 0;
    w.start();
    auto on = w.command(alice, "nudge", "on");
    REQUIRE(w.wait_answer(on));

    // A mistake in a pack: the reload is refused with file:line:col, the old rules keep working.
    const auto pack = rules / "conflict.json";
    std::string good;
    {
        std::ifstream in(pack);
        good.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::ofstream(pack) << "{\n  \"id\": \"conflict\",\n  oops\n}\n";
    const auto failed_before = reloads("failed");
    w.bot->reload();   // what SIGHUP does
    REQUIRE(eventually([&] { return reloads("failed") == failed_before + 1; }));
    w.say(alice, hostile, "1100000000000000001");
    REQUIRE(eventually([&] { return w.dms_to(alice).size() == 1; }));

    // The pack mended: the reload goes through.
    std::ofstream(pack) << good;
    const auto ok_before = reloads("ok");
    w.bot->reload();
    REQUIRE(eventually([&] { return reloads("ok") == ok_before + 1; }));
    w.say(alice, hostile, "1100000000000000002");
    REQUIRE(eventually([&] { return w.dms_to(alice).size() == 2; }));
    w.shutdown();
    const auto logs = w.logs.text();
    CHECK(logs.find("reload: " + pack.string() + ":3:") != std::string::npos);
    CHECK(logs.find("keeping the rules in use") != std::string::npos);
    CHECK(logs.find("reload: rules and suggestions from " + rules.string() + " in use") != std::string::npos);
}

TEST_CASE("SIGHUP reloads the rules of a running `nudgebot run` instead of ending it", "[app][run][signals][reload]")
{
    world w;
    const auto rules = w.dir / "rules";
    fs::copy(NUDGEBOT_SOURCE_DIR "/rules/en", rules, fs::copy_options::recursive);
    auto text = w.config_text;
    const std::string shipped = NUDGEBOT_SOURCE_DIR "/rules/en";
    text.replace(text.find(shipped), shipped.size(), rules.string());
    auto file = w.write_config(text);
    std::ostringstream err;
    std::atomic<int> code{-1};
    std::thread runner([&] { code = app::run_bot({file}, err, w.hooks()); });
    REQUIRE(eventually([&] { return w.fake.count_rest("PUT", "/api/v10/applications/") >= 1; }));

    std::ofstream(rules / "distress.json") << "[1, 2,\n";
    const auto failed_before = reloads("failed");
    ::kill(::getpid(), SIGHUP);
    const bool reloaded = eventually([&] { return reloads("failed") == failed_before + 1; });
    const bool still_running = code.load() == -1;

    ::kill(::getpid(), SIGTERM);
    const bool ended = eventually([&] { return code.load() != -1; }, 5000ms);
    if (!ended) ::kill(::getpid(), SIGINT);   // never leave the thread running
    runner.join();
    CHECK(reloaded);
    CHECK(still_running);
    CHECK(code.load() == app::exit_ok);
    CHECK(w.logs.text().find("reload: " + (rules / "distress.json").string() + ":") != std::string::npos);
}
