// `nudgebot run` (see run.hpp).
#include "app/run.hpp"

#include "app/json_log.hpp"

#include <spdlog/spdlog.h>

#include <ostream>

namespace nudgebot::app {

namespace {

// Applies log.level and log.format to every registered logger and to those cloned later (the
// platform loggers clone the default logger). A line never holds anything but the message our
// code formats, which carries ids and counts only; JSON lines are built by a JSON library.
void configure_logging(const log_config& log)
{
    spdlog::set_level(spdlog::level::from_str(log.level));
    if (log.format == log_format::json)
        spdlog::set_formatter(std::make_unique<json_log_formatter>());
    else
        spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ [%n] %v", spdlog::pattern_time_type::utc);
}

}  // namespace

int run_bot(const run_options& options, std::ostream& err, wiring_hooks hooks)
{
    if (options.config_file.empty()) {
        err << "nudgebot run: --config FILE is required (see config.example.json)\n";
        return exit_startup;
    }
    core::diagnostics diags;
    auto cfg = load_config(options.config_file, diags);
    diags.print(err);   // warnings too (e.g. ops.listen not on loopback)
    if (!cfg) {
        err << "nudgebot run: " << options.config_file << " has errors; nothing was started\n";
        return exit_startup;
    }
    configure_logging(cfg->log);

    auto running = bot::create(*cfg, err, std::move(hooks));
    if (!running) return exit_startup;
    running->handle_signals();
    return running->run();
}

}  // namespace nudgebot::app
