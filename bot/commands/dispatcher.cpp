#include "commands/dispatcher.hpp"

#include "engine/analyzer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace nudgebot::commands {

namespace {

std::string key_of(core::platform where, const std::string& id)
{
    std::string k(core::to_string(where));
    k += ':';
    k += id;
    return k;
}

constexpr std::string_view notice_dms_closed = "dms_closed";

}  // namespace

analyze_fn analyze_with(std::shared_ptr<const engine::analyzer> analyzer)
{
    return [analyzer = std::move(analyzer)](std::string_view text, engine::sensitivity s) {
        return analyzer->analyze(text, s);
    };
}

dispatcher::dispatcher(analyze_fn analyze, nudge::composer& composer, storage::async_store& store,
                       core::delivery& delivery, const core::clock& clock, dispatcher_options options,
                       core::metrics& metrics)
    : analyze_(std::move(analyze)),
      composer_(&composer),
      store_(store),
      delivery_(delivery),
      clock_(clock),
      options_(std::move(options)),
      metrics_(metrics),
      context_(options_.context),
      policy_(options_.policy),
      default_settings_(options_.server_defaults),
      decision_seconds_(metrics_.histogram("nudgebot_decision_seconds")),
      delivery_seconds_(metrics_.histogram("nudgebot_delivery_seconds"))
{
    metrics_.describe("nudgebot_decision_seconds",
                      "From a message event reaching the dispatcher to its nudge decisions (analysis, context, policy).");
    metrics_.describe("nudgebot_delivery_seconds",
                      "From a decision to deliver to the platform's answer (delivered, undeliverable or failed).");
    if (store_.shared()) store_.on_changes([this](std::vector<storage::refreshed_row> rows) { apply_changes(std::move(rows)); });
}

void dispatcher::load(core::platform where)
{
    auto consents = store_.call([where](storage::store& s) { return s.load_consents(where); });
    for (auto& [user, c] : consents) consents_[key_of(where, user.str())] = std::move(c);
    auto settings = store_.call([where](storage::store& s) { return s.load_settings(where); });
    for (auto& [server, s] : settings) settings_[key_of(where, server.str())] = std::move(s);
    metrics_.gauge("nudgebot_known_users").set(static_cast<double>(consents_.size()));
    if (std::find(loaded_.begin(), loaded_.end(), where) == loaded_.end()) loaded_.push_back(where);
}

void dispatcher::reload(analyze_fn analyze, nudge::composer& composer)
{
    analyze_ = std::move(analyze);
    composer_ = &composer;
}

void dispatcher::apply_changes(std::vector<storage::refreshed_row> rows)
{
    for (auto& r : rows) {
        if (r.what.id.empty()) {
            // The feed was interrupted: read every row of this kind again.
            for (auto where : loaded_) {
                if (r.what.what == storage::change::kind::consent) {
                    store_.submit([where](storage::store& s) { return s.load_consents(where); },
                                  [this, where](std::vector<std::pair<core::user_id, storage::consent>> all) {
                                      std::erase_if(consents_, [&](const auto& e) {
                                          return e.first.rfind(key_of(where, ""), 0) == 0;
                                      });
                                      for (auto& [user, c] : all) consents_[key_of(where, user.str())] = std::move(c);
                                  });
                } else {
                    store_.submit([where](storage::store& s) { return s.load_settings(where); },
                                  [this, where](std::vector<std::pair<core::server_id, storage::server_settings>> all) {
                                      std::erase_if(settings_, [&](const auto& e) {
                                          return e.first.rfind(key_of(where, ""), 0) == 0;
                                      });
                                      for (auto& [server, s] : all) settings_[key_of(where, server.str())] = std::move(s);
                                  });
                }
            }
            continue;
        }
        // Another platform's rows belong to that platform's dispatcher.
        if (std::find(loaded_.begin(), loaded_.end(), r.what.where) == loaded_.end()) continue;
        auto key = key_of(r.what.where, r.what.id);
        if (r.what.what == storage::change::kind::consent) {
            if (r.consent_now) {
                consents_[key] = std::move(*r.consent_now);
            } else {
                // forget-me in some process: forget here too.
                core::user_id user{r.what.id};
                consents_.erase(key);
                policy_.forget(user);
                context_.forget_user(user);
                composer_->forget(user);
            }
        } else {
            if (r.settings_now) settings_[key] = std::move(*r.settings_now);
            else settings_.erase(key);
        }
        metrics_.counter("nudgebot_store_changes_applied_total").add();
    }
    metrics_.gauge("nudgebot_known_users").set(static_cast<double>(consents_.size()));
}

