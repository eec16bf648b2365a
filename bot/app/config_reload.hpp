// What a reload (SIGHUP) may change in a running bot, and what only a restart applies.
//
// Contract: pure functions, thread-safe. Reloadable: `log.level` and `rules.dir` (the rule packs
// and the suggestion library are read again from it, all or nothing, by bot::reload). Every other
// key is read at start only; restart_only_changes() names the sections of those keys that differ
// between the config in use and the one just read, so the reload can say what still waits for a
// restart instead of silently ignoring it.
#pragma once

#include "app/config.hpp"

#include <string>
#include <vector>

namespace nudgebot::app {

// Section names ("storage", "nudges", "platforms.discord", "rules.sensitivity", ...) whose values
// differ and that a reload does not apply.
std::vector<std::string> restart_only_changes(const config& in_use, const config& fresh);

}  // namespace nudgebot::app
