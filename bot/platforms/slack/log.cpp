#include "platforms/slack/log.hpp"

#include <spdlog/spdlog.h>

namespace nudgebot::slack {

std::shared_ptr<spdlog::logger> slack_log()
{
    if (auto existing = spdlog::get("slack")) return existing;
    auto fresh = spdlog::default_logger()->clone("slack");
    try {
        spdlog::register_logger(fresh);
    } catch (const spdlog::spdlog_ex&) {
        if (auto existing = spdlog::get("slack")) return existing;
    }
    return fresh;
}

}  // namespace nudgebot::slack
