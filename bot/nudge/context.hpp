// Conversation context: per channel, in RAM, who addressed whom with which kind of cue, so the
// policy can see targets, escalation between the same pair and rapid back-and-forth.
//
// Contract: owned by nudge/; used by the event router on one strand (not thread-safe). It holds NO
// message text at all — per turn only ids, category flags, intensity and time — so nothing can
// leak from it; turns older than `window` are dropped on the next touch of their channel, and
// channels idle longer than `window` are dropped by expire(). Bounds: at most `max_turns` turns per
// channel and `max_channels` channels (least recently active dropped first). With Discord
// snowflake ids a turn costs at most ~256 bytes (three ids of 19 digits on the heap, flags, time),
// so a channel is at most ~10 KiB with the default 40 turns, and the context at most
// max_channels x 10 KiB (see bytes_per_turn_bound).
#pragma once

#include "core/event.hpp"
#include "engine/analysis.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

namespace nudgebot::nudge {

struct context_limits {
    std::size_t max_turns = 40;
    std::chrono::seconds window{15 * 60};
    std::size_t max_channels = 20000;
    std::chrono::seconds rapid_window{120};   // 4+ alternating turns inside this = back-and-forth
    std::size_t pair_lookback = 6;            // turns looked at to find a two-person exchange
};

enum class target_via : std::uint8_t { none, reply, mention, pair };

struct observation {
    core::user_id target;                  // empty when the message addresses nobody in particular
    target_via via = target_via::none;
    bool target_distressed = false;        // the addressed person's recent turn showed distress/crisis
    bool escalation = false;               // conflict both ways between author and target, rising
    bool rapid = false;                    // fast alternating exchange between the two
    std::uint32_t pair_conflict_turns = 0; // conflict turns between the two inside the window
};

class conversation_context {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit conversation_context(context_limits limits = {});

    // Records a new message and returns what it means in context.
    observation observe(const core::chat_message& message, const engine::analysis& analysis, time_point now);

    // Whether the message answers another person: a reply whose author (as the platform says, or
    // as the replied turn shows) is not the writer. The engine reads it as @reply.
    bool answers_someone(const core::chat_message& message) const;

    // An edit replaces the turn's flags. Returns the categories that are flagged now but were not
    // before (bit per engine::category), so the caller can decide whether to look again.
    std::uint8_t edit(const core::chat_message& message, const engine::analysis& analysis, time_point now);

    // A deleted message leaves the context.
    void erase(const core::channel_id& channel, const core::message_id& id);

    // Drops every turn written by or aimed at the user (forget-me).
    void forget_user(const core::user_id& user);

    // A reload: later observations use these limits; channels holding more turns than the new
    // max_turns drop their oldest at once.
    void set_limits(const context_limits& limits);

    // Drops idle channels. Call now and then (the event router does it every few minutes).
    void expire(time_point now);

    std::size_t channel_count() const noexcept { return channels_.size(); }
    std::size_t turn_count(const core::channel_id& channel) const;
    static constexpr std::size_t bytes_per_turn_bound = 256;

private:
    struct turn {
        core::message_id id;
        core::user_id author;
        core::user_id target;
        target_via via = target_via::none;
        std::uint8_t flags = 0;    // bit per engine::category
        float intensity = 0;
        time_point at{};
    };
    struct channel_state {
        std::deque<turn> turns;
        time_point last{};
        std::list<std::string>::iterator lru;
    };

    channel_state& touch(const core::channel_id& channel, time_point now);
    static const turn* replied_turn(const channel_state& ch, const core::chat_message& message);
    void trim(channel_state& ch, time_point now) const;

    context_limits limits_;
    std::unordered_map<std::string, channel_state> channels_;
    std::list<std::string> lru_;   // most recently active first
};

std::uint8_t flag_bits(const engine::analysis& analysis) noexcept;
constexpr std::uint8_t bit(engine::category c) noexcept
{
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(c));
}

}  // namespace nudgebot::nudge
