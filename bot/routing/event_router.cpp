#include "routing/event_router.hpp"

namespace nudgebot::routing {

event_router::event_router(commands::analyze_fn analyze, nudge::composer& composer, storage::async_store& store,
                           core::delivery& delivery, const core::clock& clock, commands::bot_options options,
                           core::metrics& metrics)
    : state_(std::move(analyze), composer, store, delivery, clock, std::move(options), metrics),
      commands_(state_),
      decision_seconds_(metrics.histogram("nudgebot_decision_seconds")),
      delivery_seconds_(metrics.histogram("nudgebot_delivery_seconds"))
{
    metrics.describe("nudgebot_decision_seconds",
                     "From a message event reaching the router to its nudge decisions (analysis, context, policy).");
    metrics.describe("nudgebot_delivery_seconds",
                     "From a decision to deliver to the platform's answer (delivered, undeliverable or failed).");
}

void event_router::handle(const core::event& event)
{
    std::visit(
        [this](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, core::message_created>) on_message(e.message);
            else if constexpr (std::is_same_v<T, core::message_edited>) on_edit(e.message);
            else if constexpr (std::is_same_v<T, core::message_deleted>) state_.context.erase(e.channel, e.id);
            else if constexpr (std::is_same_v<T, core::command_invocation>) commands_.on_command(e);
            else if constexpr (std::is_same_v<T, core::button_press>) commands_.on_button(e);
            else if constexpr (std::is_same_v<T, core::server_available>)
                state_.set_locale(e.where, e.server, e.locale);
        },
        event);
}

// ---------------------------------------------------------------- messages

void event_router::on_message(const core::chat_message& m)
{
    auto now = state_.clock.steady_now();
    if (now - last_expire_ >= state_.options().expire_every) {
        state_.context.expire(now);
        last_expire_ = now;
    }
    // Direct messages to the bot and other bots are not conversations nudgebot looks at.
    if (m.author_is_bot || m.server.empty()) return;
    const auto& settings = state_.settings_of(m.where, m.server);
    // Unwatched channels are not analysed at all: moderators chose to leave them alone.
    if (!settings.watches(m.channel)) return;
    state_.metrics.counter("nudgebot_messages_analysed_total").add();
    const auto started = std::chrono::steady_clock::now();
    const engine::message_context context{state_.context.answers_someone(m)};
    auto a = state_.analyze(m.text, state_.sensitivity_of(settings), context);
    auto o = state_.context.observe(m, a, now);
    act(m, a, o, settings, started);
}

void event_router::on_edit(const core::chat_message& m)
{
    if (m.author_is_bot || m.server.empty()) return;
    const auto& settings = state_.settings_of(m.where, m.server);
    if (!settings.watches(m.channel)) return;
    const auto started = std::chrono::steady_clock::now();
    const engine::message_context context{state_.context.answers_someone(m)};
    auto a = state_.analyze(m.text, state_.sensitivity_of(settings), context);
    auto fresh = state_.context.edit(m, a, state_.clock.steady_now());
    if (!fresh) return;   // nothing new: an edit never repeats a nudge
    // Only what the edit newly shows is acted on, aimed at whom the message itself addresses.
    for (std::size_t i = 0; i < engine::category_count; ++i)
        if (!(fresh & (1u << i))) a.flags[i] = false;
    nudge::observation o;
    if (m.reply_to_author && *m.reply_to_author != m.author) {
        o.target = *m.reply_to_author;
        o.via = nudge::target_via::reply;
    } else {
        for (const auto& u : m.mentions)
            if (u != m.author) {
                o.target = u;
                o.via = nudge::target_via::mention;
                break;
            }
    }
    act(m, a, o, settings, started);
}

void event_router::act(const core::chat_message& m, const engine::analysis& a, const nudge::observation& o,
                       const storage::server_settings& settings, std::chrono::steady_clock::time_point started)
{
    auto lookup = [this, where = m.where](const core::user_id& u) { return state_.consent_of(where, u); };
    auto decisions = state_.policy.decide({m, a, o, settings}, lookup, state_.clock.steady_now(), state_.today());
    decision_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    const auto sensitivity = state_.sensitivity_of(settings);
    for (const auto& d : decisions) {
        if (d.deliver) {
            if (state_.store.shared()) claim_then_deliver(d, m, a, sensitivity);
            else deliver(d, m, a, *state_.snapshot(), sensitivity);
        } else {
            state_.metrics.counter("nudgebot_nudges_suppressed_total", {{"reason", std::string(d.why)}}).add();
            state_.count(m.where, m.server.str(), d.category, d.rule, "suppressed:" + std::string(d.why));
        }
    }
    maybe_alert(m, a, o, settings);
}

