#include "app/config_reload.hpp"

#include "commands/bot_state.hpp"

#include <algorithm>

namespace nudgebot::app {

namespace {

// Appends the key's name when the two values differ.
class differences {
public:
    explicit differences(std::vector<std::string>& out) : out_(out) {}

    template <class T>
    void check(const char* key, const T& in_use, const T& fresh)
    {
        if (!(in_use == fresh)) out_.emplace_back(key);
    }

private:
    std::vector<std::string>& out_;
};

}  // namespace

std::vector<std::string> restart_only_changes(const config& in_use, const config& fresh)
{
    std::vector<std::string> out;
    differences d(out);
    d.check("storage.url", in_use.storage.url, fresh.storage.url);
    d.check("log.format", in_use.log.format, fresh.log.format);
    d.check("ops.listen", in_use.ops.listen, fresh.ops.listen);

    const auto& a = in_use.discord;
    const auto& b = fresh.discord;
    d.check("platforms.discord.enabled", a.enabled, b.enabled);
    d.check("platforms.discord.token_env", a.token_env, b.token_env);
    d.check("platforms.discord.api_base", a.api_base, b.api_base);
    d.check("platforms.discord.gateway_url", a.gateway_url, b.gateway_url);
    d.check("platforms.discord.intents", a.intent_bits, b.intent_bits);
    d.check("platforms.discord.shards.count", a.shard_count, b.shard_count);
    d.check("platforms.discord.shards.ids", a.shard_ids, b.shard_ids);
    d.check("platforms.discord.compress", a.compress, b.compress);
    d.check("platforms.discord.dev_guild_id", a.dev_guild_id, b.dev_guild_id);
    d.check("platforms.discord.state_file", a.state_file, b.state_file);

    const auto& s = in_use.slack;
    const auto& t = fresh.slack;
    d.check("platforms.slack.enabled", s.enabled, t.enabled);
    d.check("platforms.slack.bot_token_env", s.bot_token_env, t.bot_token_env);
    d.check("platforms.slack.app_token_env", s.app_token_env, t.app_token_env);
    d.check("platforms.slack.api_base", s.api_base, t.api_base);
    d.check("platforms.slack.response_url_prefix", s.response_url_prefix, t.response_url_prefix);
    d.check("platforms.slack.workspace_url", s.workspace_url, t.workspace_url);
    d.check("platforms.slack.admins_are_moderators", s.admins_are_moderators, t.admins_are_moderators);
    d.check("platforms.slack.moderator_group", s.moderator_group, t.moderator_group);
    d.check("platforms.slack.keepalive_seconds", s.keepalive_seconds, t.keepalive_seconds);
    d.check("platforms.slack.reconnect_backoff_max_seconds", s.reconnect_backoff_max_seconds,
            t.reconnect_backoff_max_seconds);
    d.check("platforms.slack.dedupe_minutes", s.dedupe_minutes, t.dedupe_minutes);
    d.check("platforms.slack.dedupe_limit", s.dedupe_limit, t.dedupe_limit);
    d.check("platforms.slack.web_timeout_seconds", s.web_timeout_seconds, t.web_timeout_seconds);
    d.check("platforms.slack.web_max_attempts", s.web_max_attempts, t.web_max_attempts);

    const auto& m = in_use.mattermost;
    const auto& n = fresh.mattermost;
    d.check("platforms.mattermost.enabled", m.enabled, n.enabled);
    d.check("platforms.mattermost.token_env", m.token_env, n.token_env);
    d.check("platforms.mattermost.server_url", m.server_url, n.server_url);
    d.check("platforms.mattermost.command_token_envs", m.command_token_envs, n.command_token_envs);
    d.check("platforms.mattermost.actions_url", m.actions_url, n.actions_url);
    d.check("platforms.mattermost.action_secret_env", m.action_secret_env, n.action_secret_env);
    d.check("platforms.mattermost.http_prefix", m.http_prefix, n.http_prefix);
    d.check("platforms.mattermost.authentication_challenge", m.authentication_challenge, n.authentication_challenge);
    d.check("platforms.mattermost.listen", m.listen, n.listen);
    d.check("platforms.mattermost.keepalive_seconds", m.keepalive_seconds, n.keepalive_seconds);
    d.check("platforms.mattermost.reconnect_backoff_max_seconds", m.reconnect_backoff_max_seconds,
            n.reconnect_backoff_max_seconds);
    d.check("platforms.mattermost.rest_timeout_seconds", m.rest_timeout_seconds, n.rest_timeout_seconds);
    d.check("platforms.mattermost.rest_max_attempts", m.rest_max_attempts, n.rest_max_attempts);
    // A field added to a platform's config but not named above still shows, by its section.
    const auto any_with = [&](std::string_view prefix) {
        return std::any_of(out.begin(), out.end(), [&](const std::string& k) { return k.rfind(prefix, 0) == 0; });
    };
    if (!(a == b) && !any_with("platforms.discord.")) out.emplace_back("platforms.discord");
    if (!(s == t) && !any_with("platforms.slack.")) out.emplace_back("platforms.slack");
    if (!(m == n) && !any_with("platforms.mattermost.")) out.emplace_back("platforms.mattermost");
    return out;
}

commands::bot_options router_options(const config& cfg, std::vector<std::string> packs)
{
    commands::bot_options options;
    options.policy.user_cooldown = std::chrono::minutes(cfg.nudges.cooldown_minutes);
    options.policy.daily_cap = cfg.nudges.daily_cap;
    options.context.window = std::chrono::minutes(cfg.nudges.context_minutes);
    options.context.max_turns = cfg.nudges.context_messages;
    options.packs = std::move(packs);
    options.server_defaults.sensitivity = std::string(engine::to_string(cfg.rules.sensitivity));
    options.default_style =
        cfg.nudges.default_style == suggestion_style::direct ? storage::style::direct : storage::style::gentle;
    options.default_crisis_country = cfg.nudges.crisis_country;
    return options;
}

}  // namespace nudgebot::app
