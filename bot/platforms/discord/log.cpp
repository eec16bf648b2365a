#include "platforms/discord/log.hpp"

#include <spdlog/spdlog.h>

namespace nudgebot::discord {

std::shared_ptr<spdlog::logger> discord_log()
{
    if (auto existing = spdlog::get("discord")) return existing;
    auto fresh = spdlog::default_logger()->clone("discord");
    try {
        spdlog::register_logger(fresh);
    } catch (const spdlog::spdlog_ex&) {
        // registered meanwhile by another thread: use that one
        if (auto existing = spdlog::get("discord")) return existing;
    }
    return fresh;
}

}  // namespace nudgebot::discord
