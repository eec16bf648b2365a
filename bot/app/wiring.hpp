// The running bot: every part of nudgebot built from one config and driven by one thread.
//
// Contract: owned by bot/app (the run helper). bot::create() does all start-up work that may fail
// and reports each problem to `err` (returning nullptr, which `nudgebot run` turns into exit 2):
// rules (file:line:col diagnostics), the suggestion library, the store (storage.url, migrations
// applied), and every enabled platform's token (read from the environment variable the config
// names; a missing one is reported by its variable name, never a value). It then wires analyzer +
// store + composer + event routers + adapters (+ the ops listener) onto ONE io_context.
// run() drives that io_context on the calling thread — that thread is the adapters' strand and the
// routers'; the async_store posts its completions back onto it — until stop() or a fatal
// platform error. Any combination of platforms.discord, platforms.slack and platforms.mattermost
// runs on that one io_context, each adapter feeding its own event router (storage rows are keyed by
// core::platform, so ids never mix); Mattermost's slash-command and button POSTs are served by a
// second listener on platforms.mattermost.listen (ops.listen stays private to /metrics and
// /healthz). stop() may be called from any thread (and SIGINT/SIGTERM call it once
// handle_signals() was asked for): adapters close their connections, the store finishes its
// queued jobs (wait_idle), and run() returns 0. A fatal adapter error (token rejected, disallowed
// intents, no shard left) makes run() return 3 after the same shutdown, with one clear log line.
// Logs carry ids and counts only, never message text and never the token.
#pragma once

#include "app/config.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

namespace nudgebot::core {
class clock;
}
namespace nudgebot::commands {
struct bot_options;
}
namespace nudgebot::discord {
struct settings;
}
namespace nudgebot::slack {
struct settings;
}
namespace nudgebot::mattermost {
struct settings;
}

namespace nudgebot::app {

// Exit codes of `nudgebot run`.
inline constexpr int exit_ok = 0;             // stopped by a signal or stop()
inline constexpr int exit_startup = 2;        // config, rules, storage or token problem
inline constexpr int exit_fatal_platform = 3; // the platform refused us; restarting will not help

// Test and benchmark seams; production leaves them all empty.
struct wiring_hooks {
    // Reads an environment variable (default: std::getenv). Tests hand in a fake environment.
    std::function<std::optional<std::string>(const std::string& name)> getenv;
    // Adjusts the options derived from config.nudges (benchmarks lift the caps).
    std::function<void(commands::bot_options&)> tune_router;
    // Adjusts the Discord settings derived from config.platforms.discord (tests shrink timings).
    std::function<void(discord::settings&)> tune_discord;
    std::function<void(slack::settings&)> tune_slack;
    std::function<void(mattermost::settings&)> tune_mattermost;
    const core::clock* clock = nullptr;       // default: the system clock
    bool ops_listener = true;                 // serve /metrics and /healthz on config.ops.listen
};

// What /healthz reports, also useful to tests.
struct bot_health {
    bool healthy = false;                     // every enabled adapter is connected
    std::size_t platforms = 0;                // enabled adapters
    std::size_t platforms_connected = 0;      // of those, connected now (Discord: a shard running)
    std::size_t shards_running = 0;           // Discord shards
    int discord = -1;                         // per platform: -1 not enabled, 0 down, 1 connected
    int slack = -1;
    int mattermost = -1;
    std::size_t known_users = 0;
    std::size_t store_pending = 0;
};

class bot {
public:
    static std::unique_ptr<bot> create(const config& cfg, std::ostream& err, wiring_hooks hooks = {});
    ~bot();
    bot(const bot&) = delete;
    bot& operator=(const bot&) = delete;

    // Blocks until stopped; returns exit_ok or exit_fatal_platform.
    int run();
    // Any thread; idempotent.
    void stop();
    // SIGINT and SIGTERM call stop() and SIGHUP calls reload() while run() runs. Call before run().
    void handle_signals();
    // Reads the config file again and reloads the rule packs and the suggestion library from its
    // rules.dir (what SIGHUP does once handle_signals() was asked for): all or nothing; on a
    // mistake in the config or any pack everything in use stays and each file:line:col problem is
    // logged. Reloadable keys: log.level, rules.dir, rules.sensitivity and nudges.* (the routers
    // swap rules, suggestions and options in one step); changed restart-only keys are logged by
    // name as waiting for a restart (config_reload.hpp). A config without a file reloads the rules
    // only. Any thread; the work runs on the run thread.
    void reload();

    // The ops listener's port (useful with "ops.listen": "127.0.0.1:0"); 0 when not listening.
    std::uint16_t ops_port() const noexcept;
    // The Mattermost listener's port (slash commands, actions); 0 when Mattermost is not enabled.
    std::uint16_t mattermost_port() const noexcept;
    // Call on the run() thread (the ops handler does).
    bot_health health() const;

    struct impl;

private:
    explicit bot(std::unique_ptr<impl> i);
    std::unique_ptr<impl> impl_;
};

}  // namespace nudgebot::app
