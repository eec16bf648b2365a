// Named spdlog loggers ("discord", "slack", "mattermost", "net", "nudgebot"), one function for all
// layers (net/ logs through it as well as the platform runtime).
//
// Contract: returns the logger registered under `name`, creating it on first use from the default
// logger's sinks; tests register their own capturing logger under that name first. Thread-safe
// (spdlog's registry). Log lines carry ids, codes and counts, never message text or a token.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace nudgebot::core {

std::shared_ptr<spdlog::logger> named_logger(const std::string& name);

}  // namespace nudgebot::core
