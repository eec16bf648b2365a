#include "app/config.hpp"

#include "core/read_file.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/json_document.hpp"
#include "net/url.hpp"

namespace nudgebot::app {

namespace {

using core::json_document;
using nlohmann::json;

constexpr std::array<std::pair<std::string_view, unsigned>, 23> discord_intents{{
    {"GUILDS", 0},
    {"GUILD_MEMBERS", 1},
    {"GUILD_MODERATION", 2},
    {"GUILD_BANS", 2},   // the older name of GUILD_MODERATION
    {"GUILD_EXPRESSIONS", 3},
    {"GUILD_EMOJIS_AND_STICKERS", 3},
    {"GUILD_INTEGRATIONS", 4},
    {"GUILD_WEBHOOKS", 5},
    {"GUILD_INVITES", 6},
    {"GUILD_VOICE_STATES", 7},
    {"GUILD_PRESENCES", 8},
    {"GUILD_MESSAGES", 9},
    {"GUILD_MESSAGE_REACTIONS", 10},
    {"GUILD_MESSAGE_TYPING", 11},
    {"DIRECT_MESSAGES", 12},
    {"DIRECT_MESSAGE_REACTIONS", 13},
    {"DIRECT_MESSAGE_TYPING", 14},
    {"MESSAGE_CONTENT", 15},
    {"GUILD_SCHEDULED_EVENTS", 16},
    {"AUTO_MODERATION_CONFIGURATION", 20},
    {"AUTO_MODERATION_EXECUTION", 21},
    {"GUILD_MESSAGE_POLLS", 24},
    {"DIRECT_MESSAGE_POLLS", 25},
}};

bool is_token_char(char c) noexcept
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

bool starts_with(std::string_view s, std::string_view prefix) noexcept
{
    return s.substr(0, prefix.size()) == prefix;
}

// A value quoted in a message, unless it might be a secret: then only its kind is named.
std::string shown(std::string_view value)
{
    if (looks_like_token(value)) return "a value that looks like a token";
    std::string out = "\"";
    if (value.size() > 60) {
        out.append(value.substr(0, 57));
        out += "...";
    } else {
        out.append(value);
    }
    out += '"';
    return out;
}

std::string resolve_path(const std::filesystem::path& base, const std::string& path)
{
    if (path.empty() || base.empty()) return path;
    std::filesystem::path p(path);
    if (p.is_absolute()) return path;
    return (base / p).lexically_normal().string();
}

bool is_env_name(std::string_view name) noexcept
{
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    });
}

// Reads one config document into `cfg`, reporting into `diags`.
class config_reader {
public:
    config_reader(const json_document& doc, core::diagnostics& diags, config& cfg)
        : doc_(doc), diags_(diags), cfg_(cfg),
          base_(std::filesystem::path(doc.file_name()).parent_path())
    {
    }

    void read()
    {
        if (doc_.expect_object("", diags_, true) == nullptr) return;
        doc_.check_keys("", {"rules", "storage", "nudges", "log", "ops", "platforms"}, diags_);
        scan_for_tokens(doc_.root(), "");
        read_rules();
        read_storage();
        read_nudges();
        read_log();
        read_ops();
        if (doc_.expect_object("/platforms", diags_) != nullptr) {
            doc_.check_keys("/platforms", {"discord", "slack", "mattermost"}, diags_);
            read_discord();
            read_slack();
            read_mattermost();
        }
    }

private:
    void error(std::string_view pointer, const std::string& message)
    {
        doc_.error_at(pointer, doc_.display(pointer) + ": " + message, diags_);
    }
    void warning(std::string_view pointer, const std::string& message)
    {
        const auto pos = doc_.of(pointer);
        diags_.warning(doc_.file_name(), pos.line, pos.column, doc_.display(pointer) + ": " + message);
    }

    // Every string anywhere in the file: a token written in clear is an error wherever it sits.
    void scan_for_tokens(const json& value, const std::string& pointer)
    {
        if (value.is_string()) {
            if (looks_like_token(value.get_ref<const std::string&>())) {
                error(pointer, "looks like a secret token; never write tokens in the config file: "
                               "put the token in an environment variable and name that variable "
                               "in token_env");
            }
        } else if (value.is_object()) {
            for (const auto& [key, child] : value.items()) {
                scan_for_tokens(child, json_document::child(pointer, key));
            }
        } else if (value.is_array()) {
            for (std::size_t i = 0; i < value.size(); ++i) {
                scan_for_tokens(value[i], json_document::child(pointer, i));
            }
        }
    }

