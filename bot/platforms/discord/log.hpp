// The adapter's named spdlog logger ("discord").
//
// Contract: returns the logger registered under "discord", creating it from the default logger's
// sinks on first use; tests register their own capturing "discord" logger before creating the
// adapter. Thread-safe (spdlog registry). Log lines carry ids, codes and counts, never message
// text or the token.
#pragma once

#include <spdlog/logger.h>

#include <memory>

namespace nudgebot::discord {

std::shared_ptr<spdlog::logger> discord_log();

}  // namespace nudgebot::discord
