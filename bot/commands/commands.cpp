// The handlers behind every command in core/command_spec.hpp (see dispatcher.hpp for the contract).
#include "commands/dispatcher.hpp"

#include "core/command_spec.hpp"

#include <charconv>
#include <map>
#include <sstream>

namespace nudgebot::commands {

namespace {

core::private_message text(std::string t) { return core::private_message{std::move(t), {}}; }

std::string option(const core::command_invocation& inv, const std::string& name)
{
    auto it = inv.options.find(name);
    return it == inv.options.end() ? std::string{} : it->second;
}

std::string join(const std::vector<std::string>& items, std::string_view sep)
{
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) out += sep;
        out += i;
    }
    return out;
}

// Channel ids only ever reach a reply as a mention, and only when they look like an id.
bool plausible_id(std::string_view id)
{
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    return true;
}

std::string_view plain_situation(std::string_view s)
{
    if (s == "own_heated") return "your own heated messages";
    if (s == "targeted") return "heated messages aimed at you";
    if (s == "escalation") return "escalating exchanges";
    if (s == "own_distress") return "when you seem to be struggling";
    if (s == "own_crisis") return "the crisis support card";
    if (s == "dismissive_reply") return "replies to someone who is struggling";
    if (s == "kind_reply") return "encouragement for kind replies";
    return s;
}

}  // namespace

std::string help_text()
{
    return "**nudgebot** is an automated helper. If you opt in, it privately suggests kinder or calmer "
           "wording when a conversation gets heated, when a heated message is aimed at you, or when you "
           "seem to be having a hard time. Nobody else sees these suggestions, and nobody is told about you.\n"
           "• `/nudge on [style]` — opt in (style: gentle or direct). `/nudge off` — stop.\n"
           "• `/nudge check text:` — check a draft before you post it.\n"
           "• Right-click a message → Apps → *Suggest a kind reply* — ideas for answering it.\n"
           "• `/nudge status` — what nudgebot knows about you. `/nudge forget-me` — erase it all.\n"
           "Every suggestion has *Helpful*, *Not now* and *Stop these* buttons. At most a few a day.\n"
           "Privacy: message text is read in memory only and never stored or logged; the database holds "
           "your choices (on/off, style, what you stopped) and anonymous counts.";
}

void dispatcher::on_command(const core::command_invocation& inv)
{
    const auto* spec = core::find_command(inv.name);
    if (!spec || (spec->kind == core::command_kind::slash && !core::find_subcommand(*spec, inv.path))) {
        metrics_.counter("nudgebot_untrusted_input_total", {{"what", "command"}}).add();
        respond(inv.where, inv.invoker, inv.reply, {},
                [](bool) { return text("I don't know that command. Try /nudge help."); });
        return;
    }
    metrics_.counter("nudgebot_commands_total", {{"command", inv.name}}).add();
    if (inv.name == "nudge") user_command(inv);
    else if (inv.name == "nudge-admin") admin_command(inv);
    else suggest_reply(inv);
}

// ---------------------------------------------------------------- /nudge

