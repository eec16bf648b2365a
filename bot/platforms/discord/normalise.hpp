// Discord gateway dispatches → platform-neutral core events. The only code that knows Discord's
// message and interaction field names.
//
// Contract: pure functions, thread-safe, never throw: any payload (missing fields, wrong types)
// yields either an event or nullopt. Messages from bots, webhooks and the bot itself yield nullopt.
// Message text is copied into chat_message::text only; nothing here logs.
#pragma once

#include "core/event.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::discord {

struct identity {
    std::string bot_user_id;
    std::string application_id;
};

// True when the permission bitset (decimal text) has MANAGE_GUILD or ADMINISTRATOR.
bool is_moderator(std::string_view permissions) noexcept;

// Why a dispatch produced no event, for counting.
enum class skip_reason : std::uint8_t { none, unhandled_type, malformed, from_bot, from_self, partial };

struct normalised {
    std::optional<core::event> event;
    skip_reason skipped = skip_reason::none;
    bool guild_message_without_content = false;   // MESSAGE_CONTENT intent probably missing
};

normalised normalise_dispatch(std::string_view type, const nlohmann::json& d, const identity& self,
                              std::chrono::steady_clock::time_point received);

// "2017-07-11T17:27:07.299000+00:00" → time point; nullopt when it does not parse.
std::optional<core::wall_time> parse_timestamp(std::string_view text) noexcept;

}  // namespace nudgebot::discord
