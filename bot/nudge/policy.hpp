// The nudge policy: given one analysed message in its context, who (if anyone) gets which kind of
// private suggestion, and why not when not.
//
// Contract: owned by nudge/; used on the event router's strand (not thread-safe). Pure apart from
// its rate state (cooldowns, daily caps, crisis-card-once-per-day, not-now snoozes), which changes
// only through decide() (for decisions it lets through), snooze() and forget(). Time comes in as
// arguments (from core::clock), so tests drive it. Rules, in this order for every candidate:
//   1. consent first: no opted-in consent row, no push nudge — except the crisis card for any
//      author where a moderator chose crisis-card scope "everyone";
//   2. the user muted this situation ("Stop these") or declined the crisis card;
//   3. the channel is not watched, or every cue behind the flag comes from a disabled pack;
//   4. crisis card at most once per user per UTC day (no other limit applies to it);
//   5. per-user cooldown (and a longer snooze after "Not now"), per-channel rate, daily cap.
// Nobody is ever told about another person's distress: distress and crisis decisions go to the
// author only; a replier's decision is about the replier's own words.
#pragma once

#include "core/event.hpp"
#include "engine/analysis.hpp"
#include "nudge/context.hpp"
#include "nudge/situation.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nudgebot::nudge {

struct policy_limits {
    std::chrono::seconds user_cooldown{10 * 60};   // between two push nudges to one person
    std::chrono::seconds not_now_snooze{60 * 60};  // after "Not now"
    std::chrono::seconds channel_window{10 * 60};
    std::uint32_t channel_max = 3;                 // push nudges per channel per window
    std::uint32_t daily_cap = 3;                   // push nudges per person per UTC day
    bool kind_replies = true;                      // encourage kind replies to someone struggling
    std::uint32_t kind_daily = 1;                  // ... at most this often per person per day
};

// Why a candidate was not delivered. Stable ids: they become counter outcomes "suppressed:<id>".
namespace reason {
inline constexpr std::string_view ok = "ok";
inline constexpr std::string_view no_consent = "no_consent";
inline constexpr std::string_view muted = "muted";
inline constexpr std::string_view crisis_declined = "crisis_declined";
inline constexpr std::string_view channel_off = "channel_off";
inline constexpr std::string_view pack_disabled = "pack_disabled";
inline constexpr std::string_view crisis_once_per_day = "crisis_once_per_day";
inline constexpr std::string_view cooldown = "cooldown";
inline constexpr std::string_view snoozed = "snoozed";
inline constexpr std::string_view channel_rate = "channel_rate";
inline constexpr std::string_view daily_cap = "daily_cap";
inline constexpr std::string_view bot_author = "bot_author";
}  // namespace reason

struct decision {
    core::user_id recipient;
    nudge::situation situation = situation::own_heated;
    engine::category category = engine::category::conflict;
    bool deliver = false;
    std::string_view why = reason::ok;   // reason::* id
    std::string_view rule;               // the strongest cue of the category ("" if none)
    bool recipient_is_author = true;     // false: the recipient is the person addressed
    core::user_id other;                 // for escalation: the other person (never named in text)
};

// What the policy needs to know about one message.
struct message_facts {
    const core::chat_message& message;
    const engine::analysis& analysis;
    const observation& context;
    const storage::server_settings& settings;
};

// Consent of a user, nullptr when nudgebot has no row for them.
using consent_lookup = std::function<const storage::consent*(const core::user_id&)>;

class policy {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit policy(policy_limits limits = {});

    // Every candidate decision for this message, delivered or suppressed with the reason.
    // `day` is the UTC day number (days since 1970-01-01) for caps and the crisis card.
    std::vector<decision> decide(const message_facts& facts, const consent_lookup& consent,
                                 time_point now, std::int32_t day);

    // "Not now": no push nudge to this person for limits.not_now_snooze.
    void snooze(const core::user_id& user, time_point now);
    // forget-me: drop the rate state about the person.
    void forget(const core::user_id& user);

    const policy_limits& limits() const noexcept { return limits_; }
    // A reload: later decisions use these limits; the rate state so far (cooldowns, today's
    // counts, snoozes) is kept and judged by them.
    void set_limits(const policy_limits& limits) { limits_ = limits; }

private:
    struct user_state {
        time_point last{};
        bool any = false;
        time_point snoozed_until{};
        std::int32_t day = -1;
        std::uint32_t today = 0;
        std::uint32_t kind_today = 0;
        std::int32_t crisis_day = -1;
    };
    struct channel_rate_state {
        std::deque<time_point> sent;
    };

    void gate(decision& d, const message_facts& facts, const consent_lookup& consent, time_point now,
              std::int32_t day);

    policy_limits limits_;
    std::unordered_map<std::string, user_state> users_;
    std::unordered_map<std::string, channel_rate_state> channels_;
};

// Pack id of a rule id ("conflict.you_always" -> "conflict").
std::string_view pack_of(std::string_view rule_id) noexcept;

// Whether a category counts for this server: flagged, and not only because of disabled packs.
bool effective_flag(const engine::analysis& analysis, engine::category c,
                    const storage::server_settings& settings) noexcept;

// The strongest cue of a category (highest weight), "" when none.
std::string_view main_rule(const engine::analysis& analysis, engine::category c) noexcept;

// Days since 1970-01-01 UTC.
std::int32_t utc_day(std::chrono::system_clock::time_point t) noexcept;

}  // namespace nudgebot::nudge
