#include "core/command_spec.hpp"

namespace nudgebot::core {
namespace {

command_option text_option(std::string name, std::string description)
{
    command_option o{std::move(name), std::move(description), option_type::string, true, {}, {}, {}, {}};
    o.max_length = 1800;   // leaves room in a 2000-character reply; longer drafts are refused politely
    return o;
}

std::vector<command_spec> build()
{
    std::vector<command_spec> all;

    command_spec nudge;
    nudge.name = "nudge";
    nudge.display_name = "nudge";
    nudge.description = "Private, kind phrasing suggestions when conversations get hard";
    nudge.subcommands = {
        {"on",
         "Receive private suggestions about your own conversations",
         {{"style", "How suggestions are worded", option_type::string, false,
           {{"gentle", "gentle"}, {"direct", "direct"}}, {}, {}, {}},
          {"crisis_card", "Show me where to find support if I seem to be in crisis (default yes)",
           option_type::boolean, false, {}, {}, {}, {}}}},
        {"off", "Stop receiving suggestions (your settings are kept; use forget-me to erase them)", {}},
        {"status", "Show what nudgebot knows about you and this server's settings", {}},
        {"check", "Check a draft before you post it, privately",
         {text_option("text", "The draft message (not stored, not logged)")}},
        {"forget-me", "Erase everything nudgebot stores about you, at once", {}},
        {"help", "What nudgebot does, what it stores, and how to control it", {}},
    };
    all.push_back(std::move(nudge));

    command_spec admin;
    admin.name = "nudge-admin";
    admin.display_name = "nudge-admin";
    admin.description = "Configure nudgebot for this server (moderators)";
    admin.moderator_only = true;
    command_option channel_opt{"channel", "The channel (default: this one)", option_type::channel,
                               false, {}, {}, {}, {}};
    command_option pack_opt{"pack", "The rule pack id (see packs list)", option_type::string, true,
                            {}, {}, {}, {}};
    pack_opt.max_length = 64;
    command_option crisis_country{"country", "Two-letter country code, e.g. DE or GB (see findahelpline.com)",
                                  option_type::string, false, {}, {}, {}, {}};
    crisis_country.max_length = 2;
    command_option crisis_text{"text", "Your own support line, e.g. the employee assistance number",
                               option_type::string, false, {}, {}, {}, {}};
    crisis_text.max_length = 300;
    admin.groups = {
        {"channels",
         "Where nudgebot watches",
         {{"enable", "Watch a channel", {channel_opt}},
          {"disable", "Stop watching a channel", {channel_opt}},
          {"list", "List the watched channels", {}}}},
        {"packs",
         "Rule packs",
         {{"list", "List rule packs and whether they are on", {}},
          {"enable", "Turn a rule pack on", {pack_opt}},
          {"disable", "Turn a rule pack off", {pack_opt}}}},
        {"alerts",
         "Conflict escalation alerts to a moderator channel (a link and cue names, never text)",
         {{"on", "Send alerts to a channel",
           {{"channel", "The moderator channel", option_type::channel, true, {}, {}, {}, {}}}},
          {"off", "Stop alerts", {}}}},
        {"crisis-resources",
         "Which helplines the crisis support card names for this server",
         {{"set", "Name a country's national lines and/or your own support line", {crisis_country, crisis_text}},
          {"reset", "Back to the server's language setting and nudgebot's defaults", {}}}},
    };
    command_option days{"days", "How many days back (default 7)", option_type::integer, false,
                        {}, {}, {}, {}};
    days.min_value = 1;
    days.max_value = 90;
    admin.subcommands = {
        {"sensitivity",
         "How readily nudgebot reacts",
         {{"level", "low: only clear cases; high: more nudges", option_type::string, true,
           {{"low", "low"}, {"medium", "medium"}, {"high", "high"}}, {}, {}, {}}}},
        {"crisis-card",
         "Who may see the crisis support card",
         {{"scope", "opted-in: only people who turned nudges on; everyone: any author",
           option_type::string, true,
           {{"opted-in", "opted-in"}, {"everyone", "everyone"}}, {}, {}, {}}}},
        {"stats", "Counts per category and outcome, and the helpful rate", {days}},
        {"explain", "Show which cues fire for a text, and why",
         {text_option("text", "The text to explain (not stored, not logged)")}},
    };
    all.push_back(std::move(admin));

    command_spec suggest;
    suggest.name = "suggest-reply";
    suggest.display_name = "Suggest a kind reply";
    suggest.kind = command_kind::message;
    all.push_back(std::move(suggest));
    return all;
}

}  // namespace

const std::vector<command_spec>& nudgebot_commands()
{
    static const std::vector<command_spec> all = build();
    return all;
}

const command_spec* find_command(std::string_view name) noexcept
{
    for (const auto& c : nudgebot_commands())
        if (c.name == name) return &c;
    return nullptr;
}

const subcommand* find_subcommand(const command_spec& command,
                                  const std::vector<std::string>& path) noexcept
{
    if (path.size() == 1) {
        for (const auto& s : command.subcommands)
            if (s.name == path[0]) return &s;
    } else if (path.size() == 2) {
        for (const auto& g : command.groups)
            if (g.name == path[0])
                for (const auto& s : g.subcommands)
                    if (s.name == path[1]) return &s;
    }
    return nullptr;
}

}  // namespace nudgebot::core
