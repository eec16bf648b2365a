// `nudgebot config check FILE`: everything `nudgebot run` would fail on at start, except tokens
// and platform connections — so that systemd's ExecStartPre catches it.
//
// Contract: every problem is printed to `err` as `FILE:LINE:COL: error: ...`, all at once, sorted;
// exit 1 when there is any error. When the file itself is valid, the rule packs and the
// suggestion library (rules.dir, or the default) are loaded and compiled, their mistakes printed
// as `file:line:col`, and the storage is opened as `run` would open it (a PostgreSQL URL is
// connected to and migrated; an SQLite file that exists is opened and migrated, one that does not
// is only checked to be creatable — config check creates no file). Otherwise warnings (if any)
// are printed the same way, `FILE: ok` goes to `out`, and the exit code is 0. No platform is
// contacted and no token is read.
#include "app/verbs.hpp"

#include <filesystem>
#include <ostream>
#include <unistd.h>

#include "app/config.hpp"
#include "core/diagnostics.hpp"
#include "engine/analyzer.hpp"
#include "nudge/composer.hpp"
#include "storage/store.hpp"

namespace nudgebot::app {

namespace {

// Why the storage `run` would open cannot be opened, or "" when it can.
std::string storage_problem(const storage_config& storage)
{
    if (storage.is_sqlite()) {
        const std::filesystem::path path = storage.sqlite_path();
        std::error_code ec;
        if (path.string() == ":memory:" || !std::filesystem::exists(path, ec)) {
            auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
            if (path.string() != ":memory:" && ::access(folder.c_str(), W_OK | X_OK) != 0)
                return "storage.url: cannot create " + path.string() + ": the folder " + folder.string() +
                       " is missing or not writable";
            return "";
        }
    }
    try {
        storage::make_store(storage.url);
    } catch (const std::exception& e) {
        return std::string("storage.url: ") + e.what();
    }
    return "";
}

}  // namespace

int run_config_check(const config_check_options& options, std::ostream& out, std::ostream& err)
{
    core::diagnostics diags;
    const auto cfg = load_config(options.file, diags);
    diags.print(err);
    if (!cfg) return 1;

    core::diagnostics rules;
    const std::string rules_dir = cfg->rules.dir.empty() ? default_rules_dir() : cfg->rules.dir;
    const auto analyzer = engine::load_rules(rules_dir, rules);
    const auto library =
        nudge::load_suggestions((std::filesystem::path(rules_dir) / "suggestions.json").string(), rules);
    bool ok = analyzer && library && !rules.has_errors();
    rules.print(err);
    if (!ok) err << options.file << ": error: the rules in " << rules_dir << " could not be loaded\n";

    if (auto problem = storage_problem(cfg->storage); !problem.empty()) {
        err << options.file << ": error: " << problem << '\n';
        ok = false;
    }
    if (!ok) return 1;
    out << options.file << ": ok\n";
    return 0;
}

}  // namespace nudgebot::app