void dispatcher::user_command(const core::command_invocation& inv)
{
    const auto& sub = inv.path.back();
    const auto where = inv.where;
    const auto& user = inv.invoker;

    if (sub == "on") {
        storage::consent c;
        c.style = options_.default_style;
        if (const auto* now = consent_of(where, user)) c = *now;
        c.enabled = true;
        if (auto s = option(inv, "style"); !s.empty()) c.style = storage::parse_style(s).value_or(c.style);
        if (auto cc = option(inv, "crisis_card"); !cc.empty()) c.crisis_card_welcome = cc == "true";
        // Acknowledged only once it is on disk; in RAM only then too.
        respond(where, user, inv.reply,
                [key = storage::user_key{where, user}, c](storage::store& s) { return s.put_consent(key, c); },
                [this, where, user, c](bool ok) {
                    if (!ok)
                        return text("Sorry — I couldn't save that just now, so nothing changed. Please try again "
                                    "in a minute.");
                    consents_[std::string(core::to_string(where)) + ":" + user.str()] = c;
                    std::string t = "You're in. I'll privately suggest wording when your own messages get heated, "
                                    "when a heated message is aimed at you, or when you seem to be having a hard "
                                    "time — at most " +
                                    std::to_string(options_.policy.daily_cap) +
                                    " a day. Style: " + std::string(storage::to_string(c.style)) +
                                    ". Each suggestion has Helpful / Not now / Stop these buttons; /nudge off "
                                    "stops them all.";
                    if (!c.muted.empty()) t += " You had stopped some kinds; /nudge status lists them.";
                    return text(std::move(t));
                });
        return;
    }
    if (sub == "off") {
        storage::consent c;
        if (const auto* now = consent_of(where, user)) c = *now;
        c.enabled = false;
        consents_[std::string(core::to_string(where)) + ":" + user.str()] = c;   // stops at once
        save_consent(where, user, c, inv.reply, [](bool ok) {
            return text(ok ? "Done — no more suggestions. Your choices are kept for next time; /nudge forget-me "
                             "erases them."
                           : "Suggestions are off for now, but I couldn't save that to disk; please run /nudge "
                             "off again in a minute.");
        });
        return;
    }
    if (sub == "status") {
        respond(where, user, inv.reply, {}, [this, inv](bool) { return text(status_text(inv)); });
        return;
    }
    if (sub == "help") {
        respond(where, user, inv.reply, {}, [](bool) { return text(help_text()); });
        return;
    }
    if (sub == "forget-me") {
        consents_.erase(std::string(core::to_string(where)) + ":" + user.str());
        policy_.forget(user);
        context_.forget_user(user);
        composer_->forget(user);
        respond(
            where, user, inv.reply,
            [key = storage::user_key{where, user}](storage::store& s) { return s.forget_user(key); },
            [](bool ok) {
                return text(ok ? "Done — everything nudgebot stored about you is erased: your opt-in, style, "
                                 "stopped suggestions and pending notices. The anonymous daily counts never "
                                 "held your id."
                               : "I erased what I hold in memory, but couldn't erase the database rows just now. "
                                 "Please run /nudge forget-me again in a minute.");
            },
            false);
        return;
    }
    if (sub == "check") {
        auto draft = option(inv, "text");
        const auto& settings = settings_of(where, inv.server);
        auto a = analyze_(draft, sensitivity_of(settings));
        draft.clear();   // the text is not needed beyond this point
        const auto* c = consent_of(where, user);
        auto style = c ? c->style : options_.default_style;
        core::private_message answer;
        if (a.flagged(engine::category::crisis)) {
            answer = composer_->crisis_card(inv.server.str());
        } else if (a.flagged(engine::category::conflict)) {
            auto s = composer_->suggestions(nudge::situation::check_calmer, style, user, a.feeling, 1);
            answer.text = "This draft may read as heated (" +
                          nudge::composer::explain_cues(a, engine::category::conflict) + ").";
            if (!s.empty()) answer.text += "\nA calmer way in: " + s[0];
            answer.text += "\nIt's your call — nudgebot never blocks a message.";
        } else if (a.flagged(engine::category::distress)) {
            auto s = composer_->suggestions(nudge::situation::own_distress, style, user, a.feeling, 1);
            answer.text = "This draft sounds like you're carrying a lot right now.";
            if (!s.empty()) answer.text += "\n" + s[0];
        } else {
            answer.text = "I don't see heated or distress cues in this draft. It's yours to send.";
        }
        metrics_.counter("nudgebot_checks_total").add();
        respond(where, user, inv.reply, {}, [answer = std::move(answer)](bool) { return answer; });
        return;
    }
}

std::string dispatcher::status_text(const core::command_invocation& inv) const
{
    std::ostringstream out;
    const auto* c = consent_of(inv.where, inv.invoker);
    if (!c) {
        out << "nudgebot stores nothing about you. /nudge on opts you in.";
    } else {
        out << "Suggestions: " << (c->enabled ? "on" : "off") << ". Style: " << storage::to_string(c->style)
            << ". Crisis support card: " << (c->crisis_card_welcome ? "shown if needed" : "never shown") << ".";
        if (!c->muted.empty()) {
            std::vector<std::string> names;
            for (const auto& m : c->muted) names.emplace_back(plain_situation(m));
            out << "\nYou stopped: " << join(names, ", ") << ". (/nudge forget-me resets everything.)";
        }
    }
    if (!inv.server.empty()) {
        const auto& s = settings_of(inv.where, inv.server);
        out << "\nThis server: sensitivity " << s.sensitivity << "; this channel is "
            << (s.watches(inv.channel) ? "watched" : "not watched") << ".";
    }
    return out.str();
}

// ---------------------------------------------------------------- /nudge-admin

void dispatcher::save_settings(const core::command_invocation& inv, const storage::server_settings& s,
                               std::string done)
{
    respond(
        inv.where, inv.invoker, inv.reply,
        [key = storage::server_key{inv.where, inv.server}, s](storage::store& st) { return st.put_settings(key, s); },
        [done = std::move(done)](bool ok) {
            return text(ok ? done
                           : done + " (In effect now, but I couldn't save it to disk, so it may be lost after a "
                                    "restart. Please try again in a minute.)");
        });
}