    void read_bool(std::string_view pointer, bool& out)
    {
        if (auto v = doc_.expect_bool(pointer, diags_)) out = *v;
    }

    void read_uint(std::string_view pointer, std::int64_t low, std::int64_t high, std::uint32_t& out)
    {
        const auto v = doc_.expect_integer(pointer, diags_);
        if (!v) return;
        if (*v < low || *v > high) {
            error(pointer, "must be between " + std::to_string(low) + " and " +
                               std::to_string(high) + ", got " + std::to_string(*v));
            return;
        }
        out = static_cast<std::uint32_t>(*v);
    }

    // A string that must be one of `choices`; returns its index.
    std::optional<std::size_t> read_choice(std::string_view pointer,
                                           std::initializer_list<std::string_view> choices)
    {
        const auto* s = doc_.expect_string(pointer, diags_);
        if (s == nullptr) return std::nullopt;
        std::size_t index = 0;
        for (auto choice : choices) {
            if (*s == choice) return index;
            ++index;
        }
        std::string list;
        index = 0;
        for (auto choice : choices) {
            if (index++ != 0) list += ", ";
            list += '"';
            list += choice;
            list += '"';
        }
        error(pointer, "expected one of " + list + ", got " + shown(*s));
        return std::nullopt;
    }

    void read_env_name(std::string_view pointer, std::string& out)
    {
        const auto* s = doc_.expect_string(pointer, diags_);
        if (s == nullptr) return;
        if (looks_like_token(*s)) return;   // reported by scan_for_tokens
        if (!is_env_name(*s)) {
            error(pointer, "expected the name of an environment variable (letters, digits and _), "
                           "got " + shown(*s));
            return;
        }
        out = *s;
    }

    // An http(s)/ws(s) URL: the plain-text scheme only towards this machine.
    void read_url(std::string_view pointer, std::string_view secure, std::string_view plain,
                  std::string& out)
    {
        const auto* s = doc_.expect_string(pointer, diags_);
        if (s == nullptr || looks_like_token(*s)) return;
        auto parts = net::parse_url(*s);
        if (!parts || (parts->scheme != secure && parts->scheme != plain)) {
            error(pointer, "expected a " + std::string(secure) + ":// URL, got " + shown(*s));
            return;
        }
        if (parts->scheme == plain && !net::is_loopback_host(parts->host)) {
            error(pointer, std::string(plain) + ":// is allowed only for loopback hosts "
                           "(localhost, 127.0.0.1, ::1); use " + std::string(secure) + "://");
            return;
        }
        out = *s;
    }

    void read_rules()
    {
        if (doc_.expect_object("/rules", diags_) == nullptr) return;
        doc_.check_keys("/rules", {"dir", "sensitivity"}, diags_);
        if (const auto* dir = doc_.expect_string("/rules/dir", diags_)) {
            if (dir->empty()) {
                error("/rules/dir", "must not be empty (leave it out to use the built-in packs)");
            } else {
                cfg_.rules.dir = resolve_path(base_, *dir);
            }
        }
        if (auto i = read_choice("/rules/sensitivity", {"low", "medium", "high"})) {
            cfg_.rules.sensitivity = static_cast<engine::sensitivity>(*i);
        }
    }

    void read_storage()
    {
        if (doc_.expect_object("/storage", diags_) == nullptr) return;
        doc_.check_keys("/storage", {"url"}, diags_);
        const auto* url = doc_.expect_string("/storage/url", diags_);
        if (url == nullptr || looks_like_token(*url)) return;
        if (starts_with(*url, "sqlite:") && url->size() > 7) {
            const auto path = url->substr(7);
            cfg_.storage.url = "sqlite:" + (path == ":memory:" ? path : resolve_path(base_, path));
            return;
        }
        for (std::string_view scheme : {"postgresql://", "postgres://"}) {
            if (starts_with(*url, scheme) && url->size() > scheme.size()) {
                const auto userinfo_end = url->find('@');
                const auto password = url->find(':', scheme.size());
                if (userinfo_end != std::string::npos && password != std::string::npos &&
                    password < userinfo_end) {
                    warning("/storage/url", "holds a password; prefer PGPASSWORD or ~/.pgpass so "
                                            "the file holds no secret");
                }
                cfg_.storage.url = *url;
                return;
            }
        }
        error("/storage/url", "expected \"sqlite:PATH\" or \"postgresql://...\", got " + shown(*url));
    }

