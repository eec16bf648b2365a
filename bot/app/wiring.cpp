// Builds and drives the running bot (see wiring.hpp).
#include "app/wiring.hpp"

#include "app/config_reload.hpp"
#include "app/verbs.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/read_file.hpp"
#include "engine/analyzer.hpp"
#include "nudge/composer.hpp"
#include "ops/endpoints.hpp"
#include "platforms/discord/adapter.hpp"
#include "platforms/discord/settings.hpp"
#include "platforms/mattermost/adapter.hpp"
#include "platforms/mattermost/settings.hpp"
#include "platforms/runtime/logger.hpp"
#include "platforms/runtime/platform_adapter.hpp"
#include "platforms/slack/adapter.hpp"
#include "platforms/slack/settings.hpp"
#include "net/http_server.hpp"
#include "routing/event_router.hpp"
#include "storage/async_store.hpp"
#include "storage/timed_store.hpp"
#include "storage/store.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace nudgebot::app {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_credential_bytes = std::size_t{1} << 20;   // a token is a short line

// A token variable, else a systemd credential of the same name (LoadCredential=NAME:FILE puts it
// in $CREDENTIALS_DIRECTORY/NAME), so the token need not be in the environment at all.
std::optional<std::string> system_getenv(const std::string& name)
{
    if (const char* v = std::getenv(name.c_str()); v != nullptr) return std::string(v);
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0' || name.find('/') != std::string::npos) return std::nullopt;
    auto file = core::read_file(std::string(dir) + "/" + name, "credential", max_credential_bytes);
    if (!file.ok()) return std::nullopt;
    auto value = std::move(file.text);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
}

// How long a graceful shutdown may wait for the adapters to close their connections.
constexpr auto close_grace = 3s;
// How often run() looks at the adapters for a fatal error.
constexpr auto watch_every = 100ms;

}  // namespace

struct bot::impl {
    // Declaration order is destruction order reversed: the clock and the io_context outlive
    // everything that posts to them; the router dies before the delivery and store it uses.
    core::system_clock system_clock;
    const core::clock* clock = &system_clock;
    asio::io_context ioc{1};
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
    asio::steady_timer watch{ioc};
    std::unique_ptr<asio::signal_set> signals;
    std::shared_ptr<spdlog::logger> log = runtime::named_logger("nudgebot");

    std::shared_ptr<const engine::analyzer> analyzer;
    std::unique_ptr<nudge::composer> composer;
    // What reload() replaced: in-flight work may still point into them (cue names, suggestions).
    // One analyzer and composer per reload, so this grows only with operator actions.
    std::vector<std::shared_ptr<const engine::analyzer>> retired_analyzers;
    std::vector<std::unique_ptr<nudge::composer>> retired_composers;
    std::string rules_dir;
    config running_config;   // as started, with the reloaded keys updated (config_reload.hpp)
    std::function<void(commands::bot_options&)> tune_router;   // wiring_hooks::tune_router, at every reload too
    std::unique_ptr<asio::signal_set> hangups;
    std::unique_ptr<storage::async_store> store;
    // One event router per platform: core::delivery calls carry no platform, so each router
    // talks to its own adapter; all of them share the analyzer, composer and store.
    struct platform_slot {
        std::unique_ptr<runtime::platform_adapter> adapter;
        std::unique_ptr<routing::event_router> router;
    };
    std::vector<platform_slot> platforms;
    std::unique_ptr<ops::server> ops_server;
    std::unique_ptr<net::http_server> mattermost_http;   // slash commands and button actions
    std::uint16_t ops_port = 0;
    std::uint16_t mattermost_port = 0;

    bool stopping = false;                 // on the run thread
    int exit_code = exit_ok;
    std::chrono::steady_clock::time_point stop_deadline{};
    std::atomic<bool> stop_requested{false};

    ~impl()
    {
        // Handlers still queued on the io_context (store completions, adapter coroutines) refer to
        // the parts below; drop them before the parts go.
        for (auto& p : platforms) p.router.reset();
        ops_server.reset();
        mattermost_http.reset();
        platforms.clear();
        store.reset();
    }

