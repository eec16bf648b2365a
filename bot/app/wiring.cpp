// Builds and drives the running bot (see wiring.hpp).
#include "app/wiring.hpp"

#include "app/verbs.hpp"
#include "commands/dispatcher.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "engine/analyzer.hpp"
#include "nudge/composer.hpp"
#include "ops/endpoints.hpp"
#include "platforms/discord/adapter.hpp"
#include "platforms/discord/settings.hpp"
#include "storage/async_store.hpp"
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
#include <stdexcept>

namespace nudgebot::app {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// The app's named logger, cloned from the default logger's sinks on first use (as discord_log).
std::shared_ptr<spdlog::logger> app_log()
{
    if (auto existing = spdlog::get("nudgebot")) return existing;
    auto fresh = spdlog::default_logger()->clone("nudgebot");
    try {
        spdlog::register_logger(fresh);
    } catch (const spdlog::spdlog_ex&) {
        if (auto existing = spdlog::get("nudgebot")) return existing;
    }
    return fresh;
}

std::optional<std::string> system_getenv(const std::string& name)
{
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
}

// How long a graceful shutdown may wait for the adapters to close their connections.
constexpr auto close_grace = 3s;
// How often run() looks at the adapters for a fatal error.
constexpr auto watch_every = 100ms;

}  // namespace

struct bot::impl {
    // Declaration order is destruction order reversed: the clock and the io_context outlive
    // everything that posts to them; the dispatcher dies before the delivery and store it uses.
    core::system_clock system_clock;
    const core::clock* clock = &system_clock;
    asio::io_context ioc{1};
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
    asio::steady_timer watch{ioc};
    std::unique_ptr<asio::signal_set> signals;
    std::shared_ptr<spdlog::logger> log = app_log();

    std::shared_ptr<const engine::analyzer> analyzer;
    std::unique_ptr<nudge::composer> composer;
    std::unique_ptr<storage::async_store> store;
    std::unique_ptr<discord::adapter> discord;
    std::unique_ptr<commands::dispatcher> dispatcher;
    std::unique_ptr<ops::server> ops_server;
    std::uint16_t ops_port = 0;

    bool stopping = false;                 // on the run thread
    int exit_code = exit_ok;
    std::chrono::steady_clock::time_point stop_deadline{};
    std::atomic<bool> stop_requested{false};

    ~impl()
    {
        // Handlers still queued on the io_context (store completions, adapter coroutines) refer to
        // the parts below; drop them before the parts go.
        dispatcher.reset();
        ops_server.reset();
        discord.reset();
        store.reset();
    }

    void on_event(core::event e)
    {
        if (dispatcher && !stopping) dispatcher->handle(e);
    }

    bot_health health() const
    {
        bot_health h;
        h.healthy = true;
        if (discord) {
            ++h.platforms;
            auto s = discord->status();
            h.shards_running += s.shards_running;
            h.healthy = h.healthy && s.shards_running > 0 && !s.finished;
        }
        h.healthy = h.healthy && h.platforms > 0 && !stopping;
        h.known_users = dispatcher ? dispatcher->known_users() : 0;
        h.store_pending = store ? store->pending() : 0;
        return h;
    }

    void begin_shutdown(int code)
    {
        if (stopping) return;
        stopping = true;
        exit_code = code;
        log->info("shutting down (exit code {})", code);
        if (discord) discord->stop();
        stop_deadline = std::chrono::steady_clock::now() + close_grace;
        arm_watch();
    }

