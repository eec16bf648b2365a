// `nudgebot config check FILE`: validates a configuration file and opens nothing else.
//
// Contract: every problem is printed to `err` as `FILE:LINE:COL: error: ...`, all at once, sorted;
// exit 1 when there is any error. Otherwise warnings (if any) are printed the same way,
// `FILE: ok` goes to `out`, and the exit code is 0. No socket, database or token is touched.
#include "app/verbs.hpp"

#include <ostream>

#include "app/config.hpp"
#include "core/diagnostics.hpp"

namespace nudgebot::app {

int run_config_check(const config_check_options& options, std::ostream& out, std::ostream& err)
{
    core::diagnostics diags;
    const auto cfg = load_config(options.file, diags);
    diags.print(err);
    if (!cfg) return 1;
    out << options.file << ": ok\n";
    return 0;
}

}  // namespace nudgebot::app
