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
    // A reload reads the config file again (nudges.* included): it names the same rules folder and
    // the same cooldown.
    auto text = with_rules_dir(w.config_text, rules);
    text.replace(text.find(R"("storage")"), 9, R"("nudges": {"cooldown_minutes": 0}, "storage")");
    w.write_config(text);
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

TEST_CASE("A reload applies log.level, names each changed restart-only key, and a broken config keeps everything "
          "in use",
          "[app][e2e][reload]")
{
    world w;
    w.start();
    REQUIRE(spdlog::get_level() == spdlog::level::debug);

    // log.level reloads; storage.url and ops.listen wait for the next start (and say so by name).
    auto text = w.config_text;
    text.replace(text.find(R"("level": "debug")"), 16, R"("level": "warn")");
    text.replace(text.find("127.0.0.1:0"), 11, "127.0.0.1:9");
    text.replace(text.find("nudgebot.db"), 11, "elsewhere.db");
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
    const auto file = (w.dir / "config.json").string();
    for (const char* key : {"storage.url", "ops.listen"})
        CHECK(logs.find(std::string("reload: ") + key + " changed in " + file +
                        " but is restart-only: the running bot keeps the value it started with until the next "
                        "start") != std::string::npos);
    CHECK(logs.find("reload: log.level") == std::string::npos);   // reloadable: not named as waiting
    CHECK(logs.find("reload: " + file + ":2:") != std::string::npos);
    CHECK(logs.find("keeping the configuration and rules in use") != std::string::npos);
}

TEST_CASE("SIGHUP applies a changed default sensitivity and daily cap to the next message; a broken config or "
          "pack keeps the old ones entirely",
          "[app][run][signals][reload]")
{
    world w;
    const auto rules = w.dir / "rules";
    fs::copy(NUDGEBOT_SOURCE_DIR "/rules/en", rules, fs::copy_options::recursive);
    // The config file with the copied rules, a daily cap and a default sensitivity.
    const auto config_with = [&](int daily_cap, const char* sensitivity, const std::string& mistake = "") {
        auto text = with_rules_dir(w.config_text, rules);
        text.replace(text.find(R"("rules": {)"), 10,
                     std::string(R"("nudges": {"cooldown_minutes": 0, "daily_cap": )") + std::to_string(daily_cap) +
                         "}, " + mistake + R"("rules": {"sensitivity": ")" + sensitivity + R"(", )");
        return w.write_config(text);
    };
    const auto file = config_with(1, "medium");
    std::ostringstream err;
    std::atomic<int> code{-1};
    std::thread runner([&] { code = app::run_bot({file}, err, w.hooks()); });
    REQUIRE(eventually([&] { return w.fake.count_rest("PUT", "/api/v10/applications/") >= 1; }));
    const auto status_says = [&](const std::string& what) {
        auto a = w.wait_answer(w.command(alice, "nudge", "status"));
        return a && a->content.find(what) != std::string::npos;
    };
    const auto hangup_and_wait = [&](const char* result) {
        const auto before = reloads(result);
        ::kill(::getpid(), SIGHUP);
        return eventually([&] { return reloads(result) == before + 1; });
    };

    auto on = w.wait_answer(w.command(alice, "nudge", "on"));
    REQUIRE(on);
    CHECK(on->content.find("1 a day") != std::string::npos);
    CHECK(status_says("This server: sensitivity medium"));
    w.say(alice, hostile, "1100000000000000001");
    REQUIRE(eventually([&] { return w.dms_to(alice).size() == 1; }));
    w.say(alice, hostile, "1100000000000000001");
    w.settle();
    CHECK(w.dms_to(alice).size() == 1);   // the cap of 1 holds

    // The reload raises the cap to 2 and the default sensitivity to high: both reach the next message.
    config_with(2, "high");
    REQUIRE(hangup_and_wait("ok"));
    CHECK(status_says("This server: sensitivity high"));
    w.say(alice, hostile, "1100000000000000001");
    REQUIRE(eventually([&] { return w.dms_to(alice).size() == 2; }));
    w.say(alice, hostile, "1100000000000000001");
    w.settle();
    CHECK(w.dms_to(alice).size() == 2);   // today's count was kept: 2 of 2

    // A mistake in the config beside a higher cap and another sensitivity: none of it is applied.
    config_with(5, "low", R"("mistake": 1, )");
    REQUIRE(hangup_and_wait("failed"));
    w.say(alice, hostile, "1100000000000000001");
    w.settle();
    CHECK(w.dms_to(alice).size() == 2);
    CHECK(status_says("This server: sensitivity high"));

    // A valid config with a broken pack: the config's new values are not applied either.
    config_with(5, "low");
    const auto pack = rules / "conflict.json";
    std::ofstream(pack) << "{\n  \"id\": \"conflict\",\n  \"rules\": [\n    {\"id\": 7}\n  ]\n}\n";
    REQUIRE(hangup_and_wait("failed"));
    w.say(alice, hostile, "1100000000000000001");
    w.settle();
    CHECK(w.dms_to(alice).size() == 2);
    CHECK(status_says("This server: sensitivity high"));

    ::kill(::getpid(), SIGTERM);
    const bool ended = eventually([&] { return code.load() != -1; }, 5000ms);
    if (!ended) ::kill(::getpid(), SIGINT);   // never leave the thread running
    runner.join();
    CHECK(code.load() == app::exit_ok);
    const auto logs = w.logs.text();
    CHECK(logs.find("reload: nudges in use: daily_cap 2, cooldown_minutes 0, context_minutes 30, context_messages "
                    "50, default_style gentle, crisis_country \"\"") != std::string::npos);
    CHECK(logs.find("reload: default sensitivity high") != std::string::npos);
    CHECK(logs.find("reload: " + file + ":2:") != std::string::npos);   // the unknown key, with its position
    CHECK(logs.find("reload: " + pack.string() + ":") != std::string::npos);
    CHECK(logs.find("restart-only") == std::string::npos);   // nothing restart-only changed
}
