#include "core/logger.hpp"

#include <spdlog/spdlog.h>

namespace nudgebot::core {

std::shared_ptr<spdlog::logger> named_logger(const std::string& name)
{
    if (auto existing = spdlog::get(name)) return existing;
    auto fresh = spdlog::default_logger()->clone(name);
    try {
        spdlog::register_logger(fresh);
    } catch (const spdlog::spdlog_ex&) {
        // registered meanwhile by another thread: use that one
        if (auto existing = spdlog::get(name)) return existing;
    }
    return fresh;
}

}  // namespace nudgebot::core
