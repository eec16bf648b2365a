#include "app/config.hpp"

#include <cstdio>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "app/verbs.hpp"

using namespace nudgebot;

namespace {

// Parses `text` as "cfg.json" and returns every diagnostic, sorted, one per line.
std::string problems(std::string_view text)
{
    core::diagnostics diags;
    (void)app::parse_config(text, "cfg.json", diags);
    return diags.to_string();
}

// A fake Discord-shaped token (three base64url parts); not a real credential.
const std::string fake_discord_token = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123";

}  // namespace

TEST_CASE("An empty config object is valid and takes every default", "[app][config]")
{
    core::diagnostics diags;
    const auto cfg = app::parse_config("{}", "cfg.json", diags);
    REQUIRE(cfg);
    CHECK(diags.items().empty());
    CHECK(cfg->rules.dir.empty());
    CHECK(cfg->rules.sensitivity == engine::sensitivity::medium);
    CHECK(cfg->storage.url == "sqlite:nudgebot.db");
    CHECK(cfg->nudges.cooldown_minutes == 240);
    CHECK(cfg->nudges.daily_cap == 3);
    CHECK(cfg->nudges.context_minutes == 30);
    CHECK(cfg->nudges.context_messages == 50);
    CHECK(cfg->nudges.default_style == app::suggestion_style::gentle);
    CHECK(cfg->log.level == "info");
    CHECK(cfg->log.format == app::log_format::text);
    CHECK(cfg->ops.host == "127.0.0.1");
    CHECK(cfg->ops.port == 9464);
    CHECK_FALSE(cfg->discord.enabled);
    CHECK(cfg->discord.token_env == "DISCORD_TOKEN");
    CHECK(cfg->discord.api_base == "https://discord.com/api/v10");
    CHECK(cfg->discord.intent_bits == 37377);
    CHECK_FALSE(cfg->discord.shard_count);
    CHECK(cfg->discord.compress);
    CHECK_FALSE(cfg->slack.enabled);
    CHECK_FALSE(cfg->mattermost.enabled);
}

TEST_CASE("The example config shipped in the repository is valid", "[app][config]")
{
    core::diagnostics diags;
    const auto cfg = app::load_config(NUDGEBOT_SOURCE_DIR "/config.example.json", diags);
    INFO(diags.to_string());
    REQUIRE(cfg);
    CHECK(diags.items().empty());
    CHECK(cfg->discord.enabled);
    CHECK(cfg->discord.intents.size() == 4);
}

TEST_CASE("Values in the file replace the defaults", "[app][config]")
{
    core::diagnostics diags;
    const auto cfg = app::parse_config(R"({
      "rules": {"dir": "/opt/packs", "sensitivity": "high"},
      "storage": {"url": "postgresql://bot@db.internal/nudgebot"},
      "nudges": {"cooldown_minutes": 0, "daily_cap": 10, "default_style": "direct"},
      "log": {"level": "debug", "format": "json"},
      "ops": {"listen": "[::1]:0"},
      "platforms": {"discord": {"enabled": true, "token_env": "MY_BOT_TOKEN",
                                "api_base": "http://127.0.0.1:8080/api/v10",
                                "gateway_url": "ws://localhost:8080/gateway",
                                "intents": ["GUILDS", "GUILD_MESSAGES", "MESSAGE_CONTENT"],
                                "shards": {"count": 4, "ids": [2, 3]}, "compress": false,
                                "dev_guild_id": "123456789012345678"}}
    })", "cfg.json", diags);
    INFO(diags.to_string());
    REQUIRE(cfg);
    CHECK(cfg->rules.dir == "/opt/packs");
    CHECK(cfg->rules.sensitivity == engine::sensitivity::high);
    CHECK_FALSE(cfg->storage.is_sqlite());
    CHECK(cfg->nudges.cooldown_minutes == 0);
    CHECK(cfg->nudges.daily_cap == 10);
    CHECK(cfg->nudges.default_style == app::suggestion_style::direct);
    CHECK(cfg->log.level == "debug");
    CHECK(cfg->log.format == app::log_format::json);
    CHECK(cfg->ops.host == "::1");
    CHECK(cfg->ops.port == 0);
    CHECK(cfg->discord.token_env == "MY_BOT_TOKEN");
    CHECK(cfg->discord.gateway_url == "ws://localhost:8080/gateway");
    CHECK(cfg->discord.intent_bits == (1u | 512u | 32768u));
    CHECK(cfg->discord.shard_count == 4u);
    CHECK(cfg->discord.shard_ids == std::vector<std::uint32_t>{2, 3});
    CHECK_FALSE(cfg->discord.compress);
    CHECK(cfg->discord.dev_guild_id == "123456789012345678");
}

