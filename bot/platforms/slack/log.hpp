// The Slack adapter's named spdlog logger ("slack").
//
// Contract: returns the logger registered under "slack", creating it from the default logger's
// sinks on first use; tests register their own capturing logger first. Thread-safe. Log lines
// carry ids, codes and counts, never message text or a token.
#pragma once

#include <spdlog/logger.h>

#include <memory>

namespace nudgebot::slack {

std::shared_ptr<spdlog::logger> slack_log();

}  // namespace nudgebot::slack
