// The handlers behind every command in core/command_spec.hpp (see handler.hpp for the contract).
#include "commands/handler.hpp"

#include "core/command_spec.hpp"
#include "nudge/reflection.hpp"

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

void handler::on_command(const core::command_invocation& inv)
{
    const auto* spec = core::find_command(inv.name);
    if (!spec || (spec->kind == core::command_kind::slash && !core::find_subcommand(*spec, inv.path))) {
        state_.metrics.counter("nudgebot_untrusted_input_total", {{"what", "command"}}).add();
        respond(inv.where, inv.invoker, inv.reply, {},
                [](bool) { return text("I don't know that command. Try /nudge help."); });
        return;
    }
    state_.metrics.counter("nudgebot_commands_total", {{"command", inv.name}}).add();
    if (inv.name == "nudge") user_command(inv);
    else if (inv.name == "nudge-admin") admin_command(inv);
    else suggest_reply(inv);
}

// ---------------------------------------------------------------- /nudge

void handler::user_command(const core::command_invocation& inv)
{
    const auto& sub = inv.path.back();
    const auto where = inv.where;
    const auto& user = inv.invoker;

    if (sub == "on") {
        storage::consent c;
        c.style = state_.options().default_style;
        if (const auto* now = state_.consent_of(where, user)) c = *now;
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
                    state_.set_consent(where, user, c);
                    std::string t = "You're in. I'll privately suggest wording when your own messages get heated, "
                                    "when a heated message is aimed at you, or when you seem to be having a hard "
                                    "time — at most " +
                                    std::to_string(state_.options().policy.daily_cap) +
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
        if (const auto* now = state_.consent_of(where, user)) c = *now;
        c.enabled = false;
        state_.set_consent(where, user, c);   // stops at once
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
        state_.forget(where, user);
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
        const auto& settings = state_.settings_of(where, inv.server);
        const auto sensitivity = state_.sensitivity_of(settings);
        auto a = state_.analyze(draft, sensitivity);
        const auto* c = state_.consent_of(where, user);
        auto style = c ? c->style : state_.options().default_style;
        core::private_message answer;
        if (a.flagged(engine::category::crisis)) {
            answer = state_.composer().crisis_card(inv.server.str(), state_.crisis_choice_of(where, inv.server));
        } else if (a.flagged(engine::category::conflict)) {
            // The calmer draft is built from their own words, shown to them only, then dropped.
            auto calmer = state_.calmer_draft_of(draft, a, sensitivity);
            answer.text = "This draft may read as heated (" +
                          nudge::composer::explain_cues(a, engine::category::conflict) + ").";
            if (calmer) {
                answer.text += "\n" + nudge::composer::present_draft(*calmer);
                state_.metrics.counter("nudgebot_calmer_drafts_total", {{"where", "check"}}).add();
            } else {
                auto s = state_.composer().suggestions(nudge::situation::check_calmer, style, user, a.feeling, 1);
                answer.text += "\nI couldn't find a calmer version of these words that keeps what you meant.";
                if (!s.empty()) answer.text += "\nA calmer way in: " + s[0];
            }
            answer.text += "\nIt's your call — nudgebot never blocks a message.";
            if (answer.text.size() > 2000) answer.text.resize(2000);
        } else if (a.flagged(engine::category::distress)) {
            auto s = state_.composer().suggestions(nudge::situation::own_distress, style, user, a.feeling, 1);
            answer.text = "This draft sounds like you're carrying a lot right now.";
            if (!s.empty()) answer.text += "\n" + s[0];
        } else {
            answer.text = "I don't see heated or distress cues in this draft. It's yours to send.";
        }
        draft.clear();   // the text is not needed beyond this point
        state_.metrics.counter("nudgebot_checks_total").add();
        respond(where, user, inv.reply, {}, [answer = std::move(answer)](bool) { return answer; });
        return;
    }
}

std::string handler::status_text(const core::command_invocation& inv) const
{
    std::ostringstream out;
    const auto* c = state_.consent_of(inv.where, inv.invoker);
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
        const auto& s = state_.settings_of(inv.where, inv.server);
        out << "\nThis server: sensitivity " << s.sensitivity << "; this channel is "
            << (s.watches(inv.channel) ? "watched" : "not watched") << ".";
    }
    return out.str();
}

// ---------------------------------------------------------------- /nudge-admin

