#include "app/json_log.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/details/log_msg.h>

#include <chrono>
#include <ctime>

namespace nudgebot::app {

void json_log_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest)
{
    const auto since_epoch = msg.time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds).count();
    std::time_t t = seconds.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[40];
    auto n = std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(when + n, sizeof when - n, ".%06lldZ", static_cast<long long>(micros));

    nlohmann::json line;
    line["time"] = when;
    const auto level = spdlog::level::to_string_view(msg.level);
    line["level"] = std::string(level.data(), level.size());
    line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    dest.append(text.data(), text.data() + text.size());
}

std::unique_ptr<spdlog::formatter> json_log_formatter::clone() const
{
    return std::make_unique<json_log_formatter>();
}

}  // namespace nudgebot::app