    // SIGHUP: the config file, the rule packs and the suggestions, all or nothing. Blocking on
    // the run thread for the compile (tens of milliseconds); a mistake anywhere keeps everything in
    // use. Reloadable keys: log.level, rules.*, nudges.* (config_reload.hpp); changed restart-only
    // keys are named in the log as waiting for a restart.
    void reload()
    {
        core::diagnostics diags;
        std::optional<config> fresh_config;
        std::string dir = rules_dir;
        if (!running_config.file.empty()) {
            fresh_config = load_config(running_config.file, diags);
            if (fresh_config) dir = fresh_config->rules.dir.empty() ? default_rules_dir() : fresh_config->rules.dir;
        }
        std::shared_ptr<const engine::analyzer> fresh;
        std::optional<nudge::suggestion_library> library;
        if (!diags.has_errors() && (running_config.file.empty() || fresh_config)) {
            fresh = engine::load_rules(dir, diags);
            library = nudge::load_suggestions((std::filesystem::path(dir) / "suggestions.json").string(), diags);
        }
        const auto& country = fresh_config ? fresh_config->nudges.crisis_country : running_config.nudges.crisis_country;
        std::unique_ptr<nudge::composer> next;
        if (!diags.has_errors() && fresh && library) {
            next = std::make_unique<nudge::composer>(std::move(*library));
            if (!country.empty() && !next->crisis_resources().find(country))
                diags.error(nudge::crisis_resources_path(dir), 0, 0,
                            "nudges.crisis_country \"" + country + "\" has no confirmed helpline here");
        }
        auto& reloads = core::metrics::global();
        if (diags.has_errors() || !fresh || !next) {
            std::istringstream lines(diags.to_string());
            for (std::string line; std::getline(lines, line);) log->error("reload: {}", line);
            log->error("reload: mistakes in the config or in the rules in {}; keeping the configuration and rules "
                       "in use",
                       dir);
            reloads.counter("nudgebot_reloads_total", {{"result", "failed"}}).add();
            return;
        }
        if (fresh_config) {
            for (const auto& key : restart_only_changes(running_config, *fresh_config))
                log->warn("reload: {} changed in {} but is restart-only: the running bot keeps the value it "
                          "started with until the next start",
                          key, running_config.file);
            if (fresh_config->log.level != running_config.log.level) {
                spdlog::set_level(spdlog::level::from_str(fresh_config->log.level));
                log->info("reload: log level {}", fresh_config->log.level);
            }
            if (const auto& n = fresh_config->nudges; !(n == running_config.nudges))
                log->info("reload: nudges in use: daily_cap {}, cooldown_minutes {}, context_minutes {}, "
                          "context_messages {}, default_style {}, crisis_country \"{}\"",
                          n.daily_cap, n.cooldown_minutes, n.context_minutes, n.context_messages,
                          n.default_style == suggestion_style::direct ? "direct" : "gentle", n.crisis_country);
            if (fresh_config->rules.sensitivity != running_config.rules.sensitivity)
                log->info("reload: default sensitivity {}", engine::to_string(fresh_config->rules.sensitivity));
            running_config.log.level = fresh_config->log.level;
            running_config.rules = fresh_config->rules;
            running_config.nudges = fresh_config->nudges;
        }
        // Every router swaps analyzer, composer and options in this one handler on the run thread,
        // so no event sees a mix of old and new.
        auto options = router_options(running_config, fresh->packs());
        if (tune_router) tune_router(options);
        for (auto& p : platforms)
            if (p.router) p.router->reload(commands::analyze_with(fresh), *next, options);
        retired_analyzers.push_back(std::exchange(analyzer, fresh));
        retired_composers.push_back(std::exchange(composer, std::move(next)));
        rules_dir = dir;
        reloads.counter("nudgebot_reloads_total", {{"result", "ok"}}).add();
        log->info("reload: rules and suggestions from {} in use ({} packs)", rules_dir, analyzer->packs().size());
    }

    void wait_for_hangup()
    {
        hangups->async_wait([this](const boost::system::error_code& ec, int) {
            if (ec || stopping) return;
            log->info("SIGHUP received: reloading the config, rules and suggestions");
            reload();
            wait_for_hangup();
        });
    }

    // The event sink of the adapter in platforms[index] (an index: the vector may still grow).
    runtime::event_sink sink_for(std::size_t index)
    {
        return [this, index](core::event e) {
            auto* d = platforms[index].router.get();
            if (d != nullptr && !stopping) d->handle(e);
        };
    }

    std::size_t known_users() const
    {
        std::size_t n = 0;
        for (const auto& p : platforms)
            if (p.router) n += p.router->known_users();
        return n;
    }

    // True when every enabled adapter has finished (closed or given up).
    bool all_finished() const
    {
        for (const auto& p : platforms)
            if (!p.adapter->health().finished) return false;
        return true;
    }

