#include "app/json_log.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

using namespace nudgebot;

TEST_CASE("Every JSON log line is valid JSON whatever the message holds", "[app][log]")
{
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    spdlog::logger log("discord", sink);
    log.set_formatter(std::make_unique<app::json_log_formatter>());
    log.set_level(spdlog::level::trace);
    const std::vector<std::string> hostile{
        R"(error "quoted" text with \backslash\ and {"json": "inside"})",
        "two\nlines\r\nand a tab\t and NUL-free control \x01\x1f chars",
        std::string("invalid UTF-8: \xff\xfe and a cut sequence \xe2\x82"),
        "emoji 😀 and ünïcödé",
        "%v %l {} {:>10}",
        ""};
    for (const auto& text : hostile) log.warn("{}", text);
    log.error("after {} lines", hostile.size());
    log.flush();

    std::istringstream lines(out.str());
    std::string line;
    std::size_t n = 0;
    while (std::getline(lines, line)) {
        INFO(line);
        auto j = nlohmann::json::parse(line, nullptr, false);
        REQUIRE(j.is_object());
        CHECK(j["logger"] == "discord");
        CHECK(j["time"].get<std::string>().size() == std::string("2026-01-01T00:00:00.000000Z").size());
        if (n < hostile.size()) {
            CHECK(j["level"] == "warning");
            // Valid UTF-8 comes back unchanged; invalid bytes become U+FFFD.
            if (n != 2) CHECK(j["msg"] == hostile[n]);
            else CHECK(j["msg"].get<std::string>().find("\xef\xbf\xbd") != std::string::npos);
        } else {
            CHECK(j["level"] == "error");
            CHECK(j["msg"] == "after 6 lines");
        }
        ++n;
    }
    CHECK(n == hostile.size() + 1);   // one line per message: newlines in text are escaped
}