void dispatcher::admin_command(const core::command_invocation& inv)
{
    const auto where = inv.where;
    if (!inv.invoker_is_moderator) {
        metrics_.counter("nudgebot_admin_refused_total").add();
        respond(where, inv.invoker, inv.reply, {}, [](bool) {
            return text("Sorry — /nudge-admin is for people who can manage this server. You can still use "
                        "/nudge for yourself.");
        });
        return;
    }
    if (inv.server.empty()) {
        respond(where, inv.invoker, inv.reply, {},
                [](bool) { return text("Please use /nudge-admin inside the server you want to configure."); });
        return;
    }
    auto refuse = [&](std::string why) {
        respond(where, inv.invoker, inv.reply, {}, [why = std::move(why)](bool) { return text(why); });
    };
    const auto& group = inv.path.front();
    const auto& sub = inv.path.back();

    if (group == "channels") {
        auto& s = mutable_settings(where, inv.server);
        if (sub == "list") {
            std::vector<std::string> on, off;
            for (const auto& [id, watched] : s.channels) (watched ? on : off).push_back("<#" + id + ">");
            std::string t = on.empty() ? "nudgebot watches every channel it can see"
                                       : "nudgebot watches only: " + join(on, ", ");
            if (!off.empty()) t += "\nNot watched: " + join(off, ", ");
            respond(where, inv.invoker, inv.reply, {}, [t](bool) { return text(t); });
            return;
        }
        auto channel = option(inv, "channel");
        if (channel.empty()) channel = inv.channel.str();
        if (!plausible_id(channel)) return refuse("That doesn't look like a channel.");
        bool enable = sub == "enable";
        s.channels[channel] = enable;
        std::string done = enable ? "Now watching <#" + channel + ">." : "No longer watching <#" + channel + ">.";
        if (enable) done += " While any channel is explicitly watched, only watched channels are.";
        save_settings(inv, s, done);
        return;
    }
    if (group == "packs") {
        auto& s = mutable_settings(where, inv.server);
        if (sub == "list") {
            std::vector<std::string> lines;
            for (const auto& p : options_.packs)
                lines.push_back(p + (s.disabled_packs.count(p) ? ": off" : ": on"));
            std::string t = lines.empty() ? "No rule packs are loaded." : "Rule packs:\n" + join(lines, "\n");
            respond(where, inv.invoker, inv.reply, {}, [t](bool) { return text(t); });
            return;
        }
        auto pack = option(inv, "pack");
        bool known = false;
        for (const auto& p : options_.packs) known = known || p == pack;
        if (!known) return refuse("There is no rule pack with that id. /nudge-admin packs list shows them.");
        if (sub == "enable") s.disabled_packs.erase(pack);
        else s.disabled_packs.insert(pack);
        save_settings(inv, s, "Rule pack " + pack + (sub == "enable" ? " is on." : " is off."));
        return;
    }
    if (group == "alerts") {
        auto& s = mutable_settings(where, inv.server);
        if (sub == "off") {
            s.alerts_channel.reset();
            save_settings(inv, s, "Escalation alerts are off.");
            return;
        }
        auto channel = option(inv, "channel");
        if (!plausible_id(channel)) return refuse("Please pick the channel alerts should go to.");
        s.alerts_channel = core::channel_id{channel};
        save_settings(inv, s,
                      "Escalation alerts go to <#" + channel +
                          ">: a link and the cue names when two people's exchange keeps heating up. Never "
                          "message text, and never anything about anyone's distress.");
        return;
    }
    if (sub == "sensitivity") {
        auto level = option(inv, "level");
        if (!engine::parse_sensitivity(level)) return refuse("Sensitivity is low, medium or high.");
        auto& s = mutable_settings(where, inv.server);
        s.sensitivity = level;
        save_settings(inv, s, "Sensitivity is now " + level + ".");
        return;
    }
    if (sub == "crisis-card") {
        auto scope = storage::parse_crisis_scope(option(inv, "scope"));
        if (!scope) return refuse("The crisis card scope is opted-in or everyone.");
        auto& s = mutable_settings(where, inv.server);
        s.crisis = *scope;
        save_settings(inv, s,
                      *scope == storage::crisis_scope::everyone
                          ? "The crisis support card may now be shown, privately and at most once a day, to "
                            "any author whose message uses crisis language (unless they declined it). Nobody "
                            "else is told."
                          : "The crisis support card is shown only to people who opted in.");
        return;
    }
    if (sub == "stats") {
        std::int64_t days = 7;
        if (auto d = option(inv, "days"); !d.empty()) {
            auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), days);
            if (ec != std::errc{} || p != d.data() + d.size()) days = 7;
        }
        days = std::clamp<std::int64_t>(days, 1, 90);
        auto rows = std::make_shared<std::vector<storage::counter_row>>();
        auto last = today();
        auto first = static_cast<std::int32_t>(last - days + 1);
        respond(
            where, inv.invoker, inv.reply,
            [rows, where, server = inv.server.str(), first, last](storage::store& s) {
                *rows = s.counts(where, server, first, last);
                return true;
            },
            [rows, days](bool) {
                // category -> outcome -> count; suppressed reasons folded into "suppressed".
                std::map<std::string, std::map<std::string, std::uint64_t>> table;
                for (const auto& r : *rows) {
                    auto outcome = r.key.outcome.rfind("suppressed:", 0) == 0 ? std::string("suppressed") : r.key.outcome;
                    table[r.key.category][outcome] += r.count;
                }
                std::ostringstream out;
                out << "nudgebot, last " << days << (days == 1 ? " day" : " days") << ":";
                if (table.empty()) out << "\nNothing yet.";
                for (const auto& [cat, outcomes] : table) {
                    out << "\n• " << cat << ":";
                    for (const auto& [o, n] : outcomes) out << " " << o << " " << n << ";";
                    // The map by name, not the binding: a lambda may not capture a structured
                    // binding before C++20 compilers caught up (clang 14, the fuzz build's).
                    auto get = [&counts = outcomes](const char* k) {
                        auto it = counts.find(k);
                        return it == counts.end() ? 0ull : static_cast<unsigned long long>(it->second);
                    };
                    if (auto delivered = get("delivered"))
                        out << " helpful rate " << (100 * get("helpful") / delivered) << "%";
                }
                return text(out.str());
            });
        return;
    }
    if (sub == "explain") {
        auto sample = option(inv, "text");
        const auto& settings = settings_of(where, inv.server);
        auto a = analyze_(sample, sensitivity_of(settings));
        sample.clear();
        std::ostringstream out;
        out << "At sensitivity " << settings.sensitivity << ":";
        for (std::size_t i = 0; i < engine::reported_category_count + 2; ++i) {
            auto c = static_cast<engine::category>(i);
            if (a.scores[i] <= 0 && !a.flags[i]) continue;
            out << "\n• " << engine::to_string(c) << " " << static_cast<int>(a.scores[i] * 100 + 0.5f) << "%"
                << (nudge::effective_flag(a, c, settings) ? " — flagged" : "");
        }
        if (a.cues.empty()) out << "\nNo cues fire.";
        for (const auto& cue : a.cues) {
            out << "\n  " << cue.rule_id << " (" << engine::to_string(cue.cat) << ", weight " << cue.weight
                << "): " << cue.label;
            if (settings.disabled_packs.count(std::string(nudge::pack_of(cue.rule_id)))) out << " [pack off]";
        }
        out << "\nA nudge needs a flag, and it goes only to people who opted in.";
        auto t = out.str();
        respond(where, inv.invoker, inv.reply, {}, [t](bool) { return text(t); });
        return;
    }
}

