// Slack Socket Mode envelopes → platform-neutral core events. The only code that knows Slack's
// envelope, event and interaction field names.
//
// Contract: pure functions, thread-safe, never throw: any frame (not JSON, wrong types, missing
// fields) yields a description with an event, an immediate answer, or a skip reason. Messages from
// bots and from the bot itself are skipped. Message text is copied into chat_message::text (and a
// shortcut's target) only; nothing here logs.
#pragma once

#include "core/event.hpp"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::slack {

enum class skip_reason : std::uint8_t { none, unhandled_type, malformed, from_bot, from_self };

struct frame {
    bool valid = false;                  // a JSON object with a string "type"
    std::string type;                    // hello, disconnect, events_api, slash_commands, interactive, …
    std::string envelope_id;             // empty when the frame needs no ack
    bool accepts_response_payload = false;
    std::string disconnect_reason;       // for type "disconnect"
    int retry_attempt = 0;
};

struct normalised {
    std::optional<core::event> event;
    skip_reason skipped = skip_reason::none;
    std::vector<std::string> dedupe_keys;        // event_id and message keys; empty: never a retry
    std::optional<std::string> ack_text;         // answer the slash command in the ack (usage errors)
    bool needs_moderator_check = false;          // a /nudge-admin invocation: the adapter decides
    std::chrono::steady_clock::time_point arrived{};   // when its frame arrived (set by the connection)
};

// Reads the envelope fields. `payload` points into `parsed` when the frame has one.
frame read_frame(const nlohmann::json& parsed);

// The envelope's payload as an event. `bot_user` is the bot's own user id (may be empty).
normalised normalise_envelope(const frame& f, const nlohmann::json& parsed, std::string_view bot_user,
                              std::chrono::steady_clock::time_point received);

// "<#C0123|general>", "<#C0123>", "#C0123" or "C0123" → "C0123"; nullopt for anything else
// (a bare channel name cannot be resolved without a lookup).
std::optional<std::string> channel_ref(std::string_view typed);

// "1610241741.000200" → time point; nullopt when it does not parse.
std::optional<core::wall_time> parse_ts(std::string_view ts) noexcept;

// Discord-style markdown in nudgebot's texts (**bold**) → Slack mrkdwn (*bold*).
std::string to_mrkdwn(std::string_view text);

}  // namespace nudgebot::slack