TEST_CASE("Relative paths resolve against the config file's folder", "[app][config]")
{
    core::diagnostics diags;
    const auto cfg = app::parse_config(
        R"({"rules": {"dir": "packs/en"}, "storage": {"url": "sqlite:data/bot.db"},
            "platforms": {"discord": {"state_file": "state.json"}}})",
        "/etc/nudgebot/config.json", diags);
    REQUIRE(cfg);
    CHECK(cfg->rules.dir == "/etc/nudgebot/packs/en");
    CHECK(cfg->storage.sqlite_path() == "/etc/nudgebot/data/bot.db");
    CHECK(cfg->discord.state_file == "/etc/nudgebot/state.json");

    const auto memory = app::parse_config(R"({"storage": {"url": "sqlite::memory:"}})",
                                          "/etc/nudgebot/config.json", diags);
    REQUIRE(memory);
    CHECK(memory->storage.sqlite_path() == ":memory:");
}

TEST_CASE("An unknown key is reported at the key with a suggestion", "[app][config]")
{
    CHECK(problems("{\n  \"nudges\": {\"daily_cpa\": 2}\n}") ==
          "cfg.json:2:14: error: unknown key \"daily_cpa\" in nudges; did you mean \"daily_cap\"?\n");
    CHECK(problems("{\"colour\": 1}") ==
          "cfg.json:1:2: error: unknown key \"colour\" at top level (allowed: rules, storage, "
          "nudges, log, ops, platforms)\n");
}

TEST_CASE("A wrong type is reported at the value", "[app][config]")
{
    CHECK(problems("{\"nudges\": {\"daily_cap\": \"3\"}}") ==
          "cfg.json:1:26: error: nudges.daily_cap: expected an integer, got a string\n");
    CHECK(problems("{\"platforms\": {\"discord\": {\"enabled\": 1}}}") ==
          "cfg.json:1:39: error: platforms.discord.enabled: expected a boolean, got an integer\n");
    CHECK(problems("[]") == "cfg.json:1:1: error: top level: expected an object, got an array\n");
}

