#include "app/config_reload.hpp"

#include "commands/bot_state.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace nudgebot;
using Catch::Matchers::Equals;

namespace {

app::config parsed(const std::string& text)
{
    core::diagnostics diags;
    auto cfg = app::parse_config(text, "cfg.json", diags);
    INFO(diags.to_string());
    REQUIRE(cfg);
    return *cfg;
}

}  // namespace

TEST_CASE("A reload names each changed restart-only key and none of the reloadable ones", "[app][config][reload]")
{
    const auto in_use = parsed(R"({
      "storage": {"url": "sqlite:/var/lib/nudgebot/a.db"},
      "ops": {"listen": "127.0.0.1:9464"},
      "platforms": {"discord": {"enabled": true, "shards": {"count": 4, "ids": [0, 1]}}}
    })");
    CHECK(app::restart_only_changes(in_use, in_use).empty());

    // Reloadable: log level, rules, every nudges key.
    const auto reloadable = parsed(R"({
      "storage": {"url": "sqlite:/var/lib/nudgebot/a.db"},
      "ops": {"listen": "127.0.0.1:9464"},
      "log": {"level": "warn"},
      "rules": {"sensitivity": "high"},
      "nudges": {"daily_cap": 9, "cooldown_minutes": 1, "context_minutes": 5, "context_messages": 10,
                 "default_style": "direct", "crisis_country": "GB"},
      "platforms": {"discord": {"enabled": true, "shards": {"count": 4, "ids": [0, 1]}}}
    })");
    CHECK(app::restart_only_changes(in_use, reloadable).empty());

    // Restart-only: the database, the listener, the log format, the token variable and the shards.
    const auto fresh = parsed(R"({
      "storage": {"url": "sqlite:/var/lib/nudgebot/b.db"},
      "ops": {"listen": "127.0.0.1:9465"},
      "log": {"format": "json"},
      "platforms": {"discord": {"enabled": true, "token_env": "OTHER_TOKEN", "shards": {"count": 4, "ids": [2, 3]}}}
    })");
    CHECK_THAT(app::restart_only_changes(in_use, fresh),
               Equals(std::vector<std::string>{"storage.url", "log.format", "ops.listen",
                                               "platforms.discord.token_env", "platforms.discord.shards.ids"}));
}

TEST_CASE("The routers' options follow nudges and rules.sensitivity", "[app][config][reload]")
{
    const auto cfg = parsed(R"({
      "rules": {"sensitivity": "low"},
      "nudges": {"daily_cap": 5, "cooldown_minutes": 2, "context_minutes": 7, "context_messages": 12,
                 "default_style": "direct", "crisis_country": "GB"}
    })");
    auto o = app::router_options(cfg, {"conflict", "distress"});
    CHECK(o.policy.daily_cap == 5);
    CHECK(o.policy.user_cooldown == std::chrono::minutes(2));
    CHECK(o.context.window == std::chrono::minutes(7));
    CHECK(o.context.max_turns == 12);
    CHECK(o.server_defaults.sensitivity == "low");
    CHECK(o.default_style == storage::style::direct);
    CHECK(o.default_crisis_country == "GB");
    CHECK_THAT(o.packs, Equals(std::vector<std::string>{"conflict", "distress"}));
}
