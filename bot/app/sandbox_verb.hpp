// The `nudgebot sandbox [--port 8080] [--config FILE]` verb: the sandbox chat server (bot/sandbox)
// and the whole bot (app/wiring.hpp, the same wiring as `nudgebot run`) in one process, the bot's
// Discord adapter pointed at the sandbox over ws://127.0.0.1 with a token made up for this run.
//
// Contract: owned by bot/app (the sandbox engineer). Blocks until SIGINT/SIGTERM. Prints the
// page's address on `out` once the bot is built. Without --config the state lives in RAM plus a
// SQLite file in a fresh temporary folder (removed at exit), no ops listener is opened, and nudges
// may come faster than by default (1-minute cooldown, 20 a day) so a visitor can play; with
// --config, that file's rules, storage and nudge settings are used, but its platforms are ignored
// (the sandbox never connects to a real chat platform). Returns 0 after a signal, 2 for start-up
// problems (port in use, rules or config errors — each reported on `err`), 3 when the bot's
// adapter ended fatally.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace nudgebot::app {

struct sandbox_options {
    std::uint16_t port = 8080;          // 0: any free port
    std::string address = "127.0.0.1";
    std::string config_file;            // empty: defaults + temporary SQLite file
};

int run_sandbox(const sandbox_options& options, std::ostream& out, std::ostream& err);

}  // namespace nudgebot::app