TEST_CASE("Bad values are reported with what was expected", "[app][config]")
{
    CHECK(problems(R"({"nudges": {"daily_cap": 500}})") ==
          "cfg.json:1:26: error: nudges.daily_cap: must be between 0 and 100, got 500\n");
    CHECK(problems(R"({"nudges": {"default_style": "soft"}})") ==
          "cfg.json:1:30: error: nudges.default_style: expected one of \"gentle\", \"direct\", "
          "got \"soft\"\n");
    CHECK(problems(R"({"rules": {"sensitivity": "max"}})") ==
          "cfg.json:1:27: error: rules.sensitivity: expected one of \"low\", \"medium\", \"high\", "
          "got \"max\"\n");
    CHECK(problems(R"({"storage": {"url": "mysql://db/x"}})") ==
          "cfg.json:1:21: error: storage.url: expected \"sqlite:PATH\" or \"postgresql://...\", "
          "got \"mysql://db/x\"\n");
    CHECK(problems(R"({"ops": {"listen": "9464"}})") ==
          "cfg.json:1:20: error: ops.listen: expected \"ADDRESS:PORT\" such as \"127.0.0.1:9464\" "
          "or \"[::1]:9464\", got \"9464\"\n");
    CHECK(problems(R"({"ops": {"listen": "0.0.0.0:70000"}})") ==
          "cfg.json:1:20: error: ops.listen: expected \"ADDRESS:PORT\" such as \"127.0.0.1:9464\" "
          "or \"[::1]:9464\", got \"0.0.0.0:70000\"\n");
    CHECK(problems(R"({"platforms": {"discord": {"intents": ["GUILDS", "GUILD_MESAGES", "GUILDS"]}}})") ==
          "cfg.json:1:50: error: platforms.discord.intents[1]: unknown gateway intent "
          "\"GUILD_MESAGES\"\n"
          "cfg.json:1:67: error: platforms.discord.intents[2]: intent \"GUILDS\" is listed twice\n");
    CHECK(problems(R"({"platforms": {"discord": {"token_env": "my token"}}})") ==
          "cfg.json:1:41: error: platforms.discord.token_env: expected the name of an environment "
          "variable (letters, digits and _), got \"my token\"\n");
    CHECK(problems(R"({"platforms": {"discord": {"dev_guild_id": 123456789012345678}}})") ==
          "cfg.json:1:44: error: platforms.discord.dev_guild_id: expected a server id as a string "
          "of digits (ids do not fit a JSON number), got an integer\n");
}

TEST_CASE("Shard settings must agree with each other", "[app][config]")
{
    CHECK(problems(R"({"platforms": {"discord": {"shards": {"count": 0}}}})") ==
          "cfg.json:1:48: error: platforms.discord.shards.count: expected a shard count from 1 to "
          "65535 or \"auto\", got 0\n");
    CHECK(problems(R"({"platforms": {"discord": {"shards": {"ids": [0]}}}})") ==
          "cfg.json:1:46: error: platforms.discord.shards.ids: choosing shard ids needs a numeric "
          "shards.count (every process must agree on it)\n");
    CHECK(problems(R"({"platforms": {"discord": {"shards": {"count": 2, "ids": [1, 2, 1]}}}})") ==
          "cfg.json:1:62: error: platforms.discord.shards.ids[1]: shard id must be between 0 and 1, "
          "got 2\n"
          "cfg.json:1:65: error: platforms.discord.shards.ids[2]: shard id 1 is listed twice\n");
}

TEST_CASE("Plain-text URLs are accepted only towards this machine", "[app][config]")
{
    CHECK(problems(R"({"platforms": {"discord": {"api_base": "http://discord.com/api"}}})") ==
          "cfg.json:1:40: error: platforms.discord.api_base: http:// is allowed only for loopback "
          "hosts (localhost, 127.0.0.1, ::1); use https://\n");
    CHECK(problems(R"({"platforms": {"discord": {"gateway_url": "ws://10.0.0.5/gw"}}})") ==
          "cfg.json:1:43: error: platforms.discord.gateway_url: ws:// is allowed only for loopback "
          "hosts (localhost, 127.0.0.1, ::1); use wss://\n");
    CHECK(problems(R"({"platforms": {"discord": {"api_base": "discord.com"}}})") ==
          "cfg.json:1:40: error: platforms.discord.api_base: expected a https:// URL, got "
          "\"discord.com\"\n");
    CHECK(problems(R"({"platforms": {"discord": {"api_base": "http://[::1]:8080/api"}}})").empty());
    CHECK(problems(R"({"platforms": {"discord": {"api_base": "http://127.0.0.9/api"}}})").empty());
    CHECK(problems(R"({"platforms": {"discord": {"api_base": "http://127.0.0.1.evil.example/api"}}})") ==
          "cfg.json:1:40: error: platforms.discord.api_base: http:// is allowed only for loopback "
          "hosts (localhost, 127.0.0.1, ::1); use https://\n");
    CHECK(problems(R"({"platforms": {"discord": {"api_base": "http://127.attacker.example/api"}}})") ==
          "cfg.json:1:40: error: platforms.discord.api_base: http:// is allowed only for loopback "
          "hosts (localhost, 127.0.0.1, ::1); use https://\n");
}

TEST_CASE("A token written in the file is an error and is never echoed", "[app][config][privacy]")
{
    const auto report =
        problems(R"({"platforms": {"discord": {"token_env": ")" + fake_discord_token + R"("}}})");
    CHECK(report ==
          "cfg.json:1:41: error: platforms.discord.token_env: looks like a secret token; never "
          "write tokens in the config file: put the token in an environment variable and name "
          "that variable in token_env\n");
    CHECK(report.find(fake_discord_token) == std::string::npos);

    // Anywhere in the file, and for the other platforms' token shapes too.
    CHECK(problems(R"({"log": {"level": "xoxb-1234567890-abcdefghij"}})").find(
              "cfg.json:1:19: error: log.level: looks like a secret token") == 0);
    CHECK(problems(R"({"platforms": {"mattermost": {"token_env": "9x1abc2def3ghi4jkl5mno6pqr"}}})")
              .find("looks like a secret token") != std::string::npos);
    CHECK(app::looks_like_token("Bot " + fake_discord_token));
    CHECK(app::looks_like_token("xapp-1-A012345-0123456789-abcdef"));
    CHECK_FALSE(app::looks_like_token("DISCORD_TOKEN"));
    CHECK_FALSE(app::looks_like_token("https://discord.com/api/v10"));
    CHECK_FALSE(app::looks_like_token("123456789012345678"));
}

TEST_CASE("A password in the PostgreSQL URL is only a warning", "[app][config]")
{
    core::diagnostics diags;
    const auto cfg = app::parse_config(R"({"storage": {"url": "postgresql://bot:secret@db/nb"}})",
                                       "cfg.json", diags);
    REQUIRE(cfg);
    CHECK(diags.to_string() ==
          "cfg.json:1:21: warning: storage.url: holds a password; prefer PGPASSWORD or ~/.pgpass "
          "so the file holds no secret\n");
}

TEST_CASE("Every mistake in a config is reported at once, sorted by position", "[app][config]")
{
    const auto report = problems(R"({
  "nudges": {
    "cooldown_minutes": -5,
    "default_style": "loud"
  },
  // comments are fine
  "log": {"format": "xml", "levle": "info"},
  "platforms": {"discord": {"compress": "yes"}}
})");
    CHECK(report ==
          "cfg.json:3:25: error: nudges.cooldown_minutes: must be between 0 and 10080, got -5\n"
          "cfg.json:4:22: error: nudges.default_style: expected one of \"gentle\", \"direct\", "
          "got \"loud\"\n"
          "cfg.json:7:21: error: log.format: expected one of \"text\", \"json\", got \"xml\"\n"
          "cfg.json:7:28: error: unknown key \"levle\" in log; did you mean \"level\"?\n"
          "cfg.json:8:41: error: platforms.discord.compress: expected a boolean, got a string\n");
}

TEST_CASE("A syntax error is reported with its position", "[app][config]")
{
    const auto report = problems("{\n  \"log\": {\"level\": \"info\",}\n}");
    CHECK(report.rfind("cfg.json:2:", 0) == 0);
    CHECK(report.find(": error: ") != std::string::npos);
}

TEST_CASE("config check prints ok for a valid file and exits 0", "[app][config][cli]")
{
    std::ostringstream out;
    std::ostringstream err;
    const int code = app::run_config_check({NUDGEBOT_SOURCE_DIR "/config.example.json"}, out, err);
    CHECK(code == 0);
    CHECK(out.str() == NUDGEBOT_SOURCE_DIR "/config.example.json: ok\n");
    CHECK(err.str().empty());
}

TEST_CASE("config check lists the problems and exits 1", "[app][config][cli]")
{
    const auto path = std::filesystem::temp_directory_path() / "nudgebot_config_check_test.json";
    {
        std::ofstream file(path);
        file << "{\"ops\": {\"listen\": 1}, \"nudges\": {\"daily_cap\": true}}";
    }
    std::ostringstream out;
    std::ostringstream err;
    const int code = app::run_config_check({path.string()}, out, err);
    std::filesystem::remove(path);
    CHECK(code == 1);
    CHECK(out.str().empty());
    CHECK(err.str() == path.string() + ":1:20: error: ops.listen: expected a string, got an integer\n" +
                           path.string() +
                           ":1:48: error: nudges.daily_cap: expected an integer, got a boolean\n");
}

TEST_CASE("config check reports a file that cannot be read", "[app][config][cli]")
{
    std::ostringstream out;
    std::ostringstream err;
    CHECK(app::run_config_check({"/nonexistent/nudgebot.json"}, out, err) == 1);
    CHECK(err.str() == "/nonexistent/nudgebot.json: error: cannot read the file: No such file or "
                       "directory\n");
}

TEST_CASE("config check on a folder reports it instead of crashing", "[app][config][cli][bad-input]")
{
    std::ostringstream out;
    std::ostringstream err;
    const auto dir = std::filesystem::temp_directory_path().string();
    CHECK(app::run_config_check({dir}, out, err) == 1);
    CHECK(err.str() == dir + ": error: is a folder, not a config file\n");
}

TEST_CASE("Listening for /metrics beyond this machine is allowed with a warning", "[app][config]")
{
    core::diagnostics diags;
    const auto cfg = app::parse_config(R"({"ops": {"listen": "0.0.0.0:9464"}})", "cfg.json", diags);
    REQUIRE(cfg);
    CHECK(cfg->ops.host == "0.0.0.0");
    CHECK(diags.to_string() == "cfg.json:1:20: warning: ops.listen: /metrics and /healthz will be "
                               "reachable from other machines; make sure a firewall protects "
                               "this port\n");
}

TEST_CASE("Odd config files never crash the loader", "[app][config][bad-input]")
{
    for (std::string text : {std::string(), std::string("{"), std::string("null"),
                             std::string("{\"a\":1}{\"b\":2}"), std::string("\xFF\xFE{}"),
                             std::string(10000, '[') , std::string("{\"nudges\": {\"daily_cap\": 1e999}}"),
                             std::string("{\"nudges\": {\"daily_cap\": 99999999999999999999999}}"),
                             std::string("{\"platforms\": {\"discord\": {\"shards\": {\"count\": -1, \"ids\": [\"x\", -4]}}}}"),
                             std::string("{\"platforms\": {\"discord\": {\"api_base\": \"https://\", \"gateway_url\": \"ws://[::1\"}}}"),
                             std::string("{\"ops\": {\"listen\": \":\"}}"),
                             std::string("{\"ops\": {\"listen\": \"[]:1\"}}")}) {
        core::diagnostics diags;
        INFO(text.substr(0, 80));
        CHECK_FALSE(app::parse_config(text, "cfg.json", diags));
        CHECK(diags.has_errors());
    }
}

// ---- platforms.slack and platforms.mattermost

TEST_CASE("Slack and Mattermost settings take their defaults and can be replaced", "[app][config][slack][mattermost]")
{
    core::diagnostics diags;
    const auto defaults = app::parse_config("{}", "cfg.json", diags);
    REQUIRE(defaults);
    CHECK(defaults->slack.api_base == "https://slack.com/api");
    CHECK(defaults->slack.response_url_prefix == "https://hooks.slack.com/");
    CHECK(defaults->slack.workspace_url.empty());
    CHECK(defaults->slack.admins_are_moderators);
    CHECK_FALSE(defaults->slack.moderator_group);
    CHECK(defaults->slack.dedupe_minutes == 15);
    CHECK(defaults->mattermost.token_env == "MATTERMOST_TOKEN");
    CHECK(defaults->mattermost.http_prefix == "/mattermost");
    CHECK(defaults->mattermost.host == "127.0.0.1");
    CHECK(defaults->mattermost.port == 9465);
    CHECK(defaults->mattermost.command_token_envs.empty());

    const auto cfg = app::parse_config(R"({"platforms": {
      "slack": {"enabled": true, "bot_token_env": "MY_XOXB", "app_token_env": "MY_XAPP",
                "api_base": "http://127.0.0.1:8080/api", "response_url_prefix": "http://127.0.0.1:8080/r/",
                "workspace_url": "https://acme.slack.com/", "admins_are_moderators": false,
                "moderator_group": "S0123ABCD", "keepalive_seconds": 30, "reconnect_backoff_max_seconds": 5,
                "dedupe_minutes": 60, "dedupe_limit": 5000, "web_timeout_seconds": 3, "web_max_attempts": 2},
      "mattermost": {"enabled": true, "token_env": "MM_BOT", "server_url": "https://chat.example.com/",
                     "command_token_envs": ["MM_NUDGE", "MM_ADMIN"],
                     "actions_url": "https://bot.example.com/mm/action", "action_secret_env": "MM_SECRET",
                     "http_prefix": "/mm", "authentication_challenge": true, "listen": "[::1]:0",
                     "keepalive_seconds": 60, "rest_timeout_seconds": 4, "rest_max_attempts": 1}}})",
                                       "cfg.json", diags);
    INFO(diags.to_string());
    REQUIRE(cfg);
    CHECK(diags.items().empty());
    const auto& s = cfg->slack;
    CHECK(s.enabled);
    CHECK(s.bot_token_env == "MY_XOXB");
    CHECK(s.app_token_env == "MY_XAPP");
    CHECK(s.api_base == "http://127.0.0.1:8080/api");
    CHECK(s.response_url_prefix == "http://127.0.0.1:8080/r/");
    CHECK(s.workspace_url == "https://acme.slack.com");
    CHECK_FALSE(s.admins_are_moderators);
    CHECK(s.moderator_group == std::optional<std::string>("S0123ABCD"));
    CHECK(s.keepalive_seconds == 30);
    CHECK(s.reconnect_backoff_max_seconds == 5);
    CHECK(s.dedupe_minutes == 60);
    CHECK(s.dedupe_limit == 5000);
    CHECK(s.web_timeout_seconds == 3);
    CHECK(s.web_max_attempts == 2);
    const auto& m = cfg->mattermost;
    CHECK(m.enabled);
    CHECK(m.token_env == "MM_BOT");
    CHECK(m.server_url == "https://chat.example.com");
    CHECK(m.command_token_envs == std::vector<std::string>{"MM_NUDGE", "MM_ADMIN"});
    CHECK(m.actions_url == "https://bot.example.com/mm/action");
    CHECK(m.action_secret_env == "MM_SECRET");
    CHECK(m.http_prefix == "/mm");
    CHECK(m.authentication_challenge);
    CHECK(m.host == "::1");
    CHECK(m.port == 0);
    CHECK(m.keepalive_seconds == 60);
    CHECK(m.rest_timeout_seconds == 4);
    CHECK(m.rest_max_attempts == 1);
}

TEST_CASE("Unknown Slack and Mattermost keys are reported with a suggestion", "[app][config][slack][mattermost]")
{
    CHECK(problems(R"({"platforms": {"slack": {"bot_tokn_env": "SLACK_BOT_TOKEN"}}})") ==
          "cfg.json:1:26: error: unknown key \"bot_tokn_env\" in platforms.slack; did you mean \"bot_token_env\"?\n");
    CHECK(problems(R"({"platforms": {"mattermost": {"serverurl": "https://chat.example.com"}}})") ==
          "cfg.json:1:31: error: unknown key \"serverurl\" in platforms.mattermost; did you mean \"server_url\"?\n");
}

TEST_CASE("Bad Slack values are reported with what was expected", "[app][config][slack]")
{
    CHECK(problems(R"({"platforms": {"slack": {"response_url_prefix": "https://hooks.slack.com"}}})") ==
          "cfg.json:1:49: error: platforms.slack.response_url_prefix: must end with \"/\" so that only that "
          "host's URLs match, got \"https://hooks.slack.com\"\n");
    CHECK(problems(R"({"platforms": {"slack": {"moderator_group": "@moderators"}}})") ==
          "cfg.json:1:45: error: platforms.slack.moderator_group: expected a Slack user group id such as "
          "\"S0123ABCDEF\" (not its @handle), got \"@moderators\"\n");
    CHECK(problems(R"({"platforms": {"slack": {"dedupe_minutes": 5}}})") ==
          "cfg.json:1:44: error: platforms.slack.dedupe_minutes: must be between 10 and 1440, got 5\n");
    CHECK(problems(R"({"platforms": {"slack": {"app_token_env": "SLACK_BOT_TOKEN"}}})") ==
          "cfg.json:1:43: error: platforms.slack.app_token_env: must differ from bot_token_env: Slack needs two "
          "tokens, the app-level token (xapp-) and the bot token (xoxb-)\n");
    CHECK(problems(R"({"platforms": {"slack": {"admins_are_moderators": "yes"}}})") ==
          "cfg.json:1:51: error: platforms.slack.admins_are_moderators: expected a boolean, got a string\n");
    CHECK(problems(R"({"platforms": {"slack": {"api_base": "http://slack.com/api"}}})") ==
          "cfg.json:1:38: error: platforms.slack.api_base: http:// is allowed only for loopback hosts "
          "(localhost, 127.0.0.1, ::1); use https://\n");
}

TEST_CASE("Bad Mattermost values are reported with what was expected", "[app][config][mattermost]")
{
    CHECK(problems(R"({"platforms": {"mattermost": {"server_url": "http://chat.example.com"}}})") ==
          "cfg.json:1:45: error: platforms.mattermost.server_url: http:// is allowed only for loopback hosts "
          "(localhost, 127.0.0.1, ::1); use https://\n");
    CHECK(problems(R"({"platforms": {"mattermost": {"command_token_envs": ["MM_A", "MM A", 3, "MM_A"]}}})") ==
          "cfg.json:1:62: error: platforms.mattermost.command_token_envs[1]: expected the name of an environment "
          "variable (letters, digits and _), got \"MM A\"\n"
          "cfg.json:1:70: error: platforms.mattermost.command_token_envs[2]: expected a string, got an integer\n"
          "cfg.json:1:73: error: platforms.mattermost.command_token_envs[3]: variable \"MM_A\" is listed twice\n");
    CHECK(problems(R"({"platforms": {"mattermost": {"http_prefix": "mattermost/"}}})") ==
          "cfg.json:1:46: error: platforms.mattermost.http_prefix: expected a path such as \"/mattermost\" "
          "(starting with /, no trailing /), got \"mattermost/\"\n");
    CHECK(problems(R"({"platforms": {"mattermost": {"listen": "9465"}}})") ==
          "cfg.json:1:41: error: platforms.mattermost.listen: expected \"ADDRESS:PORT\" such as "
          "\"127.0.0.1:9465\" or \"[::1]:9465\", got \"9465\"\n");
    CHECK(problems(R"({"platforms": {"mattermost": {"rest_max_attempts": 0}}})") ==
          "cfg.json:1:52: error: platforms.mattermost.rest_max_attempts: must be between 1 and 10, got 0\n");
}

TEST_CASE("Enabling Mattermost needs its server and its slash-command tokens", "[app][config][mattermost]")
{
    CHECK(problems(R"({"platforms": {"mattermost": {"enabled": true}}})") ==
          "cfg.json:1:30: error: platforms.mattermost: server_url is required when Mattermost is enabled "
          "(e.g. \"https://chat.example.com\")\n"
          "cfg.json:1:30: error: platforms.mattermost: command_token_envs is required when Mattermost is "
          "enabled: name the environment variables holding the tokens Mattermost shows for the /nudge and "
          "/nudge-admin slash commands\n");
    CHECK(problems(R"({"platforms": {"mattermost": {"enabled": true, "server_url": "https://c.example",
                      "command_token_envs": []}}})") ==
          "cfg.json:2:45: error: platforms.mattermost.command_token_envs: must name at least one variable "
          "(the /nudge slash command's token)\n");
    // Disabled, the same section is only checked for shape.
    CHECK(problems(R"({"platforms": {"mattermost": {"enabled": false}}})").empty());
}

TEST_CASE("A Slack or Mattermost token written in the file is refused and never echoed",
          "[app][config][slack][mattermost][privacy]")
{
    const std::string slack_token = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp";
    const auto slack_report = problems(R"({"platforms": {"slack": {"bot_token_env": ")" + slack_token + R"("}}})");
    CHECK(slack_report ==
          "cfg.json:1:43: error: platforms.slack.bot_token_env: looks like a secret token; never write tokens "
          "in the config file: put the token in an environment variable and name that variable in token_env\n");
    CHECK(slack_report.find(slack_token) == std::string::npos);

    const std::string mm_token = "8f3k2j5h6g7d9s1a0q4w5e6r7t";
    const auto mm_report =
        problems(R"({"platforms": {"mattermost": {"command_token_envs": ["MM_OK", ")" + mm_token + R"("]}}})");
    CHECK(mm_report ==
          "cfg.json:1:63: error: platforms.mattermost.command_token_envs[1]: looks like a secret token; never "
          "write tokens in the config file: put the token in an environment variable and name that variable "
          "in token_env\n");
    CHECK(mm_report.find(mm_token) == std::string::npos);
}

TEST_CASE("Every Slack and Mattermost mistake is reported at once", "[app][config][slack][mattermost]")
{
    const auto report = problems(R"({
  "platforms": {
    "slack": {"enabled": "true", "web_max_attempts": 99},
    "mattermost": {"enabled": true, "server_url": "chat.example.com",
                   "command_token_envs": ["MM_NUDGE"], "listen": "127.0.0.1:99999"}
  }
})");
    CHECK(report ==
          "cfg.json:3:26: error: platforms.slack.enabled: expected a boolean, got a string\n"
          "cfg.json:3:54: error: platforms.slack.web_max_attempts: must be between 1 and 10, got 99\n"
          "cfg.json:4:51: error: platforms.mattermost.server_url: expected a https:// URL, got "
          "\"chat.example.com\"\n"
          "cfg.json:5:66: error: platforms.mattermost.listen: expected \"ADDRESS:PORT\" such as "
          "\"127.0.0.1:9465\" or \"[::1]:9465\", got \"127.0.0.1:99999\"\n");
}

TEST_CASE("Slack and Mattermost settings that work but surprise are warnings", "[app][config][slack][mattermost]")
{
    core::diagnostics diags;
    CHECK(app::parse_config(R"({"platforms": {"slack": {"enabled": true, "admins_are_moderators": false}}})",
                            "cfg.json", diags));
    CHECK(diags.to_string() == "cfg.json:1:68: warning: platforms.slack.admins_are_moderators: with no "
                               "moderator_group either, nobody can use /nudge-admin\n");
    core::diagnostics diags2;
    CHECK(app::parse_config(R"({"platforms": {"mattermost": {"actions_url": "https://bot.example.com/hooks/action"}}})",
                            "cfg.json", diags2));
    CHECK(diags2.to_string() == "cfg.json:1:46: warning: platforms.mattermost.actions_url: does not end with "
                                "http_prefix + \"/action\" (\"/mattermost/action\"); make sure your proxy forwards "
                                "it there\n");
}

TEST_CASE("config check also loads the rule packs and opens the storage, as run would", "[app][config][cli]")
{
    const auto dir = std::filesystem::temp_directory_path() / ("nudgebot-check-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto write = [&](const std::string& body) {
        std::ofstream(dir / "config.json") << body;
        return (dir / "config.json").string();
    };
    std::ostringstream out;
    std::ostringstream err;

    // Broken rule packs: their file:line:col mistakes, and exit 1.
    auto path = write(R"({"rules": {"dir": ")" NUDGEBOT_SOURCE_DIR R"(/tests/app/data/broken_rules"}})");
    CHECK(app::run_config_check({path}, out, err) == 1);
    CHECK(err.str().find("broken_rules/") != std::string::npos);
    CHECK(err.str().find(": error: ") != std::string::npos);
    CHECK(out.str().empty());

    // A database in a folder that does not exist.
    err.str("");
    path = write(R"({"rules": {"dir": ")" NUDGEBOT_SOURCE_DIR R"(/rules/en"},
                     "storage": {"url": "sqlite:/nonexistent-folder/nudgebot.db"}})");
    CHECK(app::run_config_check({path}, out, err) == 1);
    CHECK(err.str() == path + ": error: storage.url: cannot create /nonexistent-folder/nudgebot.db: the folder "
                              "/nonexistent-folder is missing or not writable\n");

    // An unreachable PostgreSQL.
    err.str("");
    path = write(R"({"rules": {"dir": ")" NUDGEBOT_SOURCE_DIR R"(/rules/en"},
                     "storage": {"url": "postgresql:///x?host=/nonexistent-socket-folder"}})");
    CHECK(app::run_config_check({path}, out, err) == 1);
    CHECK(err.str().find(path + ": error: storage.url: postgresql: cannot connect") == 0);

    // All good: the database file is not created by the check.
    err.str("");
    path = write(R"({"rules": {"dir": ")" NUDGEBOT_SOURCE_DIR R"(/rules/en"}, "storage": {"url": "sqlite:state.db"}})");
    CHECK(app::run_config_check({path}, out, err) == 0);
    CHECK(err.str().empty());
    CHECK(out.str() == path + ": ok\n");
    CHECK_FALSE(std::filesystem::exists(dir / "state.db"));
    std::filesystem::remove_all(dir);
}