    bot_health health() const
    {
        bot_health h;
        for (const auto& p : platforms) {
            auto s = p.adapter->health();
            // A failed task (restarting) counts as down until the adapter reports a connection again.
            bool up = s.connected && !s.finished && !s.failed;
            ++h.platforms;
            if (up) ++h.platforms_connected;
            h.shards_running += s.shards_running;
            switch (p.adapter->platform()) {
            case core::platform::discord: h.discord = up ? 1 : 0; break;
            case core::platform::slack: h.slack = up ? 1 : 0; break;
            case core::platform::mattermost: h.mattermost = up ? 1 : 0; break;
            }
        }
        h.healthy = h.platforms > 0 && h.platforms_connected == h.platforms && !stopping;
        h.known_users = known_users();
        h.store_pending = store ? store->pending() : 0;
        return h;
    }

    void begin_shutdown(int code)
    {
        if (stopping) return;
        stopping = true;
        exit_code = code;
        log->info("shutting down (exit code {})", code);
        for (auto& p : platforms) p.adapter->stop();
        // No new slash commands or button presses while the adapters close.
        if (mattermost_http) mattermost_http->stop();
        stop_deadline = std::chrono::steady_clock::now() + close_grace;
        arm_watch();
    }

    void finish_shutdown()
    {
        // The adapters are closed: no new events. Let the store finish what is queued (opt-ins
        // already acknowledged, counters) — blocking here is fine, nothing else needs this thread.
        if (store) store->wait_idle();
        if (ops_server) ops_server->stop();
        if (hangups) {
            boost::system::error_code ignored;
            hangups->cancel(ignored);
        }
        if (signals) {
            boost::system::error_code ignored;
            signals->cancel(ignored);
        }
        watch.cancel();
        work.reset();
        log->info("stopped");
        ioc.stop();
    }

    void arm_watch()
    {
        watch.expires_after(watch_every);
        watch.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;
            tick();
        });
    }

    void tick()
    {
        if (stop_requested.load() && !stopping) begin_shutdown(exit_ok);
        if (stopping) {
            bool closed = all_finished();
            if (closed || std::chrono::steady_clock::now() >= stop_deadline) {
                if (!closed) log->warn("the platform connections did not close within {} s", close_grace.count());
                finish_shutdown();
                return;
            }
            arm_watch();
            return;
        }
        for (const auto& p : platforms) {
            auto s = p.adapter->health();
            if (!s.finished) continue;
            auto name = core::to_string(p.adapter->platform());
            if (s.exit_code != 0)
                log->critical("{}: {}; exiting with code {}, restarting will not help", name,
                              p.adapter->refusal_advice(), exit_fatal_platform);
            else
                log->error("{}: the adapter ended on its own; exiting", name);
            begin_shutdown(exit_fatal_platform);
            return;
        }
        arm_watch();
    }
};

