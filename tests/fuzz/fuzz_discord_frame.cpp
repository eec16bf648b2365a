// libFuzzer target: any bytes as a Discord gateway frame, parsed as the gateway does and every
// op 0 dispatch given to the normaliser, for each dispatch type nudgebot reads (and the frame's own
// "t"). The normaliser must never throw or crash (the sanitizers check memory and UB).
#include "platforms/discord/normalise.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string_view>

using namespace nudgebot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto frame = nlohmann::json::parse(text, nullptr, false);
    if (frame.is_discarded()) return 0;
    static const discord::identity self{"700000000000000002", "700000000000000001"};
    const auto now = std::chrono::steady_clock::now();
    const nlohmann::json& d = frame.is_object() && frame.contains("d") ? frame["d"] : frame;
    if (frame.is_object() && frame.contains("t") && frame["t"].is_string())
        (void)discord::normalise_dispatch(frame["t"].get<std::string>(), d, self, now);
    for (std::string_view type : {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "INTERACTION_CREATE",
                                  "GUILD_CREATE", "GUILD_DELETE", "CHANNEL_DELETE"})
        (void)discord::normalise_dispatch(type, d, self, now);
    if (frame.is_object() && frame.contains("permissions") && frame["permissions"].is_string())
        (void)discord::is_moderator(frame["permissions"].get<std::string>());
    (void)discord::parse_timestamp(text);
    return 0;
}