void event_router::deliver(const nudge::decision& d, const core::chat_message& m, const engine::analysis& a,
                           const commands::bot_snapshot& with, engine::sensitivity s)
{
    const auto* c = state_.consent_of(m.where, d.recipient);
    auto style = c ? c->style : with.options->default_style;
    nudge::composer::extras x;
    std::optional<nudge::calmer_draft> draft;
    if (d.situation == nudge::situation::own_heated) {
        draft = with.calmer_draft_of(m.text, a, s);
        if (draft) x.draft = &*draft;
    }
    if (d.situation == nudge::situation::own_crisis) x.crisis = state_.crisis_choice_of(m.where, m.server);
    auto message = with.composer->compose(d, style, a, m.server.str(), x);
    if (draft) state_.metrics.counter("nudgebot_calmer_drafts_total", {{"where", "push"}}).add();
    auto situation = std::string(nudge::to_string(d.situation));
    state_.metrics.counter("nudgebot_nudges_total", {{"situation", situation}}).add();
    state_.delivery.send_private(
        d.recipient, m.server, m.channel, std::move(message),
        [this, where = m.where, server = m.server.str(), category = d.category, rule = std::string(d.rule),
         user = d.recipient, situation, sent = std::chrono::steady_clock::now()](core::delivery_outcome outcome) {
            delivery_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count());
            switch (outcome) {
            case core::delivery_outcome::delivered: state_.count(where, server, category, rule, "delivered"); break;
            case core::delivery_outcome::undeliverable:
                state_.count(where, server, category, rule, "undeliverable");
                state_.metrics.counter("nudgebot_nudges_undeliverable_total").add();
                // Told once, the next time they use a command.
                state_.store.submit([key = storage::user_key{where, user}](storage::store& s) {
                    s.add_notice(key, std::string(commands::notice_dms_closed));
                });
                break;
            case core::delivery_outcome::failed: state_.count(where, server, category, rule, "failed"); break;
            }
        });
}

void event_router::claim_then_deliver(const nudge::decision& d, const core::chat_message& m,
                                      const engine::analysis& a, engine::sensitivity s)
{
    // The decision was made with this snapshot; a reload while the claim is out does not change
    // the cap it is claimed against nor the wording of the nudge.
    auto with = state_.snapshot();
    const auto& limits = with->options->policy;
    std::string_view kind = "push";
    std::uint32_t limit = limits.daily_cap;
    if (d.situation == nudge::situation::own_crisis) {
        kind = "crisis";
        limit = 1;
    }
    const bool kind_reply = d.situation == nudge::situation::kind_reply;
    state_.store.submit(
        [key = storage::user_key{m.where, d.recipient}, day = state_.today(), kind, limit, kind_reply,
         kind_limit = limits.kind_daily](storage::store& s) {
            if (!s.claim_daily(key, day, kind, limit)) return false;
            return !kind_reply || s.claim_daily(key, day, "kind", kind_limit);
        },
        // The message and its analysis wait in RAM for the store's answer, as they would in a queue.
        [this, d, m, a, with, s](bool granted) {
            if (granted) {
                deliver(d, m, a, *with, s);
                return;
            }
            const auto why = std::string(nudge::reason::daily_cap);
            state_.metrics.counter("nudgebot_nudges_suppressed_total", {{"reason", why}}).add();
            state_.count(m.where, m.server.str(), d.category, d.rule, "suppressed:" + why);
        });
}

void event_router::maybe_alert(const core::chat_message& m, const engine::analysis& a, const nudge::observation& o,
                               const storage::server_settings& settings)
{
    if (!o.escalation || !settings.alerts_channel) return;
    if (!nudge::effective_flag(a, engine::category::conflict, settings)) return;
    auto now = state_.clock.steady_now();
    auto [it, first] = alerted_.try_emplace(std::string(core::to_string(m.where)) + ":" + m.channel.str(), now);
    if (!first) {
        if (now - it->second < state_.options().alert_cooldown) return;
        it->second = now;
    }
    // A jump link and cue names only: no text, no names, nothing about anyone's distress.
    core::private_message alert;
    alert.text = "nudgebot: a conversation is escalating between two people in <#" + m.channel.str() + ">: " +
                 state_.delivery.message_link(m.server, m.channel, m.id) +
                 "\nCues: " + nudge::composer::explain_cues(a, engine::category::conflict) +
                 ".\n(Automated alert; no message text is kept. /nudge-admin alerts off stops these.)";
    state_.metrics.counter("nudgebot_alerts_total").add();
    state_.delivery.post_to_channel(m.server, *settings.alerts_channel, std::move(alert), {});
}

}  // namespace nudgebot::routing
