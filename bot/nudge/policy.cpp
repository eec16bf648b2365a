#include "nudge/policy.hpp"

namespace nudgebot::nudge {

using engine::category;

std::string_view pack_of(std::string_view rule_id) noexcept
{
    auto dot = rule_id.find('.');
    return dot == std::string_view::npos ? rule_id : rule_id.substr(0, dot);
}

bool effective_flag(const engine::analysis& analysis, category c,
                    const storage::server_settings& settings) noexcept
{
    if (!analysis.flagged(c)) return false;
    if (settings.disabled_packs.empty()) return true;
    bool any_cue = false;
    for (const auto& cue : analysis.cues) {
        if (cue.cat != c) continue;
        any_cue = true;
        if (!settings.disabled_packs.count(std::string(pack_of(cue.rule_id)))) return true;
    }
    return !any_cue;
}

std::string_view main_rule(const engine::analysis& analysis, category c) noexcept
{
    const engine::cue* best = nullptr;
    for (const auto& cue : analysis.cues)
        if (cue.cat == c && (!best || cue.weight > best->weight)) best = &cue;
    return best ? best->rule_id : std::string_view{};
}

std::int32_t utc_day(std::chrono::system_clock::time_point t) noexcept
{
    return static_cast<std::int32_t>(
        std::chrono::floor<std::chrono::days>(t).time_since_epoch().count());
}

policy::policy(policy_limits limits) : limits_(limits) {}

std::vector<decision> policy::decide(const message_facts& facts, const consent_lookup& consent,
                                     time_point now, std::int32_t day)
{
    std::vector<decision> out;
    const auto& m = facts.message;
    const auto& a = facts.analysis;
    const auto& o = facts.context;
    if (m.author_is_bot) return out;

    auto flagged_raw = [&](category c) { return a.flagged(c); };
    auto make = [&](const core::user_id& to, situation s, category c, bool author) {
        decision d;
        d.recipient = to;
        d.situation = s;
        d.category = c;
        d.rule = main_rule(a, c);
        d.recipient_is_author = author;
        return d;
    };

    if (flagged_raw(category::crisis)) {
        // The crisis card goes to the author only; nothing else is said about this message.
        out.push_back(make(m.author, situation::own_crisis, category::crisis, true));
    } else {
        if (flagged_raw(category::distress))
            out.push_back(make(m.author, situation::own_distress, category::distress, true));
        if (flagged_raw(category::conflict)) {
            if (o.escalation && !o.target.empty()) {
                auto mine = make(m.author, situation::escalation, category::conflict, true);
                mine.other = o.target;
                auto theirs = make(o.target, situation::escalation, category::conflict, false);
                theirs.other = m.author;
                out.push_back(mine);
                out.push_back(theirs);
            } else {
                out.push_back(make(m.author, situation::own_heated, category::conflict, true));
                if (!o.target.empty())
                    out.push_back(make(o.target, situation::targeted, category::conflict, false));
            }
        }
        if (!o.target.empty() && o.target_distressed) {
            if (flagged_raw(category::dismissal))
                out.push_back(make(m.author, situation::dismissive_reply, category::dismissal, true));
            else if (limits_.kind_replies && flagged_raw(category::kindness) && !flagged_raw(category::conflict))
                out.push_back(make(m.author, situation::kind_reply, category::kindness, true));
        }
    }

    for (auto& d : out) gate(d, facts, consent, now, day);
    return out;
}

void policy::gate(decision& d, const message_facts& facts, const consent_lookup& consent, time_point now,
                  std::int32_t day)
{
    auto refuse = [&](std::string_view why) {
        d.deliver = false;
        d.why = why;
    };
    const storage::consent* c = consent(d.recipient);
    const bool opted_in = c && c->enabled;
    const auto sit = std::string(to_string(d.situation));

    // 1. Consent first.
    if (d.situation == situation::own_crisis) {
        if (!opted_in && facts.settings.crisis != storage::crisis_scope::everyone) return refuse(reason::no_consent);
        if (c && (!c->crisis_card_welcome || c->muted.count(sit))) return refuse(reason::crisis_declined);
    } else {
        if (!opted_in) return refuse(reason::no_consent);
        // 2. Muted by "Stop these".
        if (c->muted.count(sit)) return refuse(reason::muted);
    }
    // 3. Server settings.
    if (!facts.settings.watches(facts.message.channel)) return refuse(reason::channel_off);
    if (!effective_flag(facts.analysis, d.category, facts.settings)) return refuse(reason::pack_disabled);

    auto& u = users_[d.recipient.str()];
    if (u.day != day) {
        u.day = day;
        u.today = 0;
        u.kind_today = 0;
    }
    // 4. The crisis card: once per day, and no other limit may hold it back.
    if (d.situation == situation::own_crisis) {
        if (u.crisis_day == day) return refuse(reason::crisis_once_per_day);
        u.crisis_day = day;
        u.last = now;   // nothing else right after the card
        u.any = true;
        d.deliver = true;
        d.why = reason::ok;
        return;
    }
    // 5. Rate limits.
    if (now < u.snoozed_until) return refuse(reason::snoozed);
    if (u.any && now - u.last < limits_.user_cooldown) return refuse(reason::cooldown);
    if (u.today >= limits_.daily_cap) return refuse(reason::daily_cap);
    if (d.situation == situation::kind_reply && u.kind_today >= limits_.kind_daily)
        return refuse(reason::daily_cap);
    auto& ch = channels_[facts.message.channel.str()];
    while (!ch.sent.empty() && now - ch.sent.front() >= limits_.channel_window) ch.sent.pop_front();
    if (ch.sent.size() >= limits_.channel_max) return refuse(reason::channel_rate);

    ch.sent.push_back(now);
    u.last = now;
    u.any = true;
    ++u.today;
    if (d.situation == situation::kind_reply) ++u.kind_today;
    d.deliver = true;
    d.why = reason::ok;
}

void policy::snooze(const core::user_id& user, time_point now)
{
    users_[user.str()].snoozed_until = now + limits_.not_now_snooze;
}

void policy::forget(const core::user_id& user) { users_.erase(user.str()); }

}  // namespace nudgebot::nudge
