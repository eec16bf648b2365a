// The `nudgebot run --config FILE` verb: the bot connected to the configured chat platforms.
//
// Contract: owned by bot/app (the run helper). run_bot() loads and validates the config (every
// mistake as FILE:line:col: error: ... on `err`, exit 2), applies log.level and log.format to
// spdlog, builds the bot (wiring.hpp: rules, suggestions, storage, token from the environment —
// any failure is exit 2 with a clear line on `err`), installs SIGINT/SIGTERM handlers and runs it
// on the calling thread. Returns 0 after a signal (graceful: connections closed, storage queue
// written), 3 after a fatal platform error (token rejected, intents not allowed) so that systemd's
// RestartPreventExitStatus=3 stops a restart loop, 2 for start-up problems. Blocks until then.
#pragma once

#include "app/wiring.hpp"

#include <iosfwd>
#include <string>

namespace nudgebot::app {

struct run_options {
    std::string config_file;
};

int run_bot(const run_options& options, std::ostream& err, wiring_hooks hooks = {});

}  // namespace nudgebot::app
