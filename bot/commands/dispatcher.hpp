// The dispatcher: routes every platform-neutral event to the nudge path (messages, edits,
// deletes) or to the command handlers (slash commands, the message command, button presses).
//
// Contract: owned by commands/; platform-neutral (no Beast, no platform JSON). Construct it at
// start-up, call load() for each platform before traffic (blocking: it reads every consent and
// server setting into RAM, ≤ 50 ms for a 10,000-member server), then call handle() for each event
// on the adapter's strand — the dispatcher is not thread-safe and expects all calls, and every
// completion the async_store posts back, on that one strand. It never blocks: storage work runs
// on the async_store's worker; push nudges, answers and alerts go through core::delivery.
// Consent and settings live in RAM (written through to the store); an opt-in is acknowledged only
// after the store has durably written it; "off", "Stop these" and forget-me take effect in RAM at
// once. Message text is used for analysis and dropped; it is never logged, counted or stored.
// With a shared store (PostgreSQL, several processes) the RAM copy also follows the store's change
// feed (rows any process wrote, re-read and posted by the async_store), and a push nudge the policy
// lets through is sent only after the store granted one of the person's daily slots, so caps hold
// across processes.
// Lifetime: stop traffic and call store.wait_idle() (then drain the strand) before destroying it.
#pragma once

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/event.hpp"
#include "core/metrics.hpp"
#include "engine/analysis.hpp"
#include "nudge/composer.hpp"
#include "nudge/context.hpp"
#include "nudge/policy.hpp"
#include "storage/async_store.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nudgebot::engine {
class analyzer;
}

namespace nudgebot::commands {

// Analyses one text at a sensitivity. Production wraps engine::analyzer (keep its shared_ptr in
// the closure: cue strings point into it); tests return hand-built analyses.
using analyze_fn = std::function<engine::analysis(std::string_view text, engine::sensitivity s)>;

// The production analyze_fn: the engine's analyzer, kept alive by the closure.
analyze_fn analyze_with(std::shared_ptr<const engine::analyzer> analyzer);

struct dispatcher_options {
    nudge::policy_limits policy;
    nudge::context_limits context;
    std::vector<std::string> packs;                      // pack ids `packs list` offers
    std::chrono::seconds alert_cooldown{30 * 60};        // per channel, for escalation alerts
    std::chrono::seconds expire_every{5 * 60};           // how often idle context is dropped
    // What a server has before its moderators change anything (config rules.sensitivity), and
    // the style of people who did not pick one (config nudges.default_style).
    storage::server_settings server_defaults;
    storage::style default_style = storage::style::gentle;
};

class dispatcher {
public:
    dispatcher(analyze_fn analyze, nudge::composer& composer, storage::async_store& store,
               core::delivery& delivery, const core::clock& clock, dispatcher_options options = {},
               core::metrics& metrics = core::metrics::global());

    // Start-up: reads consents and settings of one platform into RAM. Blocking.
    void load(core::platform where);

    // On the adapter strand.
    void handle(const core::event& event);

    // Rule packs and suggestions reloaded (SIGHUP): later events use these. On the strand. The
    // caller keeps the previous analyzer and composer alive (in-flight work may still point into
    // them) and `composer` alive while the dispatcher uses it.
    void reload(analyze_fn analyze, nudge::composer& composer);

    // What the dispatcher currently holds (tests, /nudge status).
    const storage::consent* consent_of(core::platform where, const core::user_id& user) const;
    const storage::server_settings& settings_of(core::platform where, const core::server_id& server) const;
    std::size_t known_users() const noexcept { return consents_.size(); }
    const nudge::conversation_context& context() const noexcept { return context_; }

private:
    void on_message(const core::chat_message& m);
    void on_edit(const core::chat_message& m);
    void act(const core::chat_message& m, const engine::analysis& a, const nudge::observation& o,
             const storage::server_settings& settings, std::chrono::steady_clock::time_point started);
    void deliver(const nudge::decision& d, const core::chat_message& m, const engine::analysis& a);
    // Shared store: claims the person's daily slot in the store first, then delivers or suppresses.
    void claim_then_deliver(const nudge::decision& d, const core::chat_message& m, const engine::analysis& a);
    // Shared store: rows some process changed, as they are now.
    void apply_changes(std::vector<storage::refreshed_row> rows);
    void maybe_alert(const core::chat_message& m, const engine::analysis& a, const nudge::observation& o,
                     const storage::server_settings& settings);
    void count(core::platform where, const std::string& server, engine::category c, std::string_view rule,
               std::string outcome);

    void on_command(const core::command_invocation& inv);
    void on_button(const core::button_press& press);
    void user_command(const core::command_invocation& inv);
    void admin_command(const core::command_invocation& inv);
    void suggest_reply(const core::command_invocation& inv);

    // Answers privately after an optional store job (which runs on the worker) has finished;
    // takes the user's pending notices in the same trip and shows them once. Defers first when
    // the store is slow.
    void respond(core::platform where, const core::user_id& user, const core::reply_handle& reply,
                 std::function<bool(storage::store&)> job, std::function<core::private_message(bool ok)> answer,
                 bool show_notices = true);
    void save_consent(core::platform where, const core::user_id& user, const storage::consent& c,
                      const core::reply_handle& reply, std::function<core::private_message(bool)> answer);
    void save_settings(const core::command_invocation& inv, const storage::server_settings& s, std::string done);

    storage::consent* mutable_consent(core::platform where, const core::user_id& user);
    storage::server_settings& mutable_settings(core::platform where, const core::server_id& server);
    engine::sensitivity sensitivity_of(const storage::server_settings& s) const;
    std::string status_text(const core::command_invocation& inv) const;
    std::int32_t today() const;

    analyze_fn analyze_;
    nudge::composer* composer_;   // replaced by reload()
    storage::async_store& store_;
    core::delivery& delivery_;
    const core::clock& clock_;
    dispatcher_options options_;
    core::metrics& metrics_;

    nudge::conversation_context context_;
    nudge::policy policy_;
    std::unordered_map<std::string, storage::consent> consents_;        // "<platform>:<user>"
    std::unordered_map<std::string, storage::server_settings> settings_; // "<platform>:<server>"
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> alerted_;   // per channel
    std::chrono::steady_clock::time_point last_expire_{};
    storage::server_settings default_settings_;
    std::vector<core::platform> loaded_;   // platforms load() read, for a full reload
    core::metric_histogram& decision_seconds_;
    core::metric_histogram& delivery_seconds_;
};

// Text for `/nudge help` (also used by adapters for a DM "help").
std::string help_text();

}  // namespace nudgebot::commands
