// What a reload (SIGHUP) may change in a running bot, and what only a restart applies.
//
// Contract: pure functions, thread-safe. Reloadable: `log.level`, `rules.dir` (the rule packs and
// the suggestion library are read again from it), `rules.sensitivity` and every `nudges.*` key
// (the event routers' options, router_options()); bot::reload applies them all together or none.
// Restart-only: every key that decides what the process opened or connected at start — `storage.*`
// (the database), `ops.listen`, `log.format`, and every `platforms.*` key (enabling a platform,
// token variables, API and gateway addresses, intents, shards, listeners, timings). Tokens
// themselves are read once at start from the environment or systemd credentials: a reload never
// reads them again. restart_only_changes() names each restart-only key whose value differs between
// the config in use and the one just read, so the reload can say what still waits for a restart
// instead of silently ignoring it.
#pragma once

#include "app/config.hpp"

#include <string>
#include <vector>

namespace nudgebot::commands {
struct bot_options;
}

namespace nudgebot::app {

// Keys ("storage.url", "ops.listen", "platforms.discord.shards", ...) whose values differ and that
// a reload does not apply, in the order of the config file's sections.
std::vector<std::string> restart_only_changes(const config& in_use, const config& fresh);

// The event routers' options from config.nudges and rules.sensitivity; `packs` are the pack ids
// the loaded analyzer holds (what `/nudge-admin packs` offers). At start and at every reload.
commands::bot_options router_options(const config& cfg, std::vector<std::string> packs);

}  // namespace nudgebot::app
