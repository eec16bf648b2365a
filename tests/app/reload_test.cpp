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

// The config text with the shipped rules folder replaced by `rules`.
std::string with_rules_dir(std::string text, const fs::path& rules)
{
    const std::string shipped = NUDGEBOT_SOURCE_DIR "/rules/en";
    text.replace(text.find(shipped), shipped.size(), rules.string());
    return text;
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
    // A reload reads the config file again: it names the same rules folder.
    w.write_config(with_rules_dir(w.config_text, rules));
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
    CHECK(logs.find("keeping the configuration and rules in use") != std::string::npos);
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

TEST_CASE("A reload applies log.level, names the changed keys that wait for a restart, and a broken config "
          "keeps everything in use",
          "[app][e2e][reload]")
{
    world w;
    w.start();
    REQUIRE(spdlog::get_level() == spdlog::level::debug);

    // log.level reloads; nudges.* waits for the next start (and says so).
    auto text = w.config_text;
    text.replace(text.find(R"("level": "debug")"), 16, R"("level": "warn")");
    text.replace(text.find(R"("storage")"), 9, R"("nudges": {"daily_cap": 7}, "storage")");
    w.write_config(text);
    const auto ok_before = reloads("ok");
    w.bot->reload();
    REQUIRE(eventually([&] { return reloads("ok") == ok_before + 1; }));
    CHECK(spdlog::get_level() == spdlog::level::warn);

    // A mistake in the config: nothing changes, the mistake is named with its position.
    std::ofstream(w.dir / "config.json") << "{\n  \"log\": {\"level\": \"shout\"}\n}\n";
    const auto failed_before = reloads("failed");
    w.bot->reload();
    REQUIRE(eventually([&] { return reloads("failed") == failed_before + 1; }));
    CHECK(spdlog::get_level() == spdlog::level::warn);
    w.shutdown();
    const auto logs = w.logs.text();
    CHECK(logs.find("reload: nudges changed in " + (w.dir / "config.json").string() +
                    "; it takes effect at the next start") != std::string::npos);
    CHECK(logs.find("reload: " + (w.dir / "config.json").string() + ":2:") != std::string::npos);
    CHECK(logs.find("keeping the configuration and rules in use") != std::string::npos);
}