bot::bot(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
bot::~bot() = default;

std::unique_ptr<bot> bot::create(const config& cfg, std::ostream& err, wiring_hooks hooks)
{
    auto i = std::make_unique<impl>();
    if (hooks.clock) i->clock = hooks.clock;
    if (!hooks.getenv) hooks.getenv = system_getenv;
    bool ok = true;

    if (!cfg.discord.enabled && !cfg.slack.enabled && !cfg.mattermost.enabled) {
        err << "nudgebot run: no platform is enabled in " << (cfg.file.empty() ? "the config" : cfg.file)
            << " (set platforms.discord.enabled, platforms.slack.enabled or platforms.mattermost.enabled "
               "to true)\n";
        ok = false;
    }
    // Secrets from the environment: a missing one is named by its variable, never shown.
    const auto secret = [&](const std::string& variable, const std::string& key, const std::string& what) {
        auto value = hooks.getenv(variable);
        if (!value || value->empty()) {
            err << "nudgebot run: the environment variable " << variable << " (" << key
                << ") is not set or empty; put " << what << " there\n";
            ok = false;
            return std::string();
        }
        return std::move(*value);
    };
    std::string discord_token;
    if (cfg.discord.enabled) {
        discord_token = secret(cfg.discord.token_env, "platforms.discord.token_env", "the Discord bot token");
    }
    std::string slack_bot_token;
    std::string slack_app_token;
    if (cfg.slack.enabled) {
        slack_bot_token = secret(cfg.slack.bot_token_env, "platforms.slack.bot_token_env",
                                 "the Slack bot token (xoxb-...)");
        slack_app_token = secret(cfg.slack.app_token_env, "platforms.slack.app_token_env",
                                 "the Slack app-level token (xapp-..., scope connections:write)");
    }
    std::string mattermost_token;
    std::vector<std::string> mattermost_command_tokens;
    std::string mattermost_action_secret;
    if (cfg.mattermost.enabled) {
        mattermost_token = secret(cfg.mattermost.token_env, "platforms.mattermost.token_env",
                                  "the Mattermost bot's access token");
        for (const auto& variable : cfg.mattermost.command_token_envs) {
            auto t = secret(variable, "platforms.mattermost.command_token_envs",
                            "the token Mattermost shows for that slash command");
            if (!t.empty()) mattermost_command_tokens.push_back(std::move(t));
        }
        if (!cfg.mattermost.actions_url.empty()) {
            mattermost_action_secret = secret(cfg.mattermost.action_secret_env, "platforms.mattermost.action_secret_env",
                                              "a long random string (it authenticates button presses)");
        }
    }

    // Rules and the suggestion library.
    const std::string rules_dir = cfg.rules.dir.empty() ? default_rules_dir() : cfg.rules.dir;
    i->rules_dir = rules_dir;
    i->running_config = cfg;
    {
        auto& m = core::metrics::global();
        m.describe("nudgebot_reloads_total", "Reloads of the config and rules (SIGHUP), by result.");
        m.counter("nudgebot_reloads_total", {{"result", "ok"}});
        m.counter("nudgebot_reloads_total", {{"result", "failed"}});
    }
    core::diagnostics diags;
    i->analyzer = engine::load_rules(rules_dir, diags);
    i->composer = nudge::load_composer(rules_dir, diags);
    if (diags.has_errors() || !i->analyzer || !i->composer) {
        diags.print(err);
        err << "nudgebot run: the rules in " << rules_dir << " could not be loaded\n";
        return nullptr;
    }
    if (!ok) return nullptr;
    if (!cfg.nudges.crisis_country.empty() && !i->composer->crisis_resources().find(cfg.nudges.crisis_country)) {
        err << "nudgebot run: nudges.crisis_country \"" << cfg.nudges.crisis_country
            << "\" has no confirmed helpline in " << nudge::crisis_resources_path(rules_dir) << '\n';
        return nullptr;
    }

    // Storage: opened (and migrated) now, so that a bad URL stops the start.
    // PostgreSQL gets a small pool of connections (durable writes in order on one, daily claims
    // and counter batches beside it); SQLite one.
    std::vector<std::unique_ptr<storage::store>> connections;
    try {
        for (auto& c : storage::make_store_pool(cfg.storage.url))
            connections.push_back(std::make_unique<storage::timed_store>(std::move(c), core::metrics::global()));
    } catch (const std::exception& e) {
        err << "nudgebot run: cannot open storage.url: " << e.what() << '\n';
        return nullptr;
    }
    auto* raw = i.get();
    i->store = std::make_unique<storage::async_store>(std::move(connections), [raw](std::function<void()> f) {
        asio::post(raw->ioc, std::move(f));
    });

    // The routers' options from config.nudges and rules.sensitivity (again at every reload).
    i->tune_router = hooks.tune_router;
    auto options = router_options(cfg, i->analyzer->packs());
    if (i->tune_router) i->tune_router(options);

    // Every enabled platform becomes one slot: its adapter (fed to its own event router) and the
    // router, built the same way whatever the platform.
    i->platforms.reserve(3);
    const auto add_platform = [&](auto make_adapter) {
        auto index = i->platforms.size();
        auto& slot = i->platforms.emplace_back();
        slot.adapter = make_adapter(i->sink_for(index));
        slot.router = std::make_unique<routing::event_router>(commands::analyze_with(i->analyzer), *i->composer,
                                                              *i->store, *slot.adapter, *i->clock, options);
        slot.router->load(slot.adapter->platform());
        return slot.adapter.get();
    };

    if (cfg.discord.enabled) {
        discord::settings s;
        s.token = std::move(discord_token);
        s.api_base = cfg.discord.api_base;
        s.gateway_url = cfg.discord.gateway_url;
        s.intents = cfg.discord.intent_bits;
        s.shard_count = cfg.discord.shard_count;
        s.shard_ids = cfg.discord.shard_ids;
        s.compress = cfg.discord.compress;
        s.dev_guild_id = cfg.discord.dev_guild_id;
        s.state_file = cfg.discord.state_file;
        // Gateway sessions and the command-set hash live in the store, so a restart resumes and
        // does not register the commands again, with or without a state file.
        for (auto& [name, value] :
             i->store->call([](storage::store& st) { return st.load_state(core::platform::discord); }))
            s.kept.loaded.emplace(std::move(name), std::move(value));
        s.kept.save = [store = i->store.get()](const std::string& name, const std::string& value) {
            store->submit([name, value](storage::store& st) { st.put_state(core::platform::discord, name, value); });
        };
        s.user_agent_version = NUDGEBOT_VERSION;
        if (hooks.tune_discord) hooks.tune_discord(s);
        add_platform([&](runtime::event_sink sink) {
            auto a = std::make_unique<discord::adapter>(i->ioc, std::move(s), std::move(sink), *i->clock);
            a->use_nudgebot_commands();
            return a;
        });
    }

    if (cfg.slack.enabled) {
        const auto& c = cfg.slack;
        slack::settings s;
        s.app_token = std::move(slack_app_token);
        s.bot_token = std::move(slack_bot_token);
        s.api_base = c.api_base;
        s.response_url_prefix = c.response_url_prefix;
        s.workspace_url = c.workspace_url;
        s.admins_are_moderators = c.admins_are_moderators;
        s.moderator_group = c.moderator_group;
        s.keepalive = std::chrono::seconds(c.keepalive_seconds);
        s.reconnect.cap = std::chrono::seconds(c.reconnect_backoff_max_seconds);
        if (s.reconnect.base > s.reconnect.cap) s.reconnect.base = s.reconnect.cap;
        s.dedupe_window = std::chrono::minutes(c.dedupe_minutes);
        s.dedupe_limit = c.dedupe_limit;
        s.web_timeout = std::chrono::seconds(c.web_timeout_seconds);
        s.web_max_attempts = static_cast<int>(c.web_max_attempts);
        if (hooks.tune_slack) hooks.tune_slack(s);
        add_platform([&](runtime::event_sink sink) {
            return std::make_unique<slack::adapter>(i->ioc, std::move(s), std::move(sink), *i->clock);
        });
    }

    if (cfg.mattermost.enabled) {
        const auto& c = cfg.mattermost;
        mattermost::settings s;
        s.server_url = c.server_url;
        s.token = std::move(mattermost_token);
        s.command_tokens = std::move(mattermost_command_tokens);
        s.actions_url = c.actions_url;
        s.action_secret = std::move(mattermost_action_secret);
        s.http_prefix = c.http_prefix;
        s.authentication_challenge = c.authentication_challenge;
        s.keepalive = std::chrono::seconds(c.keepalive_seconds);
        s.reconnect.cap = std::chrono::seconds(c.reconnect_backoff_max_seconds);
        if (s.reconnect.base > s.reconnect.cap) s.reconnect.base = s.reconnect.cap;
        s.rest_timeout = std::chrono::seconds(c.rest_timeout_seconds);
        s.rest_max_attempts = static_cast<int>(c.rest_max_attempts);
        if (hooks.tune_mattermost) hooks.tune_mattermost(s);
        add_platform([&](runtime::event_sink sink) {
            return std::make_unique<mattermost::adapter>(i->ioc, std::move(s), std::move(sink), *i->clock);
        });

        // Mattermost POSTs slash commands and button presses to us: a listener of its own, so that
        // ops.listen (/metrics) can stay on loopback while this one faces the reverse proxy.
        net::http_server_options options;
        options.address = c.host;
        options.port = c.port;
        options.max_body_bytes = 64 * 1024;   // a slash command or an action is a few kilobytes
        options.max_connections = 128;
        options.read_timeout = std::chrono::milliseconds(5000);
        options.idle_timeout = std::chrono::milliseconds(30000);
        i->mattermost_http = std::make_unique<net::http_server>(i->ioc, options, [raw](const net::server_request& r) {
            if (!raw->stopping)
                for (auto& p : raw->platforms)
                    if (auto answer = p.adapter->handle_http(r)) return std::move(*answer);
            return net::server_response::text(404, "not found\n");
        });
        const auto problem = i->mattermost_http->start();
        if (!problem.empty()) {
            err << "nudgebot run: cannot listen for Mattermost slash commands on " << c.listen
                << " (platforms.mattermost.listen): " << problem << '\n';
            return nullptr;
        }
        i->mattermost_port = i->mattermost_http->port();
    }

    if (hooks.ops_listener) {
        ops::health_fn health = [raw] {
            auto h = raw->health();
            ops::health_report r;
            const bool store_ok = raw->store && raw->store->reachable();
            r.healthy = h.healthy && store_ok;
            r.fields = {{"platforms", h.platforms}, {"platforms_connected", h.platforms_connected}};
            if (h.discord >= 0) {
                r.fields.emplace_back("discord_connected", h.discord);
                r.fields.emplace_back("shards_running", h.shards_running);
            }
            if (h.slack >= 0) r.fields.emplace_back("slack_connected", h.slack);
            if (h.mattermost >= 0) r.fields.emplace_back("mattermost_connected", h.mattermost);
            r.fields.emplace_back("known_users", h.known_users);
            r.fields.emplace_back("store_pending", h.store_pending);
            r.fields.emplace_back("store_reachable", store_ok ? 1 : 0);
            auto& m = core::metrics::global();
            m.gauge("nudgebot_ready").set(r.healthy ? 1 : 0);
            m.gauge("nudgebot_store_reachable").set(store_ok ? 1 : 0);
            m.gauge("nudgebot_discord_shards_running").set(static_cast<double>(h.shards_running));
            for (auto [name, up] : {std::pair{"discord", h.discord}, {"slack", h.slack}, {"mattermost", h.mattermost}})
                if (up >= 0) m.gauge("nudgebot_platform_connected", {{"platform", name}}).set(up);
            return r;
        };
        auto& m = core::metrics::global();
        m.describe("nudgebot_ready", "1 when /readyz says ready: every enabled platform connected, store reachable.");
        m.describe("nudgebot_store_reachable", "1 when the store answered its last ping.");
        m.describe("nudgebot_discord_shards_running", "Discord shards of this process with a live session.");
        m.describe("nudgebot_platform_connected", "1 when the platform's connection is up, by platform.");
        health();   // every state gauge exists from the start
        std::string problem;
        i->ops_server = ops::server::start(i->ioc, cfg.ops.host, cfg.ops.port, std::move(health), problem);
        if (!i->ops_server) {
            err << "nudgebot run: cannot serve /metrics and /healthz on " << cfg.ops.listen << ": " << problem << '\n';
            return nullptr;
        }
        i->ops_port = i->ops_server->port();
    }

    std::string names;
    for (const auto& p : i->platforms) {
        names += ' ';
        names += core::to_string(p.adapter->platform());
        if (p.adapter->platform() == core::platform::mattermost)
            names += " (slash commands on port " + std::to_string(i->mattermost_port) + ")";
    }
    i->log->info("ready: {} rule(s) in {} pack(s), {} user(s) with a consent row, storage {}, ops on port {}, "
                 "platforms:{}",
                 i->analyzer->rules().size(), i->analyzer->packs().size(), i->known_users(),
                 cfg.storage.is_sqlite() ? "sqlite" : "postgresql", i->ops_port, names);
    return std::unique_ptr<bot>(new bot(std::move(i)));
}

int bot::run()
{
    auto& i = *impl_;
    for (auto& p : i.platforms) p.adapter->start();
    i.arm_watch();
    for (;;) {
        try {
            i.ioc.run();
            break;
        } catch (const std::exception& e) {
            // Nothing should throw while handling traffic; if something does, log it without
            // content and keep serving rather than dropping every connection.
            core::metrics::global().counter("nudgebot_handler_exceptions_total").add();
            i.log->error("a handler threw ({}); continuing", e.what());
        }
    }
    return i.exit_code;
}

void bot::stop()
{
    impl_->stop_requested.store(true);
    asio::post(impl_->ioc, [i = impl_.get()] { i->begin_shutdown(exit_ok); });
}

void bot::handle_signals()
{
    auto& i = *impl_;
    i.signals = std::make_unique<asio::signal_set>(i.ioc, SIGINT, SIGTERM);
    i.signals->async_wait([p = impl_.get()](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        p->log->info("signal {} received", signal);
        p->begin_shutdown(exit_ok);
    });
    i.hangups = std::make_unique<asio::signal_set>(i.ioc, SIGHUP);
    i.wait_for_hangup();
}

void bot::reload()
{
    asio::post(impl_->ioc, [i = impl_.get()] {
        if (!i->stopping) i->reload();
    });
}

std::uint16_t bot::ops_port() const noexcept { return impl_->ops_port; }

std::uint16_t bot::mattermost_port() const noexcept { return impl_->mattermost_port; }

bot_health bot::health() const { return impl_->health(); }

}  // namespace nudgebot::app
