// The event router: takes every platform-neutral event an adapter produces and sends it where it
// belongs. Messages and edits go down the nudge path (analysis, conversation context, policy,
// composer, private delivery); deletes leave the context; slash commands, the message command and
// button presses go to commands::handler; a server's locale is remembered for its crisis card.
//
// Contract: owned by routing/; platform-neutral (no Beast, no platform JSON). Construct it at
// start-up, call load() for each platform before traffic (blocking: it reads every consent and
// server setting into RAM, ≤ 50 ms for a 10,000-member server), then call handle() for each event
// on the adapter's strand — the router is not thread-safe and expects all calls, and every
// completion the async_store posts back, on that one strand. It never blocks: storage work runs
// on the async_store's worker; push nudges, answers and alerts go through core::delivery.
// Message text is used for analysis and dropped; it is never logged, counted or stored.
// With a shared store (PostgreSQL, several processes) the RAM copy of consent and settings also
// follows the store's change feed, and a push nudge the policy lets through is sent only after the
// store granted one of the person's daily slots, so caps hold across processes.
// Lifetime: stop traffic and call store.wait_idle() (then drain the strand) before destroying it.
#pragma once

#include "commands/bot_state.hpp"
#include "commands/handler.hpp"

#include <chrono>
#include <string>
#include <unordered_map>

namespace nudgebot::routing {

class event_router {
public:
    event_router(commands::analyze_fn analyze, nudge::composer& composer, storage::async_store& store,
                 core::delivery& delivery, const core::clock& clock, commands::bot_options options = {},
                 core::metrics& metrics = core::metrics::global());

    // Start-up: reads consents and settings of one platform into RAM. Blocking.
    void load(core::platform where) { state_.load(where); }

    // On the adapter strand.
    void handle(const core::event& event);

    // Rule packs, suggestions and options (nudges.*, the default sensitivity) reloaded (SIGHUP),
    // in one step: later events use all of the new ones (commands::bot_snapshot). On the strand.
    // A push nudge already waiting for the store's daily claim finishes with the snapshot its
    // decision was made with. The caller keeps the previous analyzer alive (in-flight work may
    // still point into it) and every composer it gave alive as long as the router (forget-me
    // clears the person from each).
    void reload(commands::analyze_fn analyze, nudge::composer& composer, commands::bot_options options)
    {
        state_.reload(std::move(analyze), composer, std::move(options));
    }
    // The options in use (tests).
    const commands::bot_options& options() const noexcept { return state_.options(); }

    // What the router currently holds (tests, /healthz).
    const storage::consent* consent_of(core::platform where, const core::user_id& user) const
    {
        return state_.consent_of(where, user);
    }
    const storage::server_settings& settings_of(core::platform where, const core::server_id& server) const
    {
        return state_.settings_of(where, server);
    }
    std::size_t known_users() const noexcept { return state_.known_users(); }
    const nudge::conversation_context& context() const noexcept { return state_.context; }

private:
    void on_message(const core::chat_message& m);
    void on_edit(const core::chat_message& m);
    void act(const core::chat_message& m, const engine::analysis& a, const nudge::observation& o,
             const storage::server_settings& settings, std::chrono::steady_clock::time_point started);
    // `with` and `s` (the server's sensitivity) as the decision was made.
    void deliver(const nudge::decision& d, const core::chat_message& m, const engine::analysis& a,
                 const commands::bot_snapshot& with, engine::sensitivity s);
    // Shared store: claims the person's daily slot in the store first, then delivers or suppresses.
    void claim_then_deliver(const nudge::decision& d, const core::chat_message& m, const engine::analysis& a,
                            engine::sensitivity s);
    void maybe_alert(const core::chat_message& m, const engine::analysis& a, const nudge::observation& o,
                     const storage::server_settings& settings);

    commands::bot_state state_;
    commands::handler commands_;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> alerted_;   // per channel
    std::chrono::steady_clock::time_point last_expire_{};
    core::metric_histogram& decision_seconds_;
    core::metric_histogram& delivery_seconds_;
};

}  // namespace nudgebot::routing
