// The platform runtime's named loggers are core's (see core/logger.hpp): "discord", "slack",
// "mattermost", "nudgebot".
#pragma once

#include "core/logger.hpp"

namespace nudgebot::runtime {

using core::named_logger;

}  // namespace nudgebot::runtime