    void read_nudges()
    {
        if (doc_.expect_object("/nudges", diags_) == nullptr) return;
        doc_.check_keys("/nudges", {"cooldown_minutes", "daily_cap", "context_minutes",
                                    "context_messages", "default_style", "crisis_country"},
                        diags_);
        read_uint("/nudges/cooldown_minutes", 0, 10080, cfg_.nudges.cooldown_minutes);
        read_uint("/nudges/daily_cap", 0, 100, cfg_.nudges.daily_cap);
        read_uint("/nudges/context_minutes", 1, 1440, cfg_.nudges.context_minutes);
        read_uint("/nudges/context_messages", 1, 1000, cfg_.nudges.context_messages);
        if (auto i = read_choice("/nudges/default_style", {"gentle", "direct"})) {
            cfg_.nudges.default_style = static_cast<suggestion_style>(*i);
        }
        if (const auto* country = doc_.expect_string("/nudges/crisis_country", diags_)) {
            // Whether the country has lines is checked against rules/crisis_resources.json at start.
            if (country->empty()) {
                cfg_.nudges.crisis_country.clear();
            } else if (country->size() == 2 && std::isalpha(static_cast<unsigned char>((*country)[0])) &&
                std::isalpha(static_cast<unsigned char>((*country)[1]))) {
                cfg_.nudges.crisis_country = *country;
                for (char& c : cfg_.nudges.crisis_country) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            } else {
                error("/nudges/crisis_country", "expected a two-letter country code such as \"DE\"");
            }
        }
    }

    void read_log()
    {
        if (doc_.expect_object("/log", diags_) == nullptr) return;
        doc_.check_keys("/log", {"level", "format"}, diags_);
        static constexpr std::array<std::string_view, 7> levels{"trace", "debug", "info", "warn",
                                                                "error", "critical", "off"};
        if (auto i = read_choice("/log/level", {levels[0], levels[1], levels[2], levels[3],
                                                levels[4], levels[5], levels[6]})) {
            cfg_.log.level = std::string(levels[*i]);
        }
        if (auto i = read_choice("/log/format", {"text", "json"})) {
            cfg_.log.format = static_cast<log_format>(*i);
        }
    }

    // "ADDRESS:PORT" (IPv6 in brackets). Returns false (and reports) when it is not.
    bool read_listen(std::string_view pointer, std::string_view default_port, std::string& listen,
                     std::string& host_out, std::uint16_t& port_out)
    {
        const auto* listen_value = doc_.expect_string(pointer, diags_);
        if (listen_value == nullptr) return false;
        const std::string_view s = *listen_value;
        const auto colon = s.rfind(':');
        std::string_view host = colon == std::string_view::npos ? s : s.substr(0, colon);
        const std::string_view port =
            colon == std::string_view::npos ? std::string_view() : s.substr(colon + 1);
        bool ok = !host.empty() && !port.empty() && port.size() <= 5 &&
                  std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (ok && host.front() == '[') {
            ok = host.size() > 2 && host.back() == ']';
            host = host.substr(1, host.size() - 2);
        } else if (ok) {
            ok = host.find(':') == std::string_view::npos;   // IPv6 needs brackets
        }
        const unsigned long port_number = ok ? std::stoul(std::string(port)) : 0;
        if (!ok || port_number > 65535) {
            error(pointer, "expected \"ADDRESS:PORT\" such as \"127.0.0.1:" + std::string(default_port) +
                               "\" or \"[::1]:" + std::string(default_port) + "\", got " + shown(s));
            return false;
        }
        listen = *listen_value;
        host_out = std::string(host);
        port_out = static_cast<std::uint16_t>(port_number);
        return true;
    }

    void read_ops()
    {
        if (doc_.expect_object("/ops", diags_) == nullptr) return;
        doc_.check_keys("/ops", {"listen"}, diags_);
        if (read_listen("/ops/listen", "9464", cfg_.ops.listen, cfg_.ops.host, cfg_.ops.port) &&
            doc_.find("/ops/listen") != nullptr && !net::is_loopback_host(cfg_.ops.host)) {
            warning("/ops/listen", "/metrics and /healthz will be reachable from other machines; "
                                   "make sure a firewall protects this port");
        }
    }

