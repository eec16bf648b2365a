// What the bot holds for the platforms one event router serves, shared by the router (which runs
// the nudge path for messages) and the command handler (which answers commands and buttons): the
// collaborators (analyzer, composer, store, delivery, clock, metrics), the options (with the
// analyzer and composer, one snapshot that a reload swaps whole), the
// conversation context and policy state, and the RAM copy of every person's consent and every
// server's settings.
//
// Contract: owned by commands/ (commands write consent and settings; the router reads them).
// Not thread-safe: every call, and every completion the async_store posts back, on the adapter's
// strand. load() blocks (start-up only); nothing else does: storage work runs on the async_store's
// worker. Consent and settings live in RAM and are written through to the store; with a shared
// store (PostgreSQL, several processes) the RAM copy also follows the store's change feed. Holds
// no message text.
// Lifetime: outlives neither the store nor the delivery it was given; stop traffic and call
// store.wait_idle() (then drain the strand) before destroying it.
#pragma once

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "engine/analysis.hpp"
#include "nudge/calmer_draft.hpp"
#include "nudge/composer.hpp"
#include "nudge/context.hpp"
#include "nudge/policy.hpp"
#include "storage/async_store.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nudgebot::engine {
class analyzer;
}

namespace nudgebot::commands {

// Analyses one text at a sensitivity, with what the platform says beyond its words (a reply to
// someone). Production wraps engine::analyzer (keep its shared_ptr in the closure: cue strings
// point into it); tests return hand-built analyses.
using analyze_fn =
    std::function<engine::analysis(std::string_view text, engine::sensitivity s, engine::message_context context)>;

// The production analyze_fn: the engine's analyzer, kept alive by the closure.
analyze_fn analyze_with(std::shared_ptr<const engine::analyzer> analyzer);

struct bot_options {
    nudge::policy_limits policy;
    nudge::context_limits context;
    std::vector<std::string> packs;                      // pack ids `packs list` offers
    std::chrono::seconds alert_cooldown{30 * 60};        // per channel, for escalation alerts
    std::chrono::seconds expire_every{5 * 60};           // how often idle context is dropped
    // What a server has before its moderators change anything (config rules.sensitivity), and
    // the style of people who did not pick one (config nudges.default_style).
    storage::server_settings server_defaults;
    storage::style default_style = storage::style::gentle;
    // The crisis card's country when neither moderators nor the server's locale name one
    // (config nudges.crisis_country; "" = the neutral wording).
    std::string default_crisis_country;
};

// What a reload (SIGHUP) replaces, all together: the analyzer, the composer and the options. A
// snapshot never changes once made; bot_state::reload() installs a new one. Work that started
// with one (a push nudge waiting for the store's daily claim) finishes with it, so one decision
// never mixes two configurations.
struct bot_snapshot {
    analyze_fn analyze;
    nudge::composer* composer = nullptr;   // kept alive by the caller of reload()
    std::shared_ptr<const bot_options> options;

    // The calmer draft of a person's own message (in memory only), or nullopt.
    std::optional<nudge::calmer_draft> calmer_draft_of(std::string_view text, const engine::analysis& a,
                                                       engine::sensitivity s) const;
};

// The notice a person gets at their next command when a push nudge found their DMs closed.
inline constexpr std::string_view notice_dms_closed = "dms_closed";

class bot_state {
public:
    bot_state(analyze_fn analyze, nudge::composer& composer, storage::async_store& store, core::delivery& delivery,
              const core::clock& clock, bot_options options, core::metrics& metrics);
    bot_state(const bot_state&) = delete;
    bot_state& operator=(const bot_state&) = delete;

    // Start-up: reads consents and settings of one platform into RAM. Blocking.
    void load(core::platform where);

    // Rule packs, suggestions and options reloaded (SIGHUP), in one step: the next event sees
    // all of the new ones and none of the old. The policy and the conversation context keep their
    // state (cooldowns, claims made today, turns) under the new limits; servers whose moderators
    // saved no settings get the new defaults (rules.sensitivity). The caller keeps the previous
    // analyzer alive while in-flight work may point into it, and every composer it ever gave
    // alive as long as this state: forget-me clears the person from each one's rotation memory.
    void reload(analyze_fn analyze, nudge::composer& composer, bot_options options);

    // The snapshot in use now; hold it to finish a piece of work with it (see bot_snapshot).
    std::shared_ptr<const bot_snapshot> snapshot() const noexcept { return snapshot_; }
    const bot_options& options() const noexcept { return *snapshot_->options; }

    const storage::consent* consent_of(core::platform where, const core::user_id& user) const;
    // The person's consent to change in RAM, created (not enabled) when there is none.
    storage::consent& consent_to_change(core::platform where, const core::user_id& user);
    void set_consent(core::platform where, const core::user_id& user, storage::consent c);
    // forget-me: the person's consent, rate state, context and suggestion history leave RAM.
    void forget(core::platform where, const core::user_id& user);
    std::size_t known_users() const noexcept { return consents_.size(); }

    const storage::server_settings& settings_of(core::platform where, const core::server_id& server) const;
    // The server's settings to change in RAM, created from the defaults when there are none.
    storage::server_settings& settings_to_change(core::platform where, const core::server_id& server);
    void set_locale(core::platform where, const core::server_id& server, std::string locale);

    engine::sensitivity sensitivity_of(const storage::server_settings& s) const;
    // The crisis card's resources for a server: moderators' country, else its locale, else the
    // config default; plus their own support line.
    nudge::crisis_choice crisis_choice_of(core::platform where, const core::server_id& server) const;
    // The calmer draft of a person's own message (in memory only), or nullopt.
    std::optional<nudge::calmer_draft> calmer_draft_of(std::string_view text, const engine::analysis& a,
                                                       engine::sensitivity s) const
    {
        return snapshot_->calmer_draft_of(text, a, s);
    }
    engine::analysis analyze(std::string_view text, engine::sensitivity s, engine::message_context context = {}) const
    {
        return snapshot_->analyze(text, s, context);
    }
    nudge::composer& composer() const noexcept { return *snapshot_->composer; }

    // Today's UTC day number, and one daily counter row (ids and outcome, never text).
    std::int32_t today() const;
    void count(core::platform where, const std::string& server, engine::category c, std::string_view rule,
               std::string outcome);

    storage::async_store& store;
    core::delivery& delivery;
    const core::clock& clock;
    core::metrics& metrics;
    nudge::conversation_context context;
    nudge::policy policy;

private:
    // Shared store: rows some process changed, as they are now.
    void apply_changes(std::vector<storage::refreshed_row> rows);

    std::shared_ptr<const bot_snapshot> snapshot_;   // replaced whole by reload()
    std::vector<nudge::composer*> composers_;          // every one used so far, for forget-me
    std::unordered_map<std::string, storage::consent> consents_;         // "<platform>:<user>"
    std::unordered_map<std::string, storage::server_settings> settings_;  // "<platform>:<server>"
    std::unordered_map<std::string, std::string> locales_;   // "<platform>:<server>" -> platform locale
    storage::server_settings default_settings_;
    std::vector<core::platform> loaded_;   // platforms load() read, for a full reload
};

}  // namespace nudgebot::commands
