// `nudgebot rules test [DIR]`: loads every pack in DIR and runs every example written in them.
//
// Contract: a pack that does not load is reported as `file:line:col: error: ...` on `err`, every
// mistake of every pack at once, sorted, and the exit code is 1. Otherwise `out` gets one line
// about the packs, each failing example as `file:line:col: error: ...` (the position of the
// example string in its pack), and the summary `N passed, M failed`; exit 1 when M > 0, else 0.
// Examples run at sensitivity medium (engine::run_examples). Then, when DIR has a
// suggestions.json, every library line and crisis card is checked (nudge/library_lint.hpp): each
// problem is one more failure, reported as `DIR/suggestions.json: error: ...`. Opens nothing but
// DIR's files and the crisis resources beside DIR.
#include "app/verbs.hpp"

#include <cstdio>
#include <ostream>

#include "engine/analyzer.hpp"
#include "engine/examples.hpp"
#include "nudge/library_lint.hpp"

#include <filesystem>

namespace nudgebot::app {

int run_rules_test(const rules_test_options& options, std::ostream& out, std::ostream& err)
{
    const auto analyzer = load_packs_for_verb("rules test", options.rules_dir, err);
    if (!analyzer) return 1;

    char line[256];
    std::snprintf(line, sizeof line, "%s: %zu packs, %zu rules, %zu lexicons, compiled in %.1f ms\n",
                  options.rules_dir.c_str(), analyzer->packs().size(), analyzer->rules().size(),
                  analyzer->lexicons().size(), analyzer->compile_ms());
    out << line;

    const auto report = engine::run_examples(*analyzer);
    out << report.to_string();
    std::size_t failed = report.failures.size();
    const auto library = (std::filesystem::path(options.rules_dir) / "suggestions.json").string();
    if (std::filesystem::exists(library)) {
        core::diagnostics diags;
        auto composer = nudge::load_composer(options.rules_dir, diags);
        if (!composer) {
            diags.print(out);
            ++failed;
        } else {
            for (const auto& problem : nudge::lint_library(*composer)) {
                out << library << ": error: " << problem << '\n';
                ++failed;
            }
        }
    }
    out << (report.run - failed) << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}

}  // namespace nudgebot::app