// ---------------------------------------------------------------- Suggest a kind reply

void dispatcher::suggest_reply(const core::command_invocation& inv)
{
    const auto where = inv.where;
    if (!inv.target) {
        respond(where, inv.invoker, inv.reply, {},
                [](bool) { return text("I couldn't read that message, so I have no suggestions for it."); });
        return;
    }
    const auto& settings = settings_of(where, inv.server);
    auto a = analyze_(inv.target->text, sensitivity_of(settings));
    const auto* c = consent_of(where, inv.invoker);
    auto style = c ? c->style : options_.default_style;
    // Tailored to the message: a heated one gets boundary and de-escalation wording, anything else
    // the listening replies of the pull_reply families.
    std::vector<std::string> ideas;
    if (a.flagged(engine::category::conflict) && inv.target->author != inv.invoker) {
        ideas = composer_->suggestions(nudge::situation::targeted, style, inv.invoker, a.feeling, 2);
        for (auto& s : composer_->suggestions(nudge::situation::escalation, style, inv.invoker, a.feeling, 1))
            ideas.push_back(std::move(s));
    }
    if (ideas.empty()) ideas = composer_->suggestions(nudge::situation::pull_reply, style, inv.invoker, a.feeling, 3);
    std::string t = "Some ways you could reply (only you can see this):";
    for (const auto& i : ideas) t += "\n• " + i;
    if (a.flagged(engine::category::conflict) && inv.target->author != inv.invoker)
        t += "\nThat message reads as heated (" + nudge::composer::explain_cues(a, engine::category::conflict) +
             "); answering the point, not the tone, usually helps.";
    if (a.flagged(engine::category::crisis))
        t += "\nIf you think someone may be in danger, findahelpline.com lists free, confidential helplines, "
             "and local emergency services can help right away.";
    metrics_.counter("nudgebot_pull_total").add();
    respond(where, inv.invoker, inv.reply, {}, [t](bool) { return text(t); });
}

}  // namespace nudgebot::commands
