#include "platforms/mattermost/log.hpp"

#include <spdlog/spdlog.h>

namespace nudgebot::mattermost {

std::shared_ptr<spdlog::logger> mattermost_log()
{
    if (auto existing = spdlog::get("mattermost")) return existing;
    auto fresh = spdlog::default_logger()->clone("mattermost");
    try {
        spdlog::register_logger(fresh);
    } catch (const spdlog::spdlog_ex&) {
        if (auto existing = spdlog::get("mattermost")) return existing;
    }
    return fresh;
}

}  // namespace nudgebot::mattermost
