// JSON log lines for `log.format: "json"`: one object per line, built by nlohmann::json so that
// any message text (quotes, backslashes, newlines, control characters, invalid UTF-8 in an error
// string from a library) still yields exactly one valid JSON line.
//
// Contract: owned by app/. json_log_formatter is an spdlog formatter (install it with
// spdlog::set_formatter); format() is called by spdlog under its sink locks. Fields: "time" (UTC,
// ISO 8601 with microseconds), "level", "logger", "msg". Invalid UTF-8 bytes become U+FFFD.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace nudgebot::app {

class json_log_formatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace nudgebot::app
