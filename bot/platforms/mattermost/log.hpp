// The Mattermost adapter's named spdlog logger ("mattermost").
//
// Contract: returns the logger registered under "mattermost", creating it from the default
// logger's sinks on first use; tests register their own capturing logger first. Thread-safe. Log
// lines carry ids, codes and counts, never message text or a token.
#pragma once

#include <spdlog/logger.h>

#include <memory>

namespace nudgebot::mattermost {

std::shared_ptr<spdlog::logger> mattermost_log();

}  // namespace nudgebot::mattermost
