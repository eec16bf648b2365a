// The buttons under a nudge: Helpful, Not now, Stop these, and the crisis card's two (see
// handler.hpp for the contract). A button id is untrusted input: a forged or stale one is
// counted and answered politely, and changes nothing.
#include "commands/handler.hpp"

namespace nudgebot::commands {

void handler::on_button(const core::button_press& press)
{
    auto meaning = nudge::parse_button_id(press.custom_id);
    if (!meaning) {
        state_.metrics.counter("nudgebot_untrusted_input_total", {{"what", "button"}}).add();
        respond(press.where, press.user, press.reply, {},
                [](bool) { return core::private_message{"That button is no longer active.", {}}; });
        return;
    }
    const auto where = press.where;
    const auto& user = press.user;
    auto situation = std::string(nudge::to_string(meaning->situation));
    // Counted, then answered with a fixed line.
    auto acknowledge = [&](std::string outcome, std::string answer) {
        state_.metrics.counter("nudgebot_feedback_total", {{"outcome", outcome}}).add();
        state_.count(where, meaning->server, meaning->category, meaning->rule, std::move(outcome));
        if (answer.empty()) return;
        respond(where, user, press.reply, {},
                [answer = std::move(answer)](bool) { return core::private_message{answer, {}}; });
    };
    switch (meaning->action) {
    case nudge::button_action::helpful:
        acknowledge("helpful", "Thanks for telling me — glad it was useful.");
        return;
    case nudge::button_action::not_now:
        state_.policy.snooze(user, state_.clock.steady_now());
        acknowledge("not_now", "Okay — no suggestions for the next hour.");
        return;
    case nudge::button_action::crisis_dismiss:
        acknowledge("dismissed", "Okay. Take care of yourself.");
        return;
    case nudge::button_action::stop:
    case nudge::button_action::crisis_never: {
        acknowledge("stop", "");   // answered once the choice is saved
        // Takes effect in RAM at once, then is written.
        auto& c = state_.consent_to_change(where, user);   // enabled stays false for someone new
        if (meaning->action == nudge::button_action::stop) c.muted.insert(situation);
        else c.crisis_card_welcome = false;
        bool crisis = meaning->action == nudge::button_action::crisis_never;
        save_consent(where, user, c, press.reply, [crisis](bool ok) {
            std::string text = crisis ? "Understood — I won't show you that card again."
                                      : "Done — you won't get suggestions like this one again. Other kinds "
                                        "still come; /nudge status shows what is on.";
            if (!ok) text += " (I couldn't save this to disk just now, so it may be forgotten after a restart.)";
            return core::private_message{std::move(text), {}};
        });
        return;
    }
    }
}

}  // namespace nudgebot::commands
