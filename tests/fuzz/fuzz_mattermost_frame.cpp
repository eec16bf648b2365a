// libFuzzer target: any bytes as a Mattermost websocket event (normalise_event, which also parses
// the JSON-in-a-string "post"), as a slash-command form body (parse_form) and as a typed channel
// reference. Nothing may throw or crash; a form never yields more than 64 fields.
#include "platforms/mattermost/normalise.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace nudgebot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (!parsed.is_discarded()) {
        (void)mattermost::normalise_event(parsed, "botuserid00000000000000000");
    }
    auto form = mattermost::parse_form(text);
    if (form.size() > 64) std::abort();
    (void)mattermost::channel_ref(text);
    return 0;
}