    void finish_shutdown()
    {
        // The adapters are closed: no new events. Let the store finish what is queued (opt-ins
        // already acknowledged, counters) — blocking here is fine, nothing else needs this thread.
        if (store) store->wait_idle();
        if (ops_server) ops_server->stop();
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
            bool closed = !discord || discord->status().finished;
            if (closed || std::chrono::steady_clock::now() >= stop_deadline) {
                if (!closed) log->warn("the platform connections did not close within {} s", close_grace.count());
                finish_shutdown();
                return;
            }
            arm_watch();
            return;
        }
        if (discord) {
            auto s = discord->status();
            if (s.finished) {
                if (s.exit_code != 0) {
                    log->critical("discord: the platform refused the bot (token rejected, intents not allowed, "
                                  "or every shard closed fatally); exiting with code {} — fix the bot's settings "
                                  "in the Discord Developer Portal or the token, restarting will not help",
                                  exit_fatal_platform);
                    begin_shutdown(exit_fatal_platform);
                } else {
                    log->error("discord: the adapter ended on its own; exiting");
                    begin_shutdown(exit_fatal_platform);
                }
                return;
            }
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

    // Which platforms run. Only Discord exists in this build.
    if (cfg.slack.enabled) {
        err << "nudgebot run: platforms.slack is enabled, but Slack support is not available in this build\n";
        ok = false;
    }
    if (cfg.mattermost.enabled) {
        err << "nudgebot run: platforms.mattermost is enabled, but Mattermost support is not available in this "
               "build\n";
        ok = false;
    }
    if (!cfg.discord.enabled && !cfg.slack.enabled && !cfg.mattermost.enabled) {
        err << "nudgebot run: no platform is enabled in " << (cfg.file.empty() ? "the config" : cfg.file)
            << " (set platforms.discord.enabled to true)\n";
        ok = false;
    }
    std::string discord_token;
    if (cfg.discord.enabled) {
        auto token = hooks.getenv(cfg.discord.token_env);
        if (!token || token->empty()) {
            // Name the variable, never a value.
            err << "nudgebot run: the environment variable " << cfg.discord.token_env
                << " (platforms.discord.token_env) is not set or empty; put the Discord bot token there\n";
            ok = false;
        } else {
            discord_token = std::move(*token);
        }
    }

    // Rules and the suggestion library.
    const std::string rules_dir = cfg.rules.dir.empty() ? default_rules_dir() : cfg.rules.dir;
    core::diagnostics diags;
    i->analyzer = engine::load_rules(rules_dir, diags);
    const auto suggestions_path = (std::filesystem::path(rules_dir) / "suggestions.json").string();
    auto library = nudge::load_suggestions(suggestions_path, diags);
    if (diags.has_errors() || !i->analyzer || !library) {
        diags.print(err);
        err << "nudgebot run: the rules in " << rules_dir << " could not be loaded\n";
        return nullptr;
    }
    if (!ok) return nullptr;
    i->composer = std::make_unique<nudge::composer>(std::move(*library));

    // Storage: opened (and migrated) now, so that a bad URL stops the start.
    std::unique_ptr<storage::store> backing;
    try {
        backing = storage::make_store(cfg.storage.url);
    } catch (const std::exception& e) {
        err << "nudgebot run: cannot open storage.url: " << e.what() << '\n';
        return nullptr;
    }
    auto* raw = i.get();
    i->store = std::make_unique<storage::async_store>(std::move(backing), [raw](std::function<void()> f) {
        asio::post(raw->ioc, std::move(f));
    });

    // The dispatcher's options from config.nudges.
    commands::dispatcher_options options;
    options.policy.user_cooldown = std::chrono::minutes(cfg.nudges.cooldown_minutes);
    options.policy.daily_cap = cfg.nudges.daily_cap;
    options.context.window = std::chrono::minutes(cfg.nudges.context_minutes);
    options.context.max_turns = cfg.nudges.context_messages;
    options.packs = i->analyzer->packs();
    options.server_defaults.sensitivity = std::string(engine::to_string(cfg.rules.sensitivity));
    options.default_style =
        cfg.nudges.default_style == suggestion_style::direct ? storage::style::direct : storage::style::gentle;
    if (hooks.tune_dispatcher) hooks.tune_dispatcher(options);

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
        s.user_agent_version = NUDGEBOT_VERSION;
        if (hooks.tune_discord) hooks.tune_discord(s);
        i->discord = std::make_unique<discord::adapter>(
            i->ioc, std::move(s), [raw](core::event e) { raw->on_event(std::move(e)); }, *i->clock);
        i->discord->use_nudgebot_commands();
    }

    i->dispatcher = std::make_unique<commands::dispatcher>(commands::analyze_with(i->analyzer), *i->composer,
                                                           *i->store, *i->discord, *i->clock, options);
    if (cfg.discord.enabled) i->dispatcher->load(core::platform::discord);

    if (hooks.ops_listener) {
        ops::health_fn health = [raw] {
            auto h = raw->health();
            ops::health_report r;
            r.healthy = h.healthy;
            r.fields = {{"platforms", h.platforms},
                        {"shards_running", h.shards_running},
                        {"known_users", h.known_users},
                        {"store_pending", h.store_pending}};
            return r;
        };
        std::string problem;
        i->ops_server = ops::server::start(i->ioc, cfg.ops.host, cfg.ops.port, std::move(health), problem);
        if (!i->ops_server) {
            err << "nudgebot run: cannot serve /metrics and /healthz on " << cfg.ops.listen << ": " << problem << '\n';
            return nullptr;
        }
        i->ops_port = i->ops_server->port();
    }

    i->log->info("ready: {} rule(s) in {} pack(s), {} user(s) with a consent row, storage {}, ops on port {}",
                 i->analyzer->rules().size(), i->analyzer->packs().size(), i->dispatcher->known_users(),
                 cfg.storage.is_sqlite() ? "sqlite" : "postgresql", i->ops_port);
    return std::unique_ptr<bot>(new bot(std::move(i)));
}

int bot::run()
{
    auto& i = *impl_;
    if (i.discord) i.discord->start();
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
}

std::uint16_t bot::ops_port() const noexcept { return impl_->ops_port; }

bot_health bot::health() const { return impl_->health(); }

}  // namespace nudgebot::app