    void read_discord()
    {
        constexpr std::string_view p = "/platforms/discord";
        if (doc_.expect_object(p, diags_) == nullptr) return;
        doc_.check_keys(p, {"enabled", "token_env", "api_base", "gateway_url", "intents", "shards",
                            "compress", "dev_guild_id", "state_file"},
                        diags_);
        auto& d = cfg_.discord;
        read_bool("/platforms/discord/enabled", d.enabled);
        read_env_name("/platforms/discord/token_env", d.token_env);
        read_url("/platforms/discord/api_base", "https", "http", d.api_base);
        if (doc_.find("/platforms/discord/gateway_url") != nullptr) {
            std::string url;
            read_url("/platforms/discord/gateway_url", "wss", "ws", url);
            if (!url.empty()) d.gateway_url = url;
        }
        read_intents();
        read_shards();
        read_bool("/platforms/discord/compress", d.compress);
        if (const auto* id = doc_.find("/platforms/discord/dev_guild_id"); id != nullptr) {
            const auto* s = id->is_string() ? &id->get_ref<const std::string&>() : nullptr;
            const bool digits = s != nullptr && !s->empty() && s->size() <= 20 &&
                                std::all_of(s->begin(), s->end(),
                                            [](char c) { return c >= '0' && c <= '9'; });
            if (!digits) {
                error("/platforms/discord/dev_guild_id",
                      "expected a server id as a string of digits (ids do not fit a JSON number), "
                      "got " + (s != nullptr ? shown(*s) : std::string(json_document::type_name(*id))));
            } else {
                d.dev_guild_id = *s;
            }
        }
        if (doc_.find("/platforms/discord/state_file") != nullptr) {
            if (const auto* s = doc_.expect_string("/platforms/discord/state_file", diags_)) {
                if (s->empty()) {
                    error("/platforms/discord/state_file", "must not be empty (leave it out to keep "
                                                           "no resume state)");
                } else {
                    d.state_file = resolve_path(base_, *s);
                }
            }
        }
    }

