// Mattermost websocket events and HTTP form bodies → platform-neutral core events. The only code
// that knows Mattermost's field names.
//
// Contract: pure functions, thread-safe, never throw. `posted` / `post_edited` / `post_deleted`
// carry the post as a JSON string inside the event's JSON; it is parsed as untrusted input and a
// broken inner document yields skip_reason::inner_json. Posts from bots, system posts and the
// bot's own posts are skipped. Message text is copied into chat_message::text only; nothing logs.
#pragma once

#include "core/event.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::mattermost {

enum class skip_reason : std::uint8_t { none, unhandled_type, malformed, inner_json, from_bot, from_self, system };

struct normalised {
    std::optional<core::event> event;
    skip_reason skipped = skip_reason::none;
    std::string dedupe_key;   // post id + edit time; empty for non-post events
};

// One websocket event frame ({"event":…, "data":…, "broadcast":…, "seq":…}).
normalised normalise_event(const nlohmann::json& frame, std::string_view bot_user);

// application/x-www-form-urlencoded → fields (last one wins); never throws.
std::map<std::string, std::string> parse_form(std::string_view body);

// "~town-square" stays as typed (the adapter resolves names), a 26-character id stays an id;
// nullopt for anything else.
std::optional<std::string> channel_ref(std::string_view typed);

}  // namespace nudgebot::mattermost
