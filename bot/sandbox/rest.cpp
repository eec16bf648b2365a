#include "sandbox/rest.hpp"

#include "platforms/discord/protocol.hpp"
#include "sandbox/discord_shapes.hpp"

#include <algorithm>
#include <vector>

namespace nudgebot::sandbox {

namespace {

namespace dp = discord::protocol;
using json = nlohmann::json;
using shapes::error;

// Discord's JSON error codes the sandbox answers with.
constexpr int unknown_channel = 10003;
constexpr int unknown_message = 10008;
constexpr int unknown_webhook = 10015;
constexpr int unknown_interaction = 10062;
constexpr int missing_access = 50001;
constexpr int empty_message = 50006;
constexpr int invalid_form_body = 50035;
constexpr int invalid_json = 50109;

// "/channels/123/messages" → {"channels", "123", "messages"}; empty segments are kept, so that
// "//" never matches a route.
std::vector<std::string_view> segments(std::string_view path)
{
    std::vector<std::string_view> out;
    if (path.empty() || path.front() != '/') return out;
    path.remove_prefix(1);
    for (;;) {
        auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

bool is_snowflake(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Matches `path` against a pattern such as {"channels", "#", "messages"}: "#" is a snowflake, "*"
// any non-empty segment, anything else literal. Fills `captures` with the "#" and "*" segments.
bool route(const std::vector<std::string_view>& path, std::initializer_list<std::string_view> pattern,
           std::vector<std::string>& captures)
{
    if (path.size() != pattern.size()) return false;
    captures.clear();
    auto p = pattern.begin();
    for (auto seg : path) {
        const auto want = *p++;
        if (want == "#") {
            if (!is_snowflake(seg)) return false;
            captures.emplace_back(seg);
        } else if (want == "*") {
            if (seg.empty()) return false;
            captures.emplace_back(seg);
        } else if (seg != want) {
            return false;
        }
    }
    return true;
}

std::string content_of(const json& body)
{
    return body.contains("content") && body["content"].is_string() ? body["content"].get<std::string>() : std::string();
}

json components_of(const json& body)
{
    return body.contains("components") && body["components"].is_array() ? body["components"] : json::array();
}

int flags_of(const json& body)
{
    return body.contains("flags") && body["flags"].is_number_integer() ? body["flags"].get<int>() : 0;
}

}  // namespace

discord_rest::discord_rest(world& w, gateway_emulator& gateway, std::function<std::string()> gateway_url)
    : world_(w), gateway_(gateway), gateway_url_(std::move(gateway_url))
{
}

std::optional<net::server_response> discord_rest::check_message_body(const json& body) const
{
    if (!body.is_object()) return error(400, "Invalid Form Body", invalid_form_body);
    const auto content = content_of(body);
    const bool has_components = body.contains("components") && body["components"].is_array() && !body["components"].empty();
    if (content.empty() && !has_components) return error(400, "Cannot send an empty message", empty_message);
    if (utf8_chars(content) > world_.options.max_message_chars)
        return error(400, "Invalid Form Body (content: Must be 2000 or fewer in length.)", invalid_form_body);
    if (body.contains("components") && !body["components"].is_array())
        return error(400, "Invalid Form Body (components)", invalid_form_body);
    return std::nullopt;
}

net::server_response discord_rest::bot_message(const std::string& channel_id, const json& body)
{
    if (auto bad = check_message_body(body)) return *bad;
    if (const person* p = world_.person_by_dm(channel_id)) {
        private_item item;
        item.id = world_.new_id();
        item.kind = "dm";
        item.channel_id = channel_id;
        item.content = content_of(body);
        item.components = components_of(body);
        item.timestamp = iso_now();
        auto out = shapes::private_message(item);
        world_.add_private(p->id, std::move(item));
        return net::server_response::json(200, out.dump());
    }
    const channel* c = world_.channel_by_id(channel_id);
    if (!c) return error(404, "Unknown Channel", unknown_channel);
    message m;
    m.id = world_.new_id();
    m.channel_id = c->id;
    m.author_id = std::string(bot_user_id);
    m.content = content_of(body);
    m.components = components_of(body);
    m.timestamp = iso_now();
    auto out = shapes::message(world_, m, false);
    auto dispatched = shapes::message(world_, m, true);
    world_.add_public(std::move(m));
    gateway_.broadcast("MESSAGE_CREATE", dispatched, dp::intent::guild_messages, true, true);
    return net::server_response::json(200, out.dump());
}

// An interaction answer becomes a private item (ephemeral or under a DM) or a public message.
std::string discord_rest::answer_item(interaction& in, const json& data, bool pending)
{
    const person* p = world_.person_by_id(in.user_id);
    const bool ephemeral = (flags_of(data) & dp::message_flag::ephemeral) != 0;
    if (ephemeral || !in.in_guild) {
        private_item item;
        item.id = world_.new_id();
        item.kind = in.in_guild ? "ephemeral" : "dm";
        item.channel_id = in.channel_id;
        item.content = pending ? std::string() : content_of(data);
        item.components = pending ? json::array() : components_of(data);
        item.timestamp = iso_now();
        item.pending = pending;
        item.about = in.about;
        in.response_private = true;
        in.response_id = item.id;
        if (p) world_.add_private(p->id, std::move(item));
        return in.response_id;
    }
    message m;
    m.id = world_.new_id();
    m.channel_id = in.channel_id;
    m.author_id = std::string(bot_user_id);
    m.content = pending ? std::string("nudgebot is thinking…") : content_of(data);
    m.components = pending ? json::array() : components_of(data);
    m.timestamp = iso_now();
    m.interaction_user = in.user_id;
    m.interaction_name = in.about;
    in.response_private = false;
    in.response_id = m.id;
    auto dispatched = shapes::message(world_, m, true);
    world_.add_public(std::move(m));
    gateway_.broadcast("MESSAGE_CREATE", dispatched, dp::intent::guild_messages, true, true);
    return in.response_id;
}

net::server_response discord_rest::interaction_callback(const std::string& id, const std::string& token,
                                                        const json& body)
{
    auto it = world_.interactions.find(token);
    if (it == world_.interactions.end() || it->second.id != id) return error(404, "Unknown interaction", unknown_interaction);
    auto& in = it->second;
    if (in.answered)
        return error(400, "Interaction has already been acknowledged.", dp::error_code::interaction_already_acknowledged);
    if (std::chrono::steady_clock::now() - in.created > world_.options.interaction_deadline)
        return error(404, "Unknown interaction", unknown_interaction);
    if (!body.is_object() || !body.contains("type") || !body["type"].is_number_integer())
        return error(400, "Invalid Form Body (type)", invalid_form_body);
    const int type = body["type"].get<int>();
    json data = body.contains("data") && body["data"].is_object() ? body["data"] : json::object();
    switch (type) {
    case dp::callback_type::channel_message:
        if (auto bad = check_message_body(data)) return *bad;
        in.answered = type;
        answer_item(in, data, false);
        break;
    case dp::callback_type::deferred_channel_message:
        in.answered = type;
        answer_item(in, data, true);
        break;
    case dp::callback_type::deferred_update_message:
    case dp::callback_type::update_message:
        if (in.source_message.empty()) return error(400, "Interaction callback type not allowed", invalid_form_body);
        in.answered = type;
        if (type == dp::callback_type::update_message) update_source(in, data);
        break;
    default:
        return error(400, "The sandbox supports callback types 4, 5, 6 and 7", invalid_form_body);
    }
    world_.changed();
    return net::server_response{204, "", {}, "", {}};
}

void discord_rest::update_source(interaction& in, const json& data)
{
    if (in.source_private) {
        if (auto* item = world_.find_private(in.user_id, in.source_message)) {
            if (data.contains("content")) item->content = content_of(data);
            if (data.contains("components")) item->components = components_of(data);
        }
    } else if (auto* m = world_.find_message(in.source_message)) {
        if (data.contains("content")) m->content = content_of(data);
        if (data.contains("components")) m->components = components_of(data);
        m->edited = iso_now();
    }
    world_.changed();
}

net::server_response discord_rest::edit_original(const std::string& token, const json& body)
{
    auto it = world_.interactions.find(token);
    if (it == world_.interactions.end()) return error(404, "Unknown Webhook", unknown_webhook);
    auto& in = it->second;
    if (!body.is_object()) return error(400, "Invalid Form Body", invalid_form_body);
    if (body.contains("content") && utf8_chars(content_of(body)) > world_.options.max_message_chars)
        return error(400, "Invalid Form Body (content: Must be 2000 or fewer in length.)", invalid_form_body);
    if (in.answered == dp::callback_type::deferred_update_message || in.answered == dp::callback_type::update_message) {
        update_source(in, body);
        return net::server_response::json(200, json{{"id", in.source_message}}.dump());
    }
    if (in.answered != dp::callback_type::channel_message && in.answered != dp::callback_type::deferred_channel_message)
        return error(404, "Unknown Message", unknown_message);
    if (in.response_private) {
        const person* p = world_.person_by_id(in.user_id);
        auto* item = p ? world_.find_private(p->id, in.response_id) : nullptr;
        if (!item) return error(404, "Unknown Message", unknown_message);
        if (body.contains("content")) item->content = content_of(body);
        if (body.contains("components")) item->components = components_of(body);
        item->pending = false;
        world_.changed();
        return net::server_response::json(200, shapes::private_message(*item).dump());
    }
    auto* m = world_.find_message(in.response_id);
    if (!m) return error(404, "Unknown Message", unknown_message);
    if (body.contains("content")) m->content = content_of(body);
    if (body.contains("components")) m->components = components_of(body);
    m->edited = iso_now();
    world_.changed();
    gateway_.broadcast("MESSAGE_UPDATE", shapes::message(world_, *m, true), dp::intent::guild_messages, true, true);
    return net::server_response::json(200, shapes::message(world_, *m, false).dump());
}

net::server_response discord_rest::follow_up(const std::string& token, const json& body)
{
    auto it = world_.interactions.find(token);
    if (it == world_.interactions.end()) return error(404, "Unknown Webhook", unknown_webhook);
    if (auto bad = check_message_body(body)) return *bad;
    auto in = it->second;   // a follow-up does not replace the original answer
    auto id = answer_item(in, body, false);
    return net::server_response::json(200, json{{"id", id}, {"channel_id", in.channel_id}}.dump());
}

net::server_response discord_rest::delete_original(const std::string& token)
{
    auto it = world_.interactions.find(token);
    if (it == world_.interactions.end()) return error(404, "Unknown Webhook", unknown_webhook);
    auto& in = it->second;
    if (in.response_private) {
        std::erase_if(world_.private_items[in.user_id], [&](const private_item& i) { return i.id == in.response_id; });
    } else {
        std::erase_if(world_.messages[in.channel_id], [&](const message& m) { return m.id == in.response_id; });
    }
    world_.changed();
    return net::server_response{204, "", {}, "", {}};
}

net::server_response discord_rest::put_commands(const json& body, bool guild_scope)
{
    if (!body.is_array()) return error(400, "Invalid Form Body", invalid_form_body);
    if (body.size() > 110) return error(400, "Invalid Form Body (too many commands)", invalid_form_body);
    json out = json::array();
    for (const auto& c : body) {
        if (!c.is_object() || !c.contains("name") || !c["name"].is_string())
            return error(400, "Invalid Form Body (name)", invalid_form_body);
        if (c.contains("type") && !c["type"].is_number_integer())
            return error(400, "Invalid Form Body (type)", invalid_form_body);
        json r = c;
        r["id"] = world_.new_id();
        r["application_id"] = application_id;
        r["version"] = world_.new_id();
        if (!r.contains("type")) r["type"] = dp::command_type::chat_input;
        if (guild_scope) r["guild_id"] = guild_id;
        if (!r.contains("default_member_permissions")) r["default_member_permissions"] = nullptr;
        if (!r.contains("description")) r["description"] = "";
        out.push_back(std::move(r));
    }
    world_.registered_commands = out;
    world_.changed();
    return net::server_response::json(200, out.dump());
}

net::server_response discord_rest::handle(const net::server_request& r)
{
    const auto path = segments(r.path().substr(std::string_view("/api/v10").size()));
    std::vector<std::string> m;
    json body = r.body.empty() ? json() : json::parse(r.body, nullptr, false);
    if (!r.body.empty() && body.is_discarded()) {
        ++world_.bad_requests;
        return error(400, "The request body contains invalid JSON.", invalid_json);
    }
    const auto method = std::string_view(r.method);
    // Interaction endpoints authenticate with the interaction token, like Discord's.
    if (method == "POST" && route(path, {"interactions", "#", "*", "callback"}, m))
        return interaction_callback(m[0], m[1], body);
    if (route(path, {"webhooks", "#", "*", "messages", "@original"}, m)) {
        if (m[0] != application_id) return error(404, "Unknown Webhook", unknown_webhook);
        if (method == "PATCH") return edit_original(m[1], body);
        if (method == "DELETE") return delete_original(m[1]);
        if (method == "GET") {
            auto it = world_.interactions.find(m[1]);
            if (it == world_.interactions.end()) return error(404, "Unknown Webhook", unknown_webhook);
            return net::server_response::json(200, json{{"id", it->second.response_id}}.dump());
        }
        return error(405, "405: Method Not Allowed", 0);
    }
    if (method == "POST" && route(path, {"webhooks", "#", "*"}, m)) {
        if (m[0] != application_id) return error(404, "Unknown Webhook", unknown_webhook);
        return follow_up(m[1], body);
    }
    if (r.header("authorization") != "Bot " + world_.options.bot_token) return error(401, "401: Unauthorized", 0);
    if (method == "GET" && route(path, {"gateway", "bot"}, m))
        return net::server_response::json(
            200, json{{"url", gateway_url_()},
                      {"shards", 1},
                      {"session_start_limit",
                       {{"total", 1000}, {"remaining", 999}, {"reset_after", 86400000}, {"max_concurrency", 1}}}}
                     .dump());
    if (method == "GET" && route(path, {"gateway"}, m))
        return net::server_response::json(200, json{{"url", gateway_url_()}}.dump());
    if (method == "GET" && route(path, {"users", "@me"}, m))
        return net::server_response::json(200, shapes::bot_user().dump());
    if (method == "GET" && route(path, {"oauth2", "applications", "@me"}, m))
        return net::server_response::json(
            200, json{{"id", application_id}, {"name", "nudgebot"}, {"bot", shapes::bot_user()}, {"flags", 0}}.dump());
    if (method == "POST" && route(path, {"users", "@me", "channels"}, m)) {
        const std::string to = body.is_object() && body.contains("recipient_id") && body["recipient_id"].is_string()
                                   ? body["recipient_id"].get<std::string>()
                                   : std::string();
        const person* p = world_.person_by_id(to);
        if (!p) return error(400, "Invalid Form Body (recipient_id)", invalid_form_body);
        return net::server_response::json(200, shapes::dm_channel(world_, *p).dump());
    }
    if (method == "POST" && route(path, {"channels", "#", "messages"}, m)) return bot_message(m[0], body);
    const bool global = route(path, {"applications", "#", "commands"}, m);
    if (global || route(path, {"applications", "#", "guilds", "#", "commands"}, m)) {
        if (m[0] != application_id) return error(403, "Missing Access", missing_access);
        if (!global && m[1] != guild_id) return error(403, "Missing Access", missing_access);
        if (method == "PUT") return put_commands(body, !global);
        if (method == "GET") return net::server_response::json(200, world_.registered_commands.dump());
        return error(405, "405: Method Not Allowed", 0);
    }
    return error(404, "404: Not Found", 0);
}

}  // namespace nudgebot::sandbox
