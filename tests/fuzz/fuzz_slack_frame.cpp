// libFuzzer target: any bytes as a Slack Socket Mode frame, read and normalised exactly as the
// adapter does (read_frame, then normalise_envelope for a valid frame), plus the small text
// helpers the adapter applies to typed input. Nothing may throw or crash.
#include "platforms/slack/normalise.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

using namespace nudgebot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    auto f = slack::read_frame(parsed);
    if (f.valid) {
        (void)slack::normalise_envelope(f, parsed, "U0BOT", std::chrono::steady_clock::now());
        (void)slack::normalise_envelope(f, parsed, "", std::chrono::steady_clock::now());
    }
    (void)slack::channel_ref(text);
    (void)slack::parse_ts(text);
    (void)slack::to_mrkdwn(text);
    return 0;
}