const storage::consent* dispatcher::consent_of(core::platform where, const core::user_id& user) const
{
    auto it = consents_.find(key_of(where, user.str()));
    return it == consents_.end() ? nullptr : &it->second;
}

storage::consent* dispatcher::mutable_consent(core::platform where, const core::user_id& user)
{
    auto it = consents_.find(key_of(where, user.str()));
    return it == consents_.end() ? nullptr : &it->second;
}

const storage::server_settings& dispatcher::settings_of(core::platform where, const core::server_id& server) const
{
    auto it = settings_.find(key_of(where, server.str()));
    return it == settings_.end() ? default_settings_ : it->second;
}

storage::server_settings& dispatcher::mutable_settings(core::platform where, const core::server_id& server)
{
    return settings_.try_emplace(key_of(where, server.str()), default_settings_).first->second;
}

engine::sensitivity dispatcher::sensitivity_of(const storage::server_settings& s) const
{
    return engine::parse_sensitivity(s.sensitivity).value_or(engine::sensitivity::medium);
}

std::int32_t dispatcher::today() const { return nudge::utc_day(clock_.wall_now()); }

void dispatcher::handle(const core::event& event)
{
    std::visit(
        [this](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, core::message_created>) on_message(e.message);
            else if constexpr (std::is_same_v<T, core::message_edited>) on_edit(e.message);
            else if constexpr (std::is_same_v<T, core::message_deleted>) context_.erase(e.channel, e.id);
            else if constexpr (std::is_same_v<T, core::command_invocation>) on_command(e);
            else if constexpr (std::is_same_v<T, core::button_press>) on_button(e);
        },
        event);
}

// ---------------------------------------------------------------- messages

void dispatcher::on_message(const core::chat_message& m)
{
    auto now = clock_.steady_now();
    if (now - last_expire_ >= options_.expire_every) {
        context_.expire(now);
        last_expire_ = now;
    }
    // Direct messages to the bot and other bots are not conversations nudgebot looks at.
    if (m.author_is_bot || m.server.empty()) return;
    const auto& settings = settings_of(m.where, m.server);
    // Unwatched channels are not analysed at all: moderators chose to leave them alone.
    if (!settings.watches(m.channel)) return;
    metrics_.counter("nudgebot_messages_analysed_total").add();
    const auto started = std::chrono::steady_clock::now();
    auto a = analyze_(m.text, sensitivity_of(settings));
    auto o = context_.observe(m, a, now);
    act(m, a, o, settings, started);
}

