#include "sandbox/page_api.hpp"

#include "platforms/discord/protocol.hpp"
#include "sandbox/discord_shapes.hpp"
#include "sandbox/slash.hpp"

#include <algorithm>
#include <charconv>

namespace nudgebot::sandbox {

namespace {

namespace dp = discord::protocol;
using json = nlohmann::json;

net::server_response page_error(int status, std::string message)
{
    return net::server_response::json(status, json{{"error", std::move(message)}}.dump());
}

net::server_response ok(json extra = json::object())
{
    extra["ok"] = true;
    return net::server_response::json(200, extra.dump());
}

std::string text_field(const json& body, const char* key)
{
    return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
}

bool blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

page_api::page_api(world& w, gateway_emulator& gateway) : world_(w), gateway_(gateway) {}

json page_api::state_for(const person& me, std::uint64_t since) const
{
    if (since == world_.version) return json{{"me", me.name}, {"version", world_.version}, {"unchanged", true}};
    json people_out = json::array();
    for (const auto& p : world_.people)
        people_out.push_back(
            {{"id", p.id}, {"name", p.name}, {"display", p.display}, {"moderator", p.moderator}, {"color", p.color}});
    json channels_out = json::array();
    json messages_out = json::object();
    for (const auto& c : world_.channels) {
        channels_out.push_back({{"id", c.id}, {"name", c.name}, {"topic", c.topic}});
        json list = json::array();
        if (auto it = world_.messages.find(c.id); it != world_.messages.end())
            for (const auto& m : it->second) {
                const person* author = world_.person_by_id(m.author_id);
                json out{{"id", m.id},
                         {"author", author ? author->name : std::string("nudgebot")},
                         {"bot", m.author_id == bot_user_id},
                         {"text", m.content},
                         {"at", m.timestamp},
                         {"edited", m.edited.has_value()},
                         {"buttons", shapes::buttons(m.components)},
                         {"explain", m.explanation}};
                if (m.reply_to) {
                    const message* ref = world_.find_message(*m.reply_to);
                    const person* ra = ref ? world_.person_by_id(ref->author_id) : nullptr;
                    out["reply_to"] = {{"id", *m.reply_to},
                                       {"author", ra ? ra->name : std::string(ref ? "nudgebot" : "")},
                                       {"excerpt", ref ? ref->content.substr(0, 80) : std::string()}};
                }
                if (!m.interaction_user.empty()) {
                    const person* u = world_.person_by_id(m.interaction_user);
                    out["command"] = {{"by", u ? u->name : std::string()}, {"name", m.interaction_name}};
                }
                list.push_back(std::move(out));
            }
        messages_out[c.id] = std::move(list);
    }
    json mine = json::array();
    if (auto it = world_.private_items.find(me.id); it != world_.private_items.end())
        for (const auto& item : it->second) {
            const channel* c = world_.channel_by_id(item.channel_id);
            mine.push_back({{"id", item.id},
                            {"kind", item.kind},
                            {"channel", c ? c->name : std::string()},
                            {"text", item.content},
                            {"at", item.timestamp},
                            {"pending", item.pending},
                            {"about", item.about},
                            {"buttons", shapes::buttons(item.components)}});
        }
    return json{{"version", world_.version},
                {"me", me.name},
                {"people", std::move(people_out)},
                {"channels", std::move(channels_out)},
                {"messages", std::move(messages_out)},
                {"private", std::move(mine)},
                {"bot", {{"connected", gateway_.identified_connections() > 0},
                         {"commands", world_.registered_commands.size()}}},
                {"limits", {{"message_chars", world_.options.max_message_chars}}}};
}

// A person posts in a channel: stored, explained for the panel, sent to the bot.
std::optional<std::string> page_api::post(const person& p, const channel& c, const std::string& text,
                                          std::optional<std::string> reply_to, std::string& id_out)
{
    if (reply_to && !world_.find_message(*reply_to)) return "the message you reply to is gone";
    message m;
    m.id = world_.new_id();
    m.channel_id = c.id;
    m.author_id = p.id;
    m.content = text;
    m.timestamp = iso_now();
    m.reply_to = std::move(reply_to);
    m.explanation = world_.explain(text);
    id_out = m.id;
    auto payload = shapes::message(world_, m, true);
    world_.add_public(std::move(m));
    gateway_.broadcast("MESSAGE_CREATE", payload, dp::intent::guild_messages, true, true);
    return std::nullopt;
}

std::string page_api::start_interaction(const person& p, const std::string& channel_id, bool in_guild, json data,
                                        int type, std::string about, json source)
{
    interaction in;
    in.id = world_.new_id();
    in.token = world_.new_token();
    in.user_id = p.id;
    in.channel_id = channel_id;
    in.in_guild = in_guild;
    in.created = std::chrono::steady_clock::now();
    in.about = std::move(about);
    json d{{"id", in.id},
           {"application_id", application_id},
           {"type", type},
           {"data", std::move(data)},
           {"channel_id", channel_id},
           {"token", in.token},
           {"version", 1},
           {"locale", "en-US"},
           {"app_permissions", std::to_string(shapes::moderator_permissions())},
           {"entitlements", json::array()},
           {"authorizing_integration_owners", {{"0", guild_id}}},
           {"context", in_guild ? dp::context_type::guild : dp::context_type::bot_dm}};
    if (in_guild) {
        d["guild_id"] = guild_id;
        d["guild_locale"] = "en-US";
        d["member"] = shapes::member(world_, p, true, true);
        if (const channel* ch = world_.channel_by_id(channel_id)) d["channel"] = shapes::guild_channel(*ch, 0);
    } else {
        d["user"] = shapes::user(world_, p.id);
        d["channel"] = shapes::dm_channel(world_, p);
    }
    if (!source.is_null()) d["message"] = std::move(source);
    auto id = in.id;
    world_.remember(std::move(in));
    gateway_.broadcast("INTERACTION_CREATE", d, 0, in_guild);
    return id;
}

net::server_response page_api::send(const person& me, const json& body)
{
    const channel* c = world_.channel_by_name(text_field(body, "channel"));
    if (!c) c = world_.channel_by_id(text_field(body, "channel"));
    if (!c) return page_error(400, "unknown channel");
    auto text = text_field(body, "text");
    if (blank(text)) return page_error(400, "the message is empty");
    if (utf8_chars(text) > world_.options.max_message_chars)
        return page_error(400, "the message is longer than " + std::to_string(world_.options.max_message_chars) +
                                   " characters (Discord's limit)");
    if (text.front() == '/') {
        auto parsed = parse_slash(text, [&](std::string_view name) -> std::optional<std::string> {
            if (const channel* ch = world_.channel_by_name(name)) return ch->id;
            return std::nullopt;
        });
        if (!parsed.ok) return page_error(400, parsed.error);
        auto cmd_id = world_.registered_id(parsed.name);
        if (!cmd_id) return page_error(409, "nudgebot has not registered /" + parsed.name + " yet (is it connected?)");
        json data{{"id", *cmd_id},
                  {"name", parsed.name},
                  {"type", dp::command_type::chat_input},
                  {"options", parsed.options},
                  {"guild_id", guild_id}};
        // What the person typed, without the option values (they may be a private draft).
        std::string about = "/" + parsed.name;
        for (const json* level = &parsed.options; level->is_array() && !level->empty();) {
            const auto& o = (*level)[0];
            if (o.value("type", 0) > dp::option_type::sub_command_group) break;
            about += " " + o.value("name", "");
            level = &o["options"];
        }
        auto id = start_interaction(me, c->id, true, std::move(data), dp::interaction_type::application_command, about);
        return ok({{"interaction", id}});
    }
    std::optional<std::string> reply_to;
    if (auto rt = text_field(body, "reply_to"); !rt.empty()) reply_to = rt;
    std::string id;
    if (auto error = post(me, *c, text, reply_to, id)) return page_error(400, *error);
    return ok({{"id", id}});
}

net::server_response page_api::press(const person& me, const json& body)
{
    auto item_id = text_field(body, "item");
    auto custom_id = text_field(body, "custom_id");
    if (custom_id.empty() || custom_id.size() > 100) return page_error(400, "custom_id is 1 to 100 characters");
    json source;
    std::string channel_id;
    bool in_guild = true;
    bool source_private = false;
    if (auto* item = world_.find_private(me.id, item_id)) {
        source = shapes::private_message(*item);
        channel_id = item->channel_id;
        in_guild = item->kind != "dm";
        source_private = true;
    } else if (auto* m = world_.find_message(item_id)) {
        source = shapes::message(world_, *m, false);
        channel_id = m->channel_id;
    } else {
        return page_error(404, "that message is gone (only its recipient can press its buttons)");
    }
    const auto buttons = shapes::buttons(source["components"]);
    const bool found = std::any_of(buttons.begin(), buttons.end(), [&](const json& b) {
        return b["custom_id"] == custom_id && !b["disabled"].get<bool>();
    });
    if (!found) return page_error(400, "that message has no such button");
    json data{{"custom_id", custom_id}, {"component_type", dp::component_type::button}};
    auto id = start_interaction(me, channel_id, in_guild, std::move(data), dp::interaction_type::message_component,
                                "button", source);
    auto& in = world_.interactions[world_.interaction_token_by_id[id]];
    in.source_message = item_id;
    in.source_private = source_private;
    return ok({{"interaction", id}});
}

net::server_response page_api::handle(const net::server_request& r)
{
    const auto path = r.path();
    if (path == "/sandbox/api/state" && r.method == "GET") {
        const person* me = world_.person_by_name(r.query("as"));
        if (!me) return page_error(400, "unknown person: choose alice, bob, carol, dave or erin");
        std::uint64_t since = 0;
        const auto s = r.query("since");
        std::from_chars(s.data(), s.data() + s.size(), since);   // not a number: 0, the whole state
        auto res = net::server_response::json(200, state_for(*me, since).dump());
        res.headers.push_back({"Cache-Control", "no-store"});
        if (auto slow = slow_state_.find(me->name); slow != slow_state_.end()) res.delay = slow->second;
        return res;
    }
    if (r.method != "POST") return page_error(405, "use POST");
    // A JSON content type forces a CORS preflight, which this server never grants: other web
    // sites open in the same browser cannot post as the visitor.
    if (r.header("content-type").find("application/json") != 0)
        return page_error(415, "send the body as application/json");
    auto body = json::parse(r.body, nullptr, false);
    if (!body.is_object()) {
        ++world_.bad_requests;
        return page_error(400, "the body is not a JSON object");
    }
    const person* me = world_.person_by_name(text_field(body, "as"));
    if (!me) return page_error(400, "unknown person: choose alice, bob, carol, dave or erin");

    if (path == "/sandbox/api/test/slow-state" && world_.options.test_hooks) {
        auto ms = body.contains("ms") && body["ms"].is_number_unsigned() ? body["ms"].get<std::uint64_t>() : 0;
        if (ms == 0) slow_state_.erase(me->name);
        else slow_state_[me->name] = std::chrono::milliseconds(std::min<std::uint64_t>(ms, 5000));
        return ok();
    }
    if (path == "/sandbox/api/send") return send(*me, body);
    if (path == "/sandbox/api/edit") {
        auto* m = world_.find_message(text_field(body, "id"));
        if (!m) return page_error(404, "no such message");
        if (m->author_id != me->id) return page_error(403, "only the author can edit a message");
        auto text = text_field(body, "text");
        if (blank(text)) return page_error(400, "the message is empty");
        if (utf8_chars(text) > world_.options.max_message_chars)
            return page_error(400, "the message is longer than " + std::to_string(world_.options.max_message_chars) +
                                       " characters (Discord's limit)");
        m->content = text;
        m->edited = iso_now();
        m->explanation = world_.explain(text);
        world_.changed();
        gateway_.broadcast("MESSAGE_UPDATE", shapes::message(world_, *m, true), dp::intent::guild_messages, true, true);
        return ok();
    }
    if (path == "/sandbox/api/delete") {
        std::string cid;
        auto* m = world_.find_message(text_field(body, "id"), &cid);
        if (!m) return page_error(404, "no such message");
        if (m->author_id != me->id && !me->moderator)
            return page_error(403, "only the author or a moderator can delete a message");
        json d{{"id", m->id}, {"channel_id", cid}, {"guild_id", guild_id}};
        std::erase_if(world_.messages[cid], [&](const message& x) { return x.id == d["id"]; });
        world_.changed();
        gateway_.broadcast("MESSAGE_DELETE", d, dp::intent::guild_messages, true);
        return ok();
    }
    if (path == "/sandbox/api/suggest") {
        std::string cid;
        auto* m = world_.find_message(text_field(body, "id"), &cid);
        if (!m) return page_error(404, "no such message");
        std::optional<std::string> cmd_id;
        std::string menu_name;
        for (const auto& c : world_.registered_commands)
            if (c.value("type", dp::command_type::chat_input) == dp::command_type::message) {
                cmd_id = c.value("id", "");
                menu_name = c.value("name", "");
            }
        if (!cmd_id) return page_error(409, "nudgebot has not registered its message command yet (is it connected?)");
        json data{{"id", *cmd_id},
                  {"name", menu_name},
                  {"type", dp::command_type::message},
                  {"target_id", m->id},
                  {"guild_id", guild_id},
                  {"resolved", {{"messages", {{m->id, shapes::message(world_, *m, false)}}}}}};
        auto id = start_interaction(*me, cid, true, std::move(data), dp::interaction_type::application_command, menu_name);
        return ok({{"interaction", id}});
    }
    if (path == "/sandbox/api/press") return press(*me, body);
    if (path == "/sandbox/api/dismiss") {
        auto item_id = text_field(body, "item");
        auto& list = world_.private_items[me->id];
        const auto before = list.size();
        std::erase_if(list, [&](const private_item& i) { return i.id == item_id && i.kind == "ephemeral"; });
        if (list.size() == before) return page_error(404, "nothing to dismiss");
        world_.changed();
        return ok();
    }
    return page_error(404, "unknown sandbox API");
}

}  // namespace nudgebot::sandbox