void handler::admin_command(const core::command_invocation& inv)
{
    const auto where = inv.where;
    if (!inv.invoker_is_moderator) {
        state_.metrics.counter("nudgebot_admin_refused_total").add();
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
        auto& s = state_.settings_to_change(where, inv.server);
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
        auto& s = state_.settings_to_change(where, inv.server);
        if (sub == "list") {
            std::vector<std::string> lines;
            for (const auto& p : state_.options().packs)
                lines.push_back(p + (s.disabled_packs.count(p) ? ": off" : ": on"));
            std::string t = lines.empty() ? "No rule packs are loaded." : "Rule packs:\n" + join(lines, "\n");
            respond(where, inv.invoker, inv.reply, {}, [t](bool) { return text(t); });
            return;
        }
        auto pack = option(inv, "pack");
        bool known = false;
        for (const auto& p : state_.options().packs) known = known || p == pack;
        if (!known) return refuse("There is no rule pack with that id. /nudge-admin packs list shows them.");
        if (sub == "enable") s.disabled_packs.erase(pack);
        else s.disabled_packs.insert(pack);
        save_settings(inv, s, "Rule pack " + pack + (sub == "enable" ? " is on." : " is off."));
        return;
    }
    if (group == "alerts") {
        auto& s = state_.settings_to_change(where, inv.server);
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
    if (group == "crisis-resources") return crisis_resources_command(inv);
    if (sub == "sensitivity") {
        auto level = option(inv, "level");
        if (!engine::parse_sensitivity(level)) return refuse("Sensitivity is low, medium or high.");
        auto& s = state_.settings_to_change(where, inv.server);
        s.sensitivity = level;
        save_settings(inv, s, "Sensitivity is now " + level + ".");
        return;
    }
    if (sub == "crisis-card") {
        auto scope = storage::parse_crisis_scope(option(inv, "scope"));
        if (!scope) return refuse("The crisis card scope is opted-in or everyone.");
        auto& s = state_.settings_to_change(where, inv.server);
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
        auto last = state_.today();
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
        const auto& settings = state_.settings_of(where, inv.server);
        auto a = state_.analyze(sample, state_.sensitivity_of(settings));
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

void handler::crisis_resources_command(const core::command_invocation& inv)
{
    auto refuse = [&](std::string why) {
        respond(inv.where, inv.invoker, inv.reply, {}, [why = std::move(why)](bool) { return text(why); });
    };
    auto& s = state_.settings_to_change(inv.where, inv.server);
    if (inv.path.back() == "reset") {
        s.crisis_country.clear();
        s.crisis_text.clear();
        const auto choice = state_.crisis_choice_of(inv.where, inv.server);
        const auto* line = state_.composer().crisis_resources().find(choice.country);
        save_settings(inv, s,
                      std::string("The crisis support card is back to its defaults: ") +
                          (line ? "the national lines of " + line->country_name + " (from this server's language "
                                                                                  "or nudgebot's configuration)."
                                : "findahelpline.com, which lists free helplines in every country."));
        return;
    }
    const auto country_option = option(inv, "country");
    const auto text_option = option(inv, "text");
    if (country_option.empty() && text_option.empty())
        return refuse("Give a country (e.g. country:DE), your own support line (text:...), or both.");
    std::string country;
    if (!country_option.empty()) {
        auto code = nudge::normal_country_code(country_option);
        if (!code) return refuse("A country is its two-letter code, like DE, GB or BR.");
        if (!state_.composer().crisis_resources().find(*code))
            return refuse("nudgebot has no confirmed national helpline for " + *code +
                          " yet. The card will point to findahelpline.com; you can also add your own line with text:.");
        country = *code;
    }
    std::string workplace;
    if (!text_option.empty()) {
        auto cleaned = nudge::clean_workplace_line(text_option, storage::server_settings::crisis_text_limit);
        if (!cleaned)
            return refuse("Your support line must be one line of at most 300 characters, without mentions.");
        workplace = *cleaned;
    }
    if (!country.empty()) s.crisis_country = country;
    if (!workplace.empty()) s.crisis_text = workplace;
    // Show the moderator exactly what a person would read (the card's fixed safe wording included).
    auto preview = state_.composer().crisis_text(state_.crisis_choice_of(inv.where, inv.server));
    save_settings(inv, s, "The crisis support card now reads:\n> " + preview);
}

// ---------------------------------------------------------------- Suggest a kind reply

void handler::suggest_reply(const core::command_invocation& inv)
{
    const auto where = inv.where;
    if (!inv.target) {
        respond(where, inv.invoker, inv.reply, {},
                [](bool) { return text("I couldn't read that message, so I have no suggestions for it."); });
        return;
    }
    const auto& settings = state_.settings_of(where, inv.server);
    auto a = state_.analyze(inv.target->text, state_.sensitivity_of(settings));
    const auto* c = state_.consent_of(where, inv.invoker);
    auto style = c ? c->style : state_.options().default_style;
    // Tailored to the message: a heated one gets boundary and de-escalation wording, anything else
    // the listening replies of the pull_reply families.
    std::vector<std::string> ideas;
    if (a.flagged(engine::category::conflict) && inv.target->author != inv.invoker) {
        ideas = state_.composer().suggestions(nudge::situation::targeted, style, inv.invoker, a.feeling, 2);
        for (auto& s : state_.composer().suggestions(nudge::situation::escalation, style, inv.invoker, a.feeling, 1))
            ideas.push_back(std::move(s));
    }
    if (ideas.empty()) {
        // A line that names what they said, when it reads safely as a reply (re-analysed).
        auto phrase = nudge::situation_phrase(inv.target->text, a);
        if (!phrase.empty()) {
            auto check = state_.analyze(phrase, state_.sensitivity_of(settings));
            if (check.flagged(engine::category::conflict) || check.flagged(engine::category::crisis)) phrase.clear();
        }
        ideas = state_.composer().suggestions(nudge::situation::pull_reply, style, inv.invoker, a.feeling, 3, phrase);
    }
    std::string t = "Some ways you could reply (only you can see this):";
    for (const auto& i : ideas) t += "\n• " + i;
    if (a.flagged(engine::category::conflict) && inv.target->author != inv.invoker)
        t += "\nThat message reads as heated (" + nudge::composer::explain_cues(a, engine::category::conflict) +
             "); answering the point, not the tone, usually helps.";
    if (a.flagged(engine::category::crisis))
        t += "\nIf you think someone may be in danger, findahelpline.com lists free, confidential helplines, "
             "and local emergency services can help right away.";
    state_.metrics.counter("nudgebot_pull_total").add();
    respond(where, inv.invoker, inv.reply, {}, [t](bool) { return text(t); });
}

}  // namespace nudgebot::commands