void dispatcher::on_edit(const core::chat_message& m)
{
    if (m.author_is_bot || m.server.empty()) return;
    const auto& settings = settings_of(m.where, m.server);
    if (!settings.watches(m.channel)) return;
    const auto started = std::chrono::steady_clock::now();
    auto a = analyze_(m.text, sensitivity_of(settings));
    auto fresh = context_.edit(m, a, clock_.steady_now());
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

void dispatcher::act(const core::chat_message& m, const engine::analysis& a, const nudge::observation& o,
                     const storage::server_settings& settings, std::chrono::steady_clock::time_point started)
{
    auto lookup = [this, where = m.where](const core::user_id& u) { return consent_of(where, u); };
    auto decisions = policy_.decide({m, a, o, settings}, lookup, clock_.steady_now(), today());
    decision_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    for (const auto& d : decisions) {
        if (d.deliver) {
            if (store_.shared()) claim_then_deliver(d, m, a);
            else deliver(d, m, a);
        } else {
            metrics_.counter("nudgebot_nudges_suppressed_total", {{"reason", std::string(d.why)}}).add();
            count(m.where, m.server.str(), d.category, d.rule, "suppressed:" + std::string(d.why));
        }
    }
    maybe_alert(m, a, o, settings);
}

void dispatcher::deliver(const nudge::decision& d, const core::chat_message& m, const engine::analysis& a)
{
    const auto* c = consent_of(m.where, d.recipient);
    auto style = c ? c->style : options_.default_style;
    auto message = composer_->compose(d, style, a, m.server.str());
    auto situation = std::string(nudge::to_string(d.situation));
    metrics_.counter("nudgebot_nudges_total", {{"situation", situation}}).add();
    delivery_.send_private(
        d.recipient, m.server, m.channel, std::move(message),
        [this, where = m.where, server = m.server.str(), category = d.category, rule = std::string(d.rule),
         user = d.recipient, situation, sent = std::chrono::steady_clock::now()](core::delivery_outcome outcome) {
            delivery_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count());
            switch (outcome) {
            case core::delivery_outcome::delivered: count(where, server, category, rule, "delivered"); break;
            case core::delivery_outcome::undeliverable:
                count(where, server, category, rule, "undeliverable");
                metrics_.counter("nudgebot_nudges_undeliverable_total").add();
                // Told once, the next time they use a command.
                store_.submit([key = storage::user_key{where, user}](storage::store& s) {
                    s.add_notice(key, std::string(notice_dms_closed));
                });
                break;
            case core::delivery_outcome::failed: count(where, server, category, rule, "failed"); break;
            }
        });
}

void dispatcher::claim_then_deliver(const nudge::decision& d, const core::chat_message& m,
                                    const engine::analysis& a)
{
    const auto& limits = policy_.limits();
    std::string_view kind = "push";
    std::uint32_t limit = limits.daily_cap;
    if (d.situation == nudge::situation::own_crisis) {
        kind = "crisis";
        limit = 1;
    }
    const bool kind_reply = d.situation == nudge::situation::kind_reply;
    store_.submit(
        [key = storage::user_key{m.where, d.recipient}, day = today(), kind, limit, kind_reply,
         kind_limit = limits.kind_daily](storage::store& s) {
            if (!s.claim_daily(key, day, kind, limit)) return false;
            return !kind_reply || s.claim_daily(key, day, "kind", kind_limit);
        },
        // The message and its analysis wait in RAM for the store's answer, as they would in a queue.
        [this, d, m, a](bool granted) {
            if (granted) {
                deliver(d, m, a);
                return;
            }
            metrics_.counter("nudgebot_nudges_suppressed_total", {{"reason", std::string(nudge::reason::daily_cap)}}).add();
            count(m.where, m.server.str(), d.category, d.rule, "suppressed:" + std::string(nudge::reason::daily_cap));
        });
}

void dispatcher::maybe_alert(const core::chat_message& m, const engine::analysis& a, const nudge::observation& o,
                             const storage::server_settings& settings)
{
    if (!o.escalation || !settings.alerts_channel) return;
    if (!nudge::effective_flag(a, engine::category::conflict, settings)) return;
    auto now = clock_.steady_now();
    auto [it, first] = alerted_.try_emplace(key_of(m.where, m.channel.str()), now);
    if (!first) {
        if (now - it->second < options_.alert_cooldown) return;
        it->second = now;
    }
    // A jump link and cue names only: no text, no names, nothing about anyone's distress.
    core::private_message alert;
    alert.text = "nudgebot: a conversation is escalating between two people in <#" + m.channel.str() + ">: " +
                 delivery_.message_link(m.server, m.channel, m.id) +
                 "\nCues: " + nudge::composer::explain_cues(a, engine::category::conflict) +
                 ".\n(Automated alert; no message text is kept. /nudge-admin alerts off stops these.)";
    metrics_.counter("nudgebot_alerts_total").add();
    delivery_.post_to_channel(m.server, *settings.alerts_channel, std::move(alert), {});
}

