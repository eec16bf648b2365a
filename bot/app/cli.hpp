// The `nudgebot` command line: parses arguments with CLI11 and runs one verb (app/verbs.hpp).
//
// Contract: run_cli() is all of main(): it never throws, prints usage errors and --help / --version
// to the given streams, and returns the process exit code (0 success, 1 problems found, 2 usage
// errors, start-up failures and verbs not available yet: `run`, `sandbox`). Rule folders default
// to default_rules_dir(). Single-threaded; tests call it with their own streams. Owner: bot/app.
#pragma once

#include <iosfwd>

namespace nudgebot::app {

int run_cli(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace nudgebot::app