    void read_intents()
    {
        constexpr std::string_view p = "/platforms/discord/intents";
        const auto* list = doc_.expect_array(p, diags_);
        if (list == nullptr) return;
        std::vector<std::string> names;
        std::uint64_t bits = 0;
        bool ok = true;
        std::set<std::string> seen;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto item = json_document::child(p, i);
            const auto* name = doc_.expect_string(item, diags_);
            if (name == nullptr) {
                ok = false;
                continue;
            }
            const auto bit = discord_intent_bit(*name);
            if (!bit) {
                error(item, "unknown gateway intent " + shown(*name));
                ok = false;
                continue;
            }
            if (!seen.insert(*name).second) {
                error(item, "intent \"" + *name + "\" is listed twice");
                ok = false;
                continue;
            }
            names.push_back(*name);
            bits |= *bit;
        }
        if (!ok) return;
        if (seen.count("MESSAGE_CONTENT") == 0) {
            warning(p, "without MESSAGE_CONTENT the bot sees no text of ordinary server messages");
        }
        cfg_.discord.intents = std::move(names);
        cfg_.discord.intent_bits = bits;
    }

    void read_shards()
    {
        constexpr std::string_view p = "/platforms/discord/shards";
        if (doc_.expect_object(p, diags_) == nullptr) return;
        doc_.check_keys(p, {"count", "ids"}, diags_);
        auto& d = cfg_.discord;
        bool count_ok = true;
        if (const auto* count = doc_.find("/platforms/discord/shards/count"); count != nullptr) {
            if (count->is_string() && count->get_ref<const std::string&>() == "auto") {
                d.shard_count.reset();
            } else if (count->is_number_integer() && count->get<std::int64_t>() >= 1 &&
                       count->get<std::int64_t>() <= 65535) {
                d.shard_count = static_cast<std::uint32_t>(count->get<std::int64_t>());
            } else {
                count_ok = false;
                std::string got = count->is_string()
                                      ? shown(count->get_ref<const std::string&>())
                                  : count->is_number() ? count->dump()
                                                       : std::string(json_document::type_name(*count));
                error("/platforms/discord/shards/count",
                      "expected a shard count from 1 to 65535 or \"auto\", got " + got);
            }
        }
        const auto* ids = doc_.expect_array("/platforms/discord/shards/ids", diags_);
        if (ids == nullptr) return;
        if (!ids->empty() && count_ok && !d.shard_count) {
            error("/platforms/discord/shards/ids", "choosing shard ids needs a numeric shards.count "
                                                   "(every process must agree on it)");
            return;
        }
        std::set<std::int64_t> seen;
        std::vector<std::uint32_t> out;
        for (std::size_t i = 0; i < ids->size(); ++i) {
            const auto item = json_document::child("/platforms/discord/shards/ids", i);
            const auto id = doc_.expect_integer(item, diags_);
            if (!id) continue;
            if (d.shard_count && (*id < 0 || *id >= static_cast<std::int64_t>(*d.shard_count))) {
                error(item, "shard id must be between 0 and " + std::to_string(*d.shard_count - 1) +
                                ", got " + std::to_string(*id));
                continue;
            }
            if (!seen.insert(*id).second) {
                error(item, "shard id " + std::to_string(*id) + " is listed twice");
                continue;
            }
            out.push_back(static_cast<std::uint32_t>(*id));
        }
        d.shard_ids = std::move(out);
    }

    void read_seconds(std::string_view pointer, std::int64_t low, std::int64_t high, std::uint32_t& out)
    {
        if (doc_.find(pointer) != nullptr) read_uint(pointer, low, high, out);
    }

    // A string in the file that must not be empty when present.
    const std::string* read_nonempty(std::string_view pointer, std::string_view why_absent)
    {
        const auto* s = doc_.expect_string(pointer, diags_);
        if (s == nullptr || looks_like_token(*s)) return nullptr;
        if (s->empty()) {
            error(pointer, "must not be empty (" + std::string(why_absent) + ")");
            return nullptr;
        }
        return s;
    }

    void read_slack()
    {
        constexpr std::string_view p = "/platforms/slack";
        if (doc_.expect_object(p, diags_) == nullptr) return;
        doc_.check_keys(p, {"enabled", "bot_token_env", "app_token_env", "api_base", "response_url_prefix",
                            "workspace_url", "admins_are_moderators", "moderator_group", "keepalive_seconds",
                            "reconnect_backoff_max_seconds", "dedupe_minutes", "dedupe_limit",
                            "web_timeout_seconds", "web_max_attempts"},
                        diags_);
        auto& c = cfg_.slack;
        read_bool("/platforms/slack/enabled", c.enabled);
        read_env_name("/platforms/slack/bot_token_env", c.bot_token_env);
        read_env_name("/platforms/slack/app_token_env", c.app_token_env);
        if (!c.bot_token_env.empty() && c.bot_token_env == c.app_token_env &&
            doc_.find("/platforms/slack/app_token_env") != nullptr) {
            error("/platforms/slack/app_token_env",
                  "must differ from bot_token_env: Slack needs two tokens, the app-level token (xapp-) "
                  "and the bot token (xoxb-)");
        }
        read_url("/platforms/slack/api_base", "https", "http", c.api_base);
        if (doc_.find("/platforms/slack/response_url_prefix") != nullptr) {
            std::string prefix;
            read_url("/platforms/slack/response_url_prefix", "https", "http", prefix);
            if (!prefix.empty() && prefix.back() != '/') {
                // Without the slash "https://hooks.slack.com" would also admit hooks.slack.com.evil.example.
                error("/platforms/slack/response_url_prefix",
                      "must end with \"/\" so that only that host's URLs match, got " + shown(prefix));
            } else if (!prefix.empty()) {
                c.response_url_prefix = prefix;
            }
        }
        if (doc_.find("/platforms/slack/workspace_url") != nullptr) {
            read_url("/platforms/slack/workspace_url", "https", "http", c.workspace_url);
            while (!c.workspace_url.empty() && c.workspace_url.back() == '/') c.workspace_url.pop_back();
        }
        read_bool("/platforms/slack/admins_are_moderators", c.admins_are_moderators);
        if (const auto* g = doc_.find("/platforms/slack/moderator_group"); g != nullptr) {
            const auto* s = g->is_string() ? &g->get_ref<const std::string&>() : nullptr;
            const bool ok = s != nullptr && s->size() >= 2 && s->size() <= 32 && s->front() == 'S' &&
                            std::all_of(s->begin() + 1, s->end(), [](char ch) {
                                return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
                            });
            if (!ok) {
                error("/platforms/slack/moderator_group",
                      "expected a Slack user group id such as \"S0123ABCDEF\" (not its @handle), got " +
                          (s != nullptr ? shown(*s) : std::string(json_document::type_name(*g))));
            } else {
                c.moderator_group = *s;
            }
        }
        if (!c.admins_are_moderators && !c.moderator_group &&
            doc_.find("/platforms/slack/moderator_group") == nullptr && c.enabled) {
            warning("/platforms/slack/admins_are_moderators",
                    "with no moderator_group either, nobody can use /nudge-admin");
        }
        read_seconds("/platforms/slack/keepalive_seconds", 5, 600, c.keepalive_seconds);
        read_seconds("/platforms/slack/reconnect_backoff_max_seconds", 1, 3600, c.reconnect_backoff_max_seconds);
        read_seconds("/platforms/slack/dedupe_minutes", 10, 1440, c.dedupe_minutes);
        read_seconds("/platforms/slack/dedupe_limit", 1000, 10000000, c.dedupe_limit);
        read_seconds("/platforms/slack/web_timeout_seconds", 1, 120, c.web_timeout_seconds);
        read_seconds("/platforms/slack/web_max_attempts", 1, 10, c.web_max_attempts);
    }

    void read_mattermost()
    {
        constexpr std::string_view p = "/platforms/mattermost";
        if (doc_.expect_object(p, diags_) == nullptr) return;
        doc_.check_keys(p, {"enabled", "token_env", "server_url", "command_token_envs", "actions_url",
                            "action_secret_env", "http_prefix", "authentication_challenge", "listen",
                            "keepalive_seconds", "reconnect_backoff_max_seconds", "rest_timeout_seconds",
                            "rest_max_attempts"},
                        diags_);
        auto& c = cfg_.mattermost;
        read_bool("/platforms/mattermost/enabled", c.enabled);
        read_env_name("/platforms/mattermost/token_env", c.token_env);
        if (doc_.find("/platforms/mattermost/server_url") != nullptr) {
            read_url("/platforms/mattermost/server_url", "https", "http", c.server_url);
            while (!c.server_url.empty() && c.server_url.back() == '/') c.server_url.pop_back();
        } else if (c.enabled) {
            error(p, "server_url is required when Mattermost is enabled (e.g. \"https://chat.example.com\")");
        }
        if (const auto* list = doc_.expect_array("/platforms/mattermost/command_token_envs", diags_)) {
            std::set<std::string> seen;
            for (std::size_t i = 0; i < list->size(); ++i) {
                const auto item = json_document::child("/platforms/mattermost/command_token_envs", i);
                std::string name;
                read_env_name(item, name);
                if (name.empty()) continue;
                if (!seen.insert(name).second) {
                    error(item, "variable \"" + name + "\" is listed twice");
                    continue;
                }
                c.command_token_envs.push_back(name);
            }
        }
        if (c.enabled && c.command_token_envs.empty() &&
            doc_.find("/platforms/mattermost/command_token_envs") == nullptr) {
            error(p, "command_token_envs is required when Mattermost is enabled: name the environment "
                     "variables holding the tokens Mattermost shows for the /nudge and /nudge-admin "
                     "slash commands");
        } else if (c.enabled && c.command_token_envs.empty() && list_was_empty("/platforms/mattermost/command_token_envs")) {
            error("/platforms/mattermost/command_token_envs",
                  "must name at least one variable (the /nudge slash command's token)");
        }
        if (doc_.find("/platforms/mattermost/actions_url") != nullptr) {
            read_url("/platforms/mattermost/actions_url", "https", "http", c.actions_url);
        }
        read_env_name("/platforms/mattermost/action_secret_env", c.action_secret_env);
        if (const auto* prefix = read_nonempty("/platforms/mattermost/http_prefix",
                                               "leave it out for \"/mattermost\"")) {
            const bool ok = prefix->front() == '/' && prefix->size() > 1 && prefix->back() != '/' &&
                            std::all_of(prefix->begin(), prefix->end(), [](char ch) {
                                return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '/' ||
                                       ch == '-' || ch == '_' || ch == '.';
                            }) &&
                            prefix->find("//") == std::string::npos;
            if (!ok) {
                error("/platforms/mattermost/http_prefix",
                      "expected a path such as \"/mattermost\" (starting with /, no trailing /), got " +
                          shown(*prefix));
            } else {
                c.http_prefix = *prefix;
            }
        }
        if (!c.actions_url.empty()) {
            const std::string tail = c.http_prefix + "/action";
            if (net::parse_url(c.actions_url) &&
                (c.actions_url.size() < tail.size() ||
                 c.actions_url.compare(c.actions_url.size() - tail.size(), std::string::npos, tail) != 0)) {
                warning("/platforms/mattermost/actions_url",
                        "does not end with http_prefix + \"/action\" (\"" + c.http_prefix +
                            "/action\"); make sure your proxy forwards it there");
            }
        }
        read_bool("/platforms/mattermost/authentication_challenge", c.authentication_challenge);
        read_listen("/platforms/mattermost/listen", "9465", c.listen, c.host, c.port);
        read_seconds("/platforms/mattermost/keepalive_seconds", 5, 600, c.keepalive_seconds);
        read_seconds("/platforms/mattermost/reconnect_backoff_max_seconds", 1, 3600, c.reconnect_backoff_max_seconds);
        read_seconds("/platforms/mattermost/rest_timeout_seconds", 1, 120, c.rest_timeout_seconds);
        read_seconds("/platforms/mattermost/rest_max_attempts", 1, 10, c.rest_max_attempts);
    }

    bool list_was_empty(std::string_view pointer) const
    {
        const auto* v = doc_.find(pointer);
        return v != nullptr && v->is_array() && v->empty();
    }

    const json_document& doc_;
    core::diagnostics& diags_;
    config& cfg_;
    std::filesystem::path base_;
};

}  // namespace

