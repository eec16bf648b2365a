// The command handler: answers every command in core/command_spec.hpp (`/nudge`, `/nudge-admin`,
// the "Suggest a kind reply" message command) and the buttons under a nudge (Helpful, Not now,
// Stop these, the crisis card's buttons).
//
// Contract: owned by commands/; platform-neutral (no Beast, no platform JSON). Called by the event
// router on the adapter's strand, with the bot_state the router owns; not thread-safe. It never
// blocks: storage work runs on the async_store's worker, answers go through core::delivery and are
// always private. An opt-in is acknowledged only after the store has durably written it; "off",
// "Stop these" and forget-me take effect in RAM at once. Text a person sends to be checked or
// explained is analysed and dropped: never logged, counted or stored. Moderator commands check the
// invoker's rights again here, whatever the platform showed.
#pragma once

#include "commands/bot_state.hpp"

#include <functional>
#include <string>

namespace nudgebot::commands {

class handler {
public:
    explicit handler(bot_state& state);

    void on_command(const core::command_invocation& inv);
    void on_button(const core::button_press& press);

private:
    void user_command(const core::command_invocation& inv);
    void admin_command(const core::command_invocation& inv);
    void crisis_resources_command(const core::command_invocation& inv);
    void suggest_reply(const core::command_invocation& inv);
    std::string status_text(const core::command_invocation& inv) const;

    // Answers privately after an optional store job (which runs on the worker) has finished;
    // takes the user's pending notices in the same trip and shows them once. Defers first when
    // the store is slow.
    void respond(core::platform where, const core::user_id& user, const core::reply_handle& reply,
                 std::function<bool(storage::store&)> job, std::function<core::private_message(bool ok)> answer,
                 bool show_notices = true);
    void save_consent(core::platform where, const core::user_id& user, const storage::consent& c,
                      const core::reply_handle& reply, std::function<core::private_message(bool)> answer);
    void save_settings(const core::command_invocation& inv, const storage::server_settings& s, std::string done);

    bot_state& state_;
};

// Text for `/nudge help` (also used by adapters for a DM "help").
std::string help_text();

}  // namespace nudgebot::commands
