#include "nudge/calmer_draft_steps.hpp"

namespace nudgebot::nudge::drafting {

bool heated(const engine::cue& c)
{
    if (c.cat != engine::category::conflict || c.weight <= 0) return false;
    if (has(c.rule_id, ".mod_")) return has(c.rule_id, "profan") || has(c.rule_id, "swear");
    return true;
}

family family_of(const engine::cue& c)
{
    const folded_cue f(c);
    if (f.id_has("always") || f.id_has("never") || f.label_has("'you always") || f.label_has("you never"))
        return family::verdict;
    if (f.id_has("profan") || f.id_has("swear") || f.label_has("swearing") || f.label_has("profanity"))
        return family::profanity;
    return family::attack;
}

std::string plain_change(std::string_view label)
{
    std::string l(label.substr(0, label.find(" (")));
    if (l.rfind("a ", 0) == 0) l = "the " + l.substr(2);
    else if (l.rfind("an ", 0) == 0) l = "the " + l.substr(3);
    else if (l.rfind("the ", 0) != 0) l = "the " + l;
    // "the X aimed at the person addressed" reads long in a reason line: keep its head.
    for (std::string_view cut : {" aimed at", " said to", " about a", " with a", " with heat", " on someone",
                                 " as the whole", " together with"}) {
        auto at = l.find(cut);
        if (at != std::string::npos && at > 4) l.resize(at);
    }
    return l;
}

int count_rule(const engine::analysis& a, std::string_view rule)
{
    int n = 0;
    for (const auto& c : a.cues) n += c.rule_id == rule && heated(c);
    return n;
}

float heat(const engine::analysis& a)
{
    float h = 0;
    for (const auto& c : a.cues)
        if (heated(c)) h += c.weight;
    return h;
}

}  // namespace nudgebot::nudge::drafting
