#include "sandbox/discord_shapes.hpp"

#include "platforms/discord/protocol.hpp"

namespace nudgebot::sandbox::shapes {

namespace dp = discord::protocol;
using json = nlohmann::json;

std::uint64_t member_permissions()
{
    return dp::permission::view_channel | dp::permission::send_messages | dp::permission::read_message_history |
           dp::permission::use_application_commands;
}

std::uint64_t moderator_permissions()
{
    return member_permissions() | dp::permission::manage_guild | dp::permission::manage_messages;
}

json bot_user()
{
    return json{{"id", bot_user_id},    {"username", "nudgebot"}, {"global_name", nullptr},
                {"discriminator", "0"}, {"avatar", nullptr},      {"bot", true},
                {"public_flags", 0}};
}

json user(const world& w, const std::string& id)
{
    if (id == bot_user_id) return bot_user();
    const person* p = w.person_by_id(id);
    if (!p) return json{{"id", id}, {"username", "unknown"}, {"discriminator", "0"}, {"avatar", nullptr}};
    return json{{"id", p->id},          {"username", p->name}, {"global_name", p->display},
                {"discriminator", "0"}, {"avatar", nullptr},   {"public_flags", 0}};
}

json member(const world& w, const person& p, bool with_user, bool with_permissions)
{
    json m{{"nick", nullptr},  {"roles", json::array()}, {"joined_at", "2026-01-01T00:00:00.000000+00:00"},
           {"deaf", false},    {"mute", false},          {"flags", 0},
           {"pending", false}, {"avatar", nullptr}};
    if (with_user) m["user"] = user(w, p.id);
    if (with_permissions) m["permissions"] = std::to_string(p.moderator ? moderator_permissions() : member_permissions());
    return m;
}

json guild_channel(const channel& c, int position)
{
    return json{{"id", c.id},         {"type", dp::channel_type::guild_text}, {"guild_id", guild_id},
                {"name", c.name},     {"topic", c.topic},                     {"position", position},
                {"permission_overwrites", json::array()},                     {"nsfw", false},
                {"parent_id", nullptr}, {"last_message_id", nullptr},         {"rate_limit_per_user", 0}};
}

json dm_channel(const world& w, const person& p)
{
    return json{{"id", p.dm_channel}, {"type", dp::channel_type::dm}, {"last_message_id", nullptr}, {"flags", 0},
                {"recipients", json::array({user(w, p.id)})}};
}

json guild(const world& w)
{
    json chans = json::array();
    int pos = 0;
    for (const auto& c : w.channels) chans.push_back(guild_channel(c, pos++));
    json members = json::array();
    for (const auto& p : w.people) members.push_back(member(w, p, true, false));
    json bot_member{{"user", bot_user()}, {"roles", json::array()}, {"joined_at", iso_now()},
                    {"deaf", false},      {"mute", false},          {"flags", 0},
                    {"pending", false},   {"nick", nullptr}};
    members.push_back(bot_member);
    return json{{"id", guild_id},
                {"name", "nudgebot sandbox"},
                {"icon", nullptr},
                {"owner_id", w.people.back().id},
                {"roles", json::array({{{"id", guild_id}, {"name", "@everyone"},
                                        {"permissions", std::to_string(member_permissions())},
                                        {"position", 0}, {"color", 0}, {"hoist", false},
                                        {"managed", false}, {"mentionable", false}}})},
                {"emojis", json::array()},
                {"features", json::array()},
                {"stickers", json::array()},
                {"channels", std::move(chans)},
                {"threads", json::array()},
                {"members", std::move(members)},
                {"member_count", w.people.size() + 1},
                {"presences", json::array()},
                {"voice_states", json::array()},
                {"stage_instances", json::array()},
                {"guild_scheduled_events", json::array()},
                {"joined_at", "2026-01-01T00:00:00.000000+00:00"},
                {"large", false},
                {"unavailable", false},
                {"preferred_locale", "en-US"},
                {"system_channel_id", w.channels.front().id}};
}

namespace {

json mentions_of(const world& w, const std::string& text)
{
    json out = json::array();
    for (const auto& p : w.people)
        if (text.find("@" + p.name) != std::string::npos) out.push_back(user(w, p.id));
    return out;
}

}  // namespace

json message(const world& w, const sandbox::message& m, bool gateway, bool with_reference)
{
    const int type = m.reply_to                      ? dp::message_type::reply
                     : m.interaction_user.empty()    ? dp::message_type::normal
                                                     : dp::message_type::chat_input_command;
    json j{{"id", m.id},
           {"channel_id", m.channel_id},
           {"author", user(w, m.author_id)},
           {"content", m.content},
           {"timestamp", m.timestamp},
           {"edited_timestamp", m.edited ? json(*m.edited) : json(nullptr)},
           {"tts", false},
           {"mention_everyone", false},
           {"mentions", mentions_of(w, m.content)},
           {"mention_roles", json::array()},
           {"attachments", json::array()},
           {"embeds", json::array()},
           {"pinned", false},
           {"type", type},
           {"flags", m.flags},
           {"components", m.components}};
    if (m.author_id == bot_user_id) j["application_id"] = application_id;
    if (gateway) {
        j["guild_id"] = guild_id;
        if (const person* p = w.person_by_id(m.author_id)) j["member"] = member(w, *p, false, false);
    }
    if (m.reply_to && with_reference) {
        j["message_reference"] = {{"type", dp::message_reference_type::reply},
                                  {"message_id", *m.reply_to},
                                  {"channel_id", m.channel_id},
                                  {"guild_id", guild_id}};
        const sandbox::message* ref = w.find_message(*m.reply_to);
        j["referenced_message"] = ref ? message(w, *ref, false, false) : json(nullptr);
    }
    if (!m.interaction_user.empty())
        j["interaction_metadata"] = {{"id", "0"},
                                     {"type", dp::interaction_type::application_command},
                                     {"user", user(w, m.interaction_user)},
                                     {"name", m.interaction_name}};
    return j;
}

json private_message(const private_item& item)
{
    const bool dm = item.kind == "dm";
    return json{{"id", item.id},
                {"channel_id", item.channel_id},
                {"author", bot_user()},
                {"content", item.content},
                {"timestamp", item.timestamp},
                {"edited_timestamp", nullptr},
                {"tts", false},
                {"mention_everyone", false},
                {"mentions", json::array()},
                {"mention_roles", json::array()},
                {"attachments", json::array()},
                {"embeds", json::array()},
                {"pinned", false},
                {"type", dm ? dp::message_type::normal : dp::message_type::chat_input_command},
                {"flags", dm ? 0 : dp::message_flag::ephemeral},
                {"components", item.components},
                {"application_id", application_id}};
}

json buttons(const json& components)
{
    json out = json::array();
    if (!components.is_array()) return out;
    for (const auto& row : components) {
        if (!row.is_object() || !row.contains("components") || !row["components"].is_array()) continue;
        for (const auto& b : row["components"]) {
            // The bot's JSON: a field of the wrong type reads as absent instead of throwing.
            auto text = [&](const char* key) {
                auto it = b.find(key);
                return it != b.end() && it->is_string() ? it->get<std::string>() : std::string();
            };
            auto integer = [&](const char* key, int fallback) {
                auto it = b.find(key);
                return it != b.end() && it->is_number_integer() ? it->get<int>() : fallback;
            };
            if (!b.is_object() || integer("type", 0) != dp::component_type::button) continue;
            auto disabled = b.find("disabled");
            out.push_back({{"custom_id", text("custom_id")},
                           {"label", text("label")},
                           {"style", integer("style", dp::button_style::secondary)},
                           {"disabled", disabled != b.end() && disabled->is_boolean() && disabled->get<bool>()}});
        }
    }
    return out;
}

net::server_response error(int status, std::string_view message, int code)
{
    return net::server_response::json(status, json{{"message", message}, {"code", code}}.dump());
}

}  // namespace nudgebot::sandbox::shapes