void dispatcher::count(core::platform where, const std::string& server, engine::category c, std::string_view rule,
                       std::string outcome)
{
    store_.count({today(), where, server, std::string(engine::to_string(c)), std::string(rule), std::move(outcome)});
}

// ---------------------------------------------------------------- answers

void dispatcher::respond(core::platform where, const core::user_id& user, const core::reply_handle& reply,
                         std::function<bool(storage::store&)> job,
                         std::function<core::private_message(bool ok)> answer, bool show_notices)
{
    // Discord wants an answer within 3 s: when the worker is backed up, say "thinking" first.
    if (store_.slow()) {
        delivery_.defer(reply);
        metrics_.counter("nudgebot_interactions_deferred_total").add();
    }
    auto notices = std::make_shared<std::vector<std::string>>();
    store_.submit(
        [key = storage::user_key{where, user}, job = std::move(job), notices, show_notices](storage::store& s) {
            if (show_notices) *notices = s.take_notices(key);
            return job ? job(s) : true;
        },
        [this, reply, answer = std::move(answer), notices](bool ok) {
            auto message = answer(ok);
            for (const auto& n : *notices)
                if (n == notice_dms_closed)
                    message.text =
                        "(Earlier I couldn't send you a private suggestion because your direct messages are "
                        "closed for this server. To get them, allow DMs from server members in the server's "
                        "privacy settings.)\n\n" +
                        message.text;
            if (message.text.size() > 2000) message.text.resize(2000);
            delivery_.answer_privately(reply, std::move(message), {});
        });
}

void dispatcher::on_button(const core::button_press& press)
{
    auto meaning = nudge::parse_button_id(press.custom_id);
    if (!meaning) {
        metrics_.counter("nudgebot_untrusted_input_total", {{"what", "button"}}).add();
        respond(press.where, press.user, press.reply, {},
                [](bool) { return core::private_message{"That button is no longer active.", {}}; });
        return;
    }
    const auto where = press.where;
    const auto& user = press.user;
    auto situation = std::string(nudge::to_string(meaning->situation));
    auto counted = [&](std::string outcome) {
        metrics_.counter("nudgebot_feedback_total", {{"outcome", outcome}}).add();
        count(where, meaning->server, meaning->category, meaning->rule, std::move(outcome));
    };
    switch (meaning->action) {
    case nudge::button_action::helpful:
        counted("helpful");
        respond(where, user, press.reply, {},
                [](bool) { return core::private_message{"Thanks for telling me — glad it was useful.", {}}; });
        return;
    case nudge::button_action::not_now:
        counted("not_now");
        policy_.snooze(user, clock_.steady_now());
        respond(where, user, press.reply, {}, [](bool) {
            return core::private_message{"Okay — no suggestions for the next hour.", {}};
        });
        return;
    case nudge::button_action::crisis_dismiss:
        counted("dismissed");
        respond(where, user, press.reply, {},
                [](bool) { return core::private_message{"Okay. Take care of yourself.", {}}; });
        return;
    case nudge::button_action::stop:
    case nudge::button_action::crisis_never: {
        counted("stop");
        // Takes effect in RAM at once, then is written.
        auto* c = mutable_consent(where, user);
        if (!c) c = &consents_[key_of(where, user.str())];   // enabled stays false
        if (meaning->action == nudge::button_action::stop) c->muted.insert(situation);
        else c->crisis_card_welcome = false;
        bool crisis = meaning->action == nudge::button_action::crisis_never;
        save_consent(where, user, *c, press.reply, [crisis](bool ok) {
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

void dispatcher::save_consent(core::platform where, const core::user_id& user, const storage::consent& c,
                              const core::reply_handle& reply, std::function<core::private_message(bool)> answer)
{
    respond(where, user, reply,
            [key = storage::user_key{where, user}, c](storage::store& s) { return s.put_consent(key, c); },
            std::move(answer));
}

}  // namespace nudgebot::commands