bool looks_like_token(std::string_view text) noexcept
{
    // "Bot <token>" / "Bearer <token>" as pasted from an Authorization header.
    for (std::string_view prefix : {"Bot ", "Bearer "}) {
        if (starts_with(text, prefix) && text.size() > prefix.size() + 20) return true;
    }
    // Slack: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp- followed by a long tail.
    if ((starts_with(text, "xox") && text.size() > 5 && text[4] == '-') || starts_with(text, "xapp-")) {
        return text.size() >= 15;
    }
    // Discord: three base64url parts joined by dots (user id, timestamp, HMAC).
    if (std::count(text.begin(), text.end(), '.') == 2) {
        const auto a = text.find('.');
        const auto b = text.find('.', a + 1);
        const auto part_ok = [&](std::string_view part, std::size_t min_len) {
            return part.size() >= min_len &&
                   std::all_of(part.begin(), part.end(), [](char c) { return is_token_char(c); });
        };
        if (part_ok(text.substr(0, a), 18) && part_ok(text.substr(a + 1, b - a - 1), 5) &&
            part_ok(text.substr(b + 1), 25)) {
            return true;
        }
    }
    // Mattermost personal access / bot tokens: 26 lower-case letters and digits, both present.
    if (text.size() == 26) {
        bool letter = false;
        bool digit = false;
        for (char c : text) {
            if (c >= 'a' && c <= 'z') {
                letter = true;
            } else if (c >= '0' && c <= '9') {
                digit = true;
            } else {
                return false;
            }
        }
        return letter && digit;
    }
    return false;
}

std::optional<std::uint64_t> discord_intent_bit(std::string_view name) noexcept
{
    for (const auto& [intent, bit] : discord_intents) {
        if (intent == name) return std::uint64_t{1} << bit;
    }
    return std::nullopt;
}

std::optional<config> parse_config(std::string_view text, const std::string& file_name,
                                   core::diagnostics& diags)
{
    core::diagnostics local;
    auto doc = json_document::parse(text, file_name, local);
    config cfg;
    cfg.file = file_name;
    if (doc) config_reader(*doc, local, cfg).read();
    const bool failed = !doc || local.has_errors();
    diags.append(local);
    if (failed) return std::nullopt;
    return cfg;
}

std::optional<config> load_config(const std::string& path, core::diagnostics& diags)
{
    auto text = core::read_file(path, diags, "config file");
    if (!text) return std::nullopt;
    return parse_config(*text, path, diags);
}

}  // namespace nudgebot::app
