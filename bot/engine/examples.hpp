// Runs the examples written in rule packs: every rule's `fire`/`quiet` strings and every pack's
// whole-message `flag`/`quiet` strings (at sensitivity medium).
//
// Contract: pure; used by `nudgebot rules test` and CI. Each failure carries the file:line:col of
// the example string and says what happened instead (which rules fired, score vs threshold).
// Failure messages quote rule ids and scores, never the example text (the position points at
// it). Owner: engine.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/diagnostics.hpp"
#include "engine/analyzer.hpp"

namespace nudgebot::engine {

struct example_report {
    std::size_t run = 0;                        // examples run
    std::vector<core::diagnostic> failures;     // severity error, sorted by file, line, column
    bool ok() const noexcept { return failures.empty(); }
    // Every failure as "file:line:col: error: ..." lines (sorted).
    std::string to_string() const;
};

example_report run_examples(const analyzer& rules);

}  // namespace nudgebot::engine
