// The sandbox server (see server.hpp): the world (people, channels, messages, private views), the
// Discord gateway and REST subset, and the page's API. Everything on the server's one thread.
#include "sandbox/server.hpp"

#include "net/http_server.hpp"
#include "net/zlib_stream_deflater.hpp"
#include "platforms/discord/protocol.hpp"
#include "sandbox/assets.hpp"
#include "sandbox/slash.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <vector>

namespace nudgebot::sandbox {

namespace {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

namespace dp = discord::protocol;
constexpr std::uint64_t intent_guilds = dp::intent::guilds;
constexpr std::uint64_t intent_guild_messages = dp::intent::guild_messages;
constexpr std::uint64_t intent_message_content = dp::intent::message_content;
constexpr int flag_ephemeral = dp::message_flag::ephemeral;
constexpr std::uint64_t member_permissions = dp::permission::view_channel | dp::permission::send_messages |
                                             dp::permission::read_message_history |
                                             dp::permission::use_application_commands;
constexpr std::uint64_t moderator_permissions =
    member_permissions | dp::permission::manage_guild | dp::permission::manage_messages;

std::string iso_now()
{
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us));
    return buf;
}

std::size_t utf8_chars(std::string_view s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

struct person {
    std::string id;
    std::string name;        // username
    std::string display;     // global_name
    bool moderator = false;
    std::string dm_channel;  // the bot's DM channel with this person
    std::string color;
};

struct channel {
    std::string id;
    std::string name;
    std::string topic;
};

struct message {
    std::string id;
    std::string channel_id;
    std::string author_id;           // a person's id or the bot's
    std::string content;             // RAM only
    std::string timestamp;
    std::optional<std::string> edited;
    std::optional<std::string> reply_to;
    json components = json::array();
    int flags = 0;
    json explanation;                // the sandbox's panel view (human messages only)
    std::string interaction_user;    // set for public answers to a command
    std::string interaction_name;
};

// Something only one person sees: a DM from the bot or an ephemeral interaction answer.
struct private_item {
    std::string id;                  // message id
    std::string kind;                // "dm" | "ephemeral"
    std::string channel_id;          // DM channel or the guild channel the command ran in
    std::string content;
    json components = json::array();
    std::string timestamp;
    bool pending = false;            // deferred: "nudgebot is thinking…"
    std::string about;               // what it answers, e.g. "/nudge on"
};

struct interaction {
    std::string id;
    std::string token;
    std::string user_id;
    std::string channel_id;
    bool in_guild = true;
    steady::time_point created;
    int answered = 0;                // 0 no, 4 message, 5 deferred, 6/7 component update
    std::string response_id;         // the answer's message id (private item or public message)
    bool response_private = false;
    std::string source_message;      // component interactions: the message holding the button
    bool source_private = false;
    std::string about;
};

struct session {
    std::string id;
    std::int64_t seq = 0;
    std::uint64_t intents = 0;
    int shard = 0;
    int shard_count = 1;
    std::deque<std::pair<std::int64_t, std::string>> log;   // for RESUME, bounded
};

struct connection {
    net::ws_peer peer;
    std::unique_ptr<net::zlib_stream_deflater> zlib;   // set for ?compress=zlib-stream
    std::shared_ptr<session> sess;
};

json error_json(std::string_view message, int code)
{
    return json{{"message", message}, {"code", code}};
}

net::server_response discord_error(int status, std::string_view message, int code)
{
    return net::server_response::json(status, error_json(message, code).dump());
}

net::server_response page_error(int status, std::string message)
{
    return net::server_response::json(status, json{{"error", std::move(message)}}.dump());
}

}  // namespace

struct server::impl : std::enable_shared_from_this<server::impl> {
    boost::asio::io_context& ioc;
    server_options options;
    std::unique_ptr<net::http_server> http;

    std::vector<person> people;
    std::vector<channel> channels;
    std::map<std::string, std::deque<message>> messages;          // by channel id
    std::map<std::string, std::deque<private_item>> private_items; // by person id
    std::map<std::string, interaction> interactions;              // by token
    std::map<std::string, std::string> interaction_token_by_id;
    json registered_commands = json::array();
    std::uint64_t next_id = 0;
    std::uint64_t version = 1;
    std::mt19937_64 rng{std::random_device{}()};

    std::map<std::uint64_t, connection> connections;               // by ws peer id
    std::map<std::string, std::shared_ptr<session>> sessions;      // by session id
    bool ever_ready = false;
    std::uint64_t bad_requests = 0;
    std::map<std::string, std::chrono::milliseconds> slow_state;   // test hook, see server_options

    impl(boost::asio::io_context& c, server_options o) : ioc(c), options(std::move(o))
    {
        auto add_person = [&](std::string id, std::string name, std::string display, bool mod, std::string color) {
            people.push_back({std::move(id), std::move(name), std::move(display), mod, {}, std::move(color)});
            people.back().dm_channel = "12" + people.back().id.substr(2);
        };
        add_person("1100000000000000101", "alice", "Alice", false, "#7b4fd6");
        add_person("1100000000000000102", "bob", "Bob", false, "#b35a00");
        add_person("1100000000000000103", "carol", "Carol", false, "#087f5b");
        add_person("1100000000000000104", "dave", "Dave", false, "#1864ab");
        add_person("1100000000000000105", "erin", "Erin (moderator)", true, "#c2255c");
        channels = {{"1100000000000000011", "general", "Anything goes, kindly"},
                    {"1100000000000000012", "code-review", "Reviews, diffs and opinions"},
                    {"1100000000000000013", "random", "Off-topic chatter"}};
    }

    // ------------------------------------------------------------------------------- lookups
    const person* person_by_id(std::string_view id) const
    {
        for (const auto& p : people)
            if (p.id == id) return &p;
        return nullptr;
    }
    const person* person_by_name(std::string_view name) const
    {
        for (const auto& p : people)
            if (p.name == name) return &p;
        return nullptr;
    }
    const person* person_by_dm(std::string_view channel_id) const
    {
        for (const auto& p : people)
            if (p.dm_channel == channel_id) return &p;
        return nullptr;
    }
    const channel* channel_by_id(std::string_view id) const
    {
        for (const auto& c : channels)
            if (c.id == id) return &c;
        return nullptr;
    }
    const channel* channel_by_name(std::string_view name) const
    {
        for (const auto& c : channels)
            if (c.name == name) return &c;
        return nullptr;
    }
    message* find_message(std::string_view id, std::string* channel_out = nullptr)
    {
        for (auto& [cid, list] : messages)
            for (auto& m : list)
                if (m.id == id) {
                    if (channel_out) *channel_out = cid;
                    return &m;
                }
        return nullptr;
    }
    private_item* find_private(const std::string& person_id, std::string_view id)
    {
        auto it = private_items.find(person_id);
        if (it == private_items.end()) return nullptr;
        for (auto& item : it->second)
            if (item.id == id) return &item;
        return nullptr;
    }

    std::string new_id()
    {
        // Snowflake-shaped: milliseconds since the Discord epoch << 22, plus a counter.
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count() -
                  1420070400000LL;
        return std::to_string((static_cast<std::uint64_t>(ms) << 22) | (++next_id & 0x3FFFFF));
    }
    std::string new_token()
    {
        static const char* hex = "0123456789abcdef";
        std::string t = "sandbox.";
        for (int i = 0; i < 40; ++i) t += hex[rng() % 16];
        return t;
    }
    void changed() { ++version; }

    // -------------------------------------------------------------------------------- shapes
    json bot_user_json() const
    {
        return json{{"id", bot_user_id},     {"username", "nudgebot"}, {"global_name", nullptr},
                    {"discriminator", "0"},  {"avatar", nullptr},      {"bot", true},
                    {"public_flags", 0}};
    }
    json user_json(const std::string& id) const
    {
        if (id == bot_user_id) return bot_user_json();
        const person* p = person_by_id(id);
        if (!p) return json{{"id", id}, {"username", "unknown"}, {"discriminator", "0"}, {"avatar", nullptr}};
        return json{{"id", p->id},          {"username", p->name}, {"global_name", p->display},
                    {"discriminator", "0"}, {"avatar", nullptr},   {"public_flags", 0}};
    }
    std::string permissions_of(const person& p) const
    {
        return std::to_string(p.moderator ? moderator_permissions : member_permissions);
    }
    json member_json(const person& p, bool with_user, bool with_permissions) const
    {
        json m{{"nick", nullptr},  {"roles", json::array()}, {"joined_at", "2026-01-01T00:00:00.000000+00:00"},
               {"deaf", false},    {"mute", false},          {"flags", 0},
               {"pending", false}, {"avatar", nullptr}};
        if (with_user) m["user"] = user_json(p.id);
        if (with_permissions) m["permissions"] = permissions_of(p);
        return m;
    }
    json channel_json(const channel& c, int position) const
    {
        return json{{"id", c.id},   {"type", dp::channel_type::guild_text}, {"guild_id", guild_id},       {"name", c.name},
                    {"topic", c.topic}, {"position", position}, {"permission_overwrites", json::array()},
                    {"nsfw", false}, {"parent_id", nullptr}, {"last_message_id", nullptr}, {"rate_limit_per_user", 0}};
    }
    json dm_channel_json(const person& p) const
    {
        return json{{"id", p.dm_channel}, {"type", dp::channel_type::dm}, {"last_message_id", nullptr}, {"flags", 0},
                    {"recipients", json::array({user_json(p.id)})}};
    }
    json guild_json() const
    {
        json chans = json::array();
        int pos = 0;
        for (const auto& c : channels) chans.push_back(channel_json(c, pos++));
        json members = json::array();
        for (const auto& p : people) members.push_back(member_json(p, true, false));
        json bot_member{{"user", bot_user_json()}, {"roles", json::array()}, {"joined_at", iso_now()},
                        {"deaf", false}, {"mute", false}, {"flags", 0}, {"pending", false}, {"nick", nullptr}};
        members.push_back(bot_member);
        return json{{"id", guild_id},
                    {"name", "nudgebot sandbox"},
                    {"icon", nullptr},
                    {"owner_id", people.back().id},
                    {"roles", json::array({{{"id", guild_id}, {"name", "@everyone"},
                                            {"permissions", std::to_string(member_permissions)},
                                            {"position", 0}, {"color", 0}, {"hoist", false},
                                            {"managed", false}, {"mentionable", false}}})},
                    {"emojis", json::array()},
                    {"features", json::array()},
                    {"stickers", json::array()},
                    {"channels", std::move(chans)},
                    {"threads", json::array()},
                    {"members", std::move(members)},
                    {"member_count", people.size() + 1},
                    {"presences", json::array()},
                    {"voice_states", json::array()},
                    {"stage_instances", json::array()},
                    {"guild_scheduled_events", json::array()},
                    {"joined_at", "2026-01-01T00:00:00.000000+00:00"},
                    {"large", false},
                    {"unavailable", false},
                    {"preferred_locale", "en-US"},
                    {"system_channel_id", channels.front().id}};
    }
    json mentions_of(const std::string& text) const
    {
        json out = json::array();
        for (const auto& p : people)
            if (text.find("@" + p.name) != std::string::npos) out.push_back(user_json(p.id));
        return out;
    }
    json message_json(const message& m, bool gateway, bool with_reference = true) const
    {
        json j{{"id", m.id},
               {"channel_id", m.channel_id},
               {"author", user_json(m.author_id)},
               {"content", m.content},
               {"timestamp", m.timestamp},
               {"edited_timestamp", m.edited ? json(*m.edited) : json(nullptr)},
               {"tts", false},
               {"mention_everyone", false},
               {"mentions", mentions_of(m.content)},
               {"mention_roles", json::array()},
               {"attachments", json::array()},
               {"embeds", json::array()},
               {"pinned", false},
               {"type", m.reply_to ? dp::message_type::reply : (m.interaction_user.empty() ? dp::message_type::normal : dp::message_type::chat_input_command)},
               {"flags", m.flags},
               {"components", m.components}};
        if (m.author_id == bot_user_id) j["application_id"] = application_id;
        if (gateway) {
            j["guild_id"] = guild_id;
            if (const person* p = person_by_id(m.author_id)) j["member"] = member_json(*p, false, false);
        }
        if (m.reply_to && with_reference) {
            j["message_reference"] = {{"type", 0}, {"message_id", *m.reply_to}, {"channel_id", m.channel_id},
                                      {"guild_id", guild_id}};
            const message* ref = const_cast<impl*>(this)->find_message(*m.reply_to);
            j["referenced_message"] = ref ? message_json(*ref, false, false) : json(nullptr);
        }
        if (!m.interaction_user.empty())
            j["interaction_metadata"] = {{"id", "0"}, {"type", dp::interaction_type::application_command}, {"user", user_json(m.interaction_user)},
                                         {"name", m.interaction_name}};
        return j;
    }
    json private_json(const private_item& item, const person& owner) const
    {
        json j{{"id", item.id},
               {"channel_id", item.channel_id},
               {"author", bot_user_json()},
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
               {"type", item.kind == "dm" ? dp::message_type::normal : dp::message_type::chat_input_command},
               {"flags", item.kind == "dm" ? 0 : flag_ephemeral},
               {"components", item.components},
               {"application_id", application_id}};
        (void)owner;
        return j;
    }

    // ------------------------------------------------------------------------------- gateway
    void send_frame(connection& c, const std::string& text)
    {
        if (c.zlib) c.peer.send(c.zlib->compress(text), true);
        else c.peer.send(text);
    }

    void dispatch_to(connection& c, const std::string& type, const json& d)
    {
        auto& s = *c.sess;
        auto seq = ++s.seq;
        auto text = json{{"op", dp::op::dispatch}, {"t", type}, {"s", seq}, {"d", d}}.dump();
        s.log.emplace_back(seq, text);
        if (s.log.size() > 1000) s.log.pop_front();
        send_frame(c, text);
    }

    // Sends an event to every identified session that should see it (intents, shard).
    void dispatch(const std::string& type, const json& d, std::uint64_t needs_intent, bool guild_event,
                  bool has_content = false)
    {
        for (auto& [pid, c] : connections) {
            if (!c.sess || !c.peer.is_open()) continue;
            if (needs_intent && !(c.sess->intents & needs_intent)) continue;
            std::uint64_t shard_key = guild_event ? std::stoull(std::string(guild_id)) >> 22 : 0;
            if (static_cast<int>(shard_key % static_cast<std::uint64_t>(c.sess->shard_count)) != c.sess->shard)
                continue;
            if (has_content && !(c.sess->intents & intent_message_content) && guild_event) {
                // Without MESSAGE_CONTENT Discord blanks content (and components) of guild messages.
                json blank = d;
                blank["content"] = "";
                blank["components"] = json::array();
                dispatch_to(c, type, blank);
                continue;
            }
            dispatch_to(c, type, d);
        }
    }

    void on_gateway_open(net::ws_peer peer)
    {
        connection c;
        c.peer = peer;
        if (peer.target().find("compress=zlib-stream") != std::string::npos)
            c.zlib = std::make_unique<net::zlib_stream_deflater>();
        auto& stored = connections[peer.id()] = std::move(c);
        send_frame(stored, json{{"op", dp::op::hello}, {"d", {{"heartbeat_interval", options.heartbeat_interval_ms}}}}.dump());
        if (peer.target().find("encoding=etf") != std::string::npos) peer.close(dp::close_code::decode_error, "the sandbox speaks JSON only");
    }

    void on_gateway_close(net::ws_peer peer)
    {
        connections.erase(peer.id());
        changed();
    }

    void on_gateway_message(net::ws_peer peer, const std::string& text, bool binary)
    {
        auto it = connections.find(peer.id());
        if (it == connections.end()) return;
        auto& c = it->second;
        auto j = json::parse(text, nullptr, false);
        if (binary || !j.is_object() || !j.contains("op") || !j["op"].is_number_integer()) {
            ++bad_requests;
            peer.close(dp::close_code::decode_error, "Error while decoding payload.");
            return;
        }
        int op = j["op"].get<int>();
        const json d = j.contains("d") ? j["d"] : json();
        switch (op) {
        case dp::op::heartbeat:
            send_frame(c, json{{"op", dp::op::heartbeat_ack}, {"d", nullptr}}.dump());
            return;
        case dp::op::identify: identify(c, d); return;
        case dp::op::resume: resume(c, d); return;
        case dp::op::presence_update:
        case dp::op::voice_state_update:
        case dp::op::request_guild_members:
            if (!c.sess) peer.close(dp::close_code::not_authenticated, "Not authenticated.");
            return;   // presence, voice, member requests: accepted, nothing to do here
        default:
            ++bad_requests;
            peer.close(dp::close_code::unknown_opcode, "Unknown opcode.");
        }
    }

    void identify(connection& c, const json& d)
    {
        if (c.sess) {
            c.peer.close(dp::close_code::already_authenticated, "Already authenticated.");
            return;
        }
        if (!d.is_object() || !d.contains("token") || !d["token"].is_string() ||
            d["token"].get<std::string>() != options.bot_token) {
            c.peer.close(dp::close_code::authentication_failed, "Authentication failed.");
            return;
        }
        if (!d.contains("intents") || !d["intents"].is_number_unsigned()) {
            c.peer.close(dp::close_code::invalid_intents, "Invalid intent(s).");
            return;
        }
        auto s = std::make_shared<session>();
        s->intents = d["intents"].get<std::uint64_t>();
        if (d.contains("shard") && d["shard"].is_array() && d["shard"].size() == 2 && d["shard"][0].is_number_integer() &&
            d["shard"][1].is_number_integer()) {
            s->shard = d["shard"][0].get<int>();
            s->shard_count = d["shard"][1].get<int>();
            if (s->shard_count < 1 || s->shard < 0 || s->shard >= s->shard_count) {
                c.peer.close(dp::close_code::invalid_shard, "Invalid shard.");
                return;
            }
        }
        static const char* hex = "0123456789abcdef";
        for (int i = 0; i < 32; ++i) s->id += hex[rng() % 16];
        sessions[s->id] = s;
        if (sessions.size() > 64) sessions.erase(sessions.begin());
        c.sess = s;
        dispatch_to(c, "READY",
                    json{{"v", 10},
                         {"user", bot_user_json()},
                         {"guilds", json::array({{{"id", guild_id}, {"unavailable", true}}})},
                         {"session_id", s->id},
                         {"resume_gateway_url", "ws://127.0.0.1:" + std::to_string(http->port()) + "/gateway"},
                         {"shard", json::array({s->shard, s->shard_count})},
                         {"application", {{"id", application_id}, {"flags", 0}}},
                         {"private_channels", json::array()},
                         {"presences", json::array()},
                         {"relationships", json::array()},
                         {"user_settings", json::object()},
                         {"guild_join_requests", json::array()},
                         {"geo_ordered_rtc_regions", json::array()}});
        if (s->intents & intent_guilds) {
            std::uint64_t shard_key = std::stoull(std::string(guild_id)) >> 22;
            if (static_cast<int>(shard_key % static_cast<std::uint64_t>(s->shard_count)) == s->shard)
                dispatch_to(c, "GUILD_CREATE", guild_json());
        }
        ever_ready = true;
        changed();
    }

    void resume(connection& c, const json& d)
    {
        std::string sid = d.is_object() && d.contains("session_id") && d["session_id"].is_string()
                              ? d["session_id"].get<std::string>()
                              : std::string();
        bool token_ok = d.is_object() && d.contains("token") && d["token"].is_string() &&
                        d["token"].get<std::string>() == options.bot_token;
        if (!token_ok) {
            c.peer.close(dp::close_code::authentication_failed, "Authentication failed.");
            return;
        }
        auto it = sessions.find(sid);
        std::int64_t seq = d.contains("seq") && d["seq"].is_number_integer() ? d["seq"].get<std::int64_t>() : 0;
        if (it == sessions.end() || (!it->second->log.empty() && it->second->log.front().first > seq + 1)) {
            send_frame(c, json{{"op", dp::op::invalid_session}, {"d", false}}.dump());
            return;
        }
        c.sess = it->second;
        for (const auto& [s, frame] : c.sess->log)
            if (s > seq) send_frame(c, frame);
        dispatch_to(c, "RESUMED", json::object());
        changed();
    }

    // --------------------------------------------------------------------------- the world
    void add_public(message m)
    {
        auto& list = messages[m.channel_id];
        list.push_back(std::move(m));
        while (list.size() > options.max_messages_per_channel) list.pop_front();
        changed();
    }

    void add_private(const std::string& person_id, private_item item)
    {
        auto& list = private_items[person_id];
        list.push_back(std::move(item));
        while (list.size() > options.max_private_items) list.pop_front();
        changed();
    }

    json explain(const std::string& text) const
    {
        if (!options.explain) return json{{"attached", false}};
        try {
            auto e = options.explain(text);
            e["attached"] = true;
            return e;
        } catch (const std::exception&) {
            return json{{"attached", false}};
        }
    }

    // A person posts in a channel: stored, explained for the panel, sent to the bot.
    std::optional<std::string> post(const person& p, const channel& c, const std::string& text,
                                    std::optional<std::string> reply_to, std::string& id_out)
    {
        if (reply_to && !find_message(*reply_to)) return "the message you reply to is gone";
        message m;
        m.id = new_id();
        m.channel_id = c.id;
        m.author_id = p.id;
        m.content = text;
        m.timestamp = iso_now();
        m.reply_to = std::move(reply_to);
        m.explanation = explain(text);
        id_out = m.id;
        auto payload = message_json(m, true);
        add_public(std::move(m));
        dispatch("MESSAGE_CREATE", payload, intent_guild_messages, true, true);
        return std::nullopt;
    }

    std::string start_interaction(const person& p, const std::string& channel_id, bool in_guild, json data,
                                  int type, std::string about, json source = nullptr)
    {
        interaction in;
        in.id = new_id();
        in.token = new_token();
        in.user_id = p.id;
        in.channel_id = channel_id;
        in.in_guild = in_guild;
        in.created = steady::now();
        in.about = std::move(about);
        json d{{"id", in.id},
               {"application_id", application_id},
               {"type", type},
               {"data", std::move(data)},
               {"channel_id", channel_id},
               {"token", in.token},
               {"version", 1},
               {"locale", "en-US"},
               {"app_permissions", std::to_string(moderator_permissions)},
               {"entitlements", json::array()},
               {"authorizing_integration_owners", {{"0", guild_id}}},
               {"context", in_guild ? 0 : 1}};
        if (in_guild) {
            d["guild_id"] = guild_id;
            d["guild_locale"] = "en-US";
            d["member"] = member_json(p, true, true);
            if (const channel* ch = channel_by_id(channel_id)) d["channel"] = channel_json(*ch, 0);
        } else {
            d["user"] = user_json(p.id);
            d["channel"] = dm_channel_json(p);
        }
        if (!source.is_null()) d["message"] = std::move(source);
        // Drop interactions older than Discord's 15-minute token lifetime.
        auto cutoff = steady::now() - std::chrono::minutes(15);
        std::erase_if(interactions, [&](const auto& e) { return e.second.created < cutoff; });
        std::erase_if(interaction_token_by_id, [&](const auto& e) { return !interactions.count(e.second); });
        interaction_token_by_id[in.id] = in.token;
        interactions[in.token] = in;
        dispatch("INTERACTION_CREATE", d, 0, in_guild);
        return in.id;
    }

    // ------------------------------------------------------------------------- REST (Discord)
    bool authorised(const net::server_request& r) const
    {
        return r.header("authorization") == "Bot " + options.bot_token;
    }

    // Validates a message body the bot sends; error response when it is not acceptable.
    std::optional<net::server_response> check_message_body(const json& body) const
    {
        if (!body.is_object()) return discord_error(400, "Invalid Form Body", 50035);
        std::string content = body.contains("content") && body["content"].is_string() ? body["content"].get<std::string>()
                                                                                       : std::string();
        bool has_components = body.contains("components") && body["components"].is_array() &&
                              !body["components"].empty();
        if (content.empty() && !has_components) return discord_error(400, "Cannot send an empty message", 50006);
        if (utf8_chars(content) > options.max_message_chars)
            return discord_error(400, "Invalid Form Body (content: Must be 2000 or fewer in length.)", 50035);
        if (body.contains("components") && !body["components"].is_array())
            return discord_error(400, "Invalid Form Body (components)", 50035);
        return std::nullopt;
    }

    static std::string content_of(const json& body)
    {
        return body.contains("content") && body["content"].is_string() ? body["content"].get<std::string>()
                                                                          : std::string();
    }
    static json components_of(const json& body)
    {
        return body.contains("components") && body["components"].is_array() ? body["components"] : json::array();
    }
    static int flags_of(const json& body)
    {
        return body.contains("flags") && body["flags"].is_number_integer() ? body["flags"].get<int>() : 0;
    }

    net::server_response bot_message(const std::string& channel_id, const json& body)
    {
        if (auto bad = check_message_body(body)) return *bad;
        if (const person* p = person_by_dm(channel_id)) {
            private_item item;
            item.id = new_id();
            item.kind = "dm";
            item.channel_id = channel_id;
            item.content = content_of(body);
            item.components = components_of(body);
            item.timestamp = iso_now();
            auto out = private_json(item, *p);
            add_private(p->id, std::move(item));
            return net::server_response::json(200, out.dump());
        }
        const channel* c = channel_by_id(channel_id);
        if (!c) return discord_error(404, "Unknown Channel", 10003);
        message m;
        m.id = new_id();
        m.channel_id = c->id;
        m.author_id = std::string(bot_user_id);
        m.content = content_of(body);
        m.components = components_of(body);
        m.timestamp = iso_now();
        auto out = message_json(m, false);
        auto gateway = message_json(m, true);
        add_public(std::move(m));
        dispatch("MESSAGE_CREATE", gateway, intent_guild_messages, true, true);
        return net::server_response::json(200, out.dump());
    }

    // An interaction answer becomes a private item (ephemeral or under a DM) or a public message.
    std::string answer_item(interaction& in, const json& data, bool pending)
    {
        const person* p = person_by_id(in.user_id);
        bool ephemeral = (flags_of(data) & flag_ephemeral) != 0;
        if (ephemeral || !in.in_guild) {
            private_item item;
            item.id = new_id();
            item.kind = in.in_guild ? "ephemeral" : "dm";
            item.channel_id = in.channel_id;
            item.content = pending ? std::string() : content_of(data);
            item.components = pending ? json::array() : components_of(data);
            item.timestamp = iso_now();
            item.pending = pending;
            item.about = in.about;
            in.response_private = true;
            in.response_id = item.id;
            if (p) add_private(p->id, std::move(item));
            return in.response_id;
        }
        message m;
        m.id = new_id();
        m.channel_id = in.channel_id;
        m.author_id = std::string(bot_user_id);
        m.content = pending ? std::string("nudgebot is thinking…") : content_of(data);
        m.components = pending ? json::array() : components_of(data);
        m.timestamp = iso_now();
        m.interaction_user = in.user_id;
        m.interaction_name = in.about;
        in.response_private = false;
        in.response_id = m.id;
        auto gateway = message_json(m, true);
        add_public(std::move(m));
        dispatch("MESSAGE_CREATE", gateway, intent_guild_messages, true, true);
        return in.response_id;
    }

    net::server_response interaction_callback(const std::string& id, const std::string& token, const json& body)
    {
        auto it = interactions.find(token);
        if (it == interactions.end() || it->second.id != id) return discord_error(404, "Unknown interaction", 10062);
        auto& in = it->second;
        if (in.answered) return discord_error(400, "Interaction has already been acknowledged.", dp::error_code::interaction_already_acknowledged);
        if (steady::now() - in.created > options.interaction_deadline)
            return discord_error(404, "Unknown interaction", 10062);
        if (!body.is_object() || !body.contains("type") || !body["type"].is_number_integer())
            return discord_error(400, "Invalid Form Body (type)", 50035);
        int type = body["type"].get<int>();
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
            if (in.source_message.empty()) return discord_error(400, "Interaction callback type not allowed", 50035);
            in.answered = type;
            break;
        case dp::callback_type::update_message: {
            if (in.source_message.empty()) return discord_error(400, "Interaction callback type not allowed", 50035);
            in.answered = type;
            update_source(in, data);
            break;
        }
        default:
            return discord_error(400, "The sandbox supports callback types 4, 5, 6 and 7", 50035);
        }
        changed();
        return net::server_response{204, "", {}, ""};
    }

    void update_source(interaction& in, const json& data)
    {
        if (in.source_private) {
            if (auto* item = find_private(in.user_id, in.source_message)) {
                if (data.contains("content")) item->content = content_of(data);
                if (data.contains("components")) item->components = components_of(data);
            }
        } else if (auto* m = find_message(in.source_message)) {
            if (data.contains("content")) m->content = content_of(data);
            if (data.contains("components")) m->components = components_of(data);
            m->edited = iso_now();
        }
        changed();
    }

    net::server_response edit_original(const std::string& token, const json& body)
    {
        auto it = interactions.find(token);
        if (it == interactions.end()) return discord_error(404, "Unknown Webhook", 10015);
        auto& in = it->second;
        if (!body.is_object()) return discord_error(400, "Invalid Form Body", 50035);
        if (body.contains("content") && utf8_chars(content_of(body)) > options.max_message_chars)
            return discord_error(400, "Invalid Form Body (content: Must be 2000 or fewer in length.)", 50035);
        if (in.answered == dp::callback_type::deferred_update_message || in.answered == dp::callback_type::update_message) {
            update_source(in, body);
            return net::server_response::json(200, json{{"id", in.source_message}}.dump());
        }
        if (in.answered != dp::callback_type::channel_message && in.answered != dp::callback_type::deferred_channel_message) return discord_error(404, "Unknown Message", 10008);
        if (in.response_private) {
            const person* p = person_by_id(in.user_id);
            auto* item = p ? find_private(p->id, in.response_id) : nullptr;
            if (!item) return discord_error(404, "Unknown Message", 10008);
            if (body.contains("content")) item->content = content_of(body);
            if (body.contains("components")) item->components = components_of(body);
            item->pending = false;
            changed();
            return net::server_response::json(200, private_json(*item, *p).dump());
        }
        auto* m = find_message(in.response_id);
        if (!m) return discord_error(404, "Unknown Message", 10008);
        if (body.contains("content")) m->content = content_of(body);
        if (body.contains("components")) m->components = components_of(body);
        m->edited = iso_now();
        changed();
        dispatch("MESSAGE_UPDATE", message_json(*m, true), intent_guild_messages, true, true);
        return net::server_response::json(200, message_json(*m, false).dump());
    }

    net::server_response follow_up(const std::string& token, const json& body)
    {
        auto it = interactions.find(token);
        if (it == interactions.end()) return discord_error(404, "Unknown Webhook", 10015);
        if (auto bad = check_message_body(body)) return *bad;
        auto in = it->second;   // a follow-up does not replace the original answer
        auto id = answer_item(in, body, false);
        return net::server_response::json(200, json{{"id", id}, {"channel_id", in.channel_id}}.dump());
    }

    net::server_response delete_original(const std::string& token)
    {
        auto it = interactions.find(token);
        if (it == interactions.end()) return discord_error(404, "Unknown Webhook", 10015);
        auto& in = it->second;
        if (in.response_private) {
            auto& list = private_items[in.user_id];
            std::erase_if(list, [&](const private_item& i) { return i.id == in.response_id; });
        } else {
            auto& list = messages[in.channel_id];
            std::erase_if(list, [&](const message& m) { return m.id == in.response_id; });
        }
        changed();
        return net::server_response{204, "", {}, ""};
    }

    net::server_response put_commands(const json& body, bool guild_scope)
    {
        if (!body.is_array()) return discord_error(400, "Invalid Form Body", 50035);
        if (body.size() > 110) return discord_error(400, "Invalid Form Body (too many commands)", 50035);
        json out = json::array();
        for (const auto& c : body) {
            if (!c.is_object() || !c.contains("name") || !c["name"].is_string())
                return discord_error(400, "Invalid Form Body (name)", 50035);
            json r = c;
            r["id"] = new_id();
            r["application_id"] = application_id;
            r["version"] = new_id();
            if (!r.contains("type")) r["type"] = 1;
            if (guild_scope) r["guild_id"] = guild_id;
            if (!r.contains("default_member_permissions")) r["default_member_permissions"] = nullptr;
            if (!r.contains("description")) r["description"] = "";
            out.push_back(std::move(r));
        }
        registered_commands = out;
        changed();
        return net::server_response::json(200, out.dump());
    }

    net::server_response rest(const net::server_request& r)
    {
        static const std::regex channel_messages(R"(^/channels/(\d+)/messages$)");
        static const std::regex callback(R"(^/interactions/(\d+)/([^/]+)/callback$)");
        static const std::regex original(R"(^/webhooks/(\d+)/([^/]+)/messages/@original$)");
        static const std::regex webhook(R"(^/webhooks/(\d+)/([^/]+)$)");
        static const std::regex global_commands(R"(^/applications/(\d+)/commands$)");
        static const std::regex guild_commands(R"(^/applications/(\d+)/guilds/(\d+)/commands$)");
        std::string path(r.path().substr(std::string_view("/api/v10").size()));
        std::smatch m;
        json body = r.body.empty() ? json() : json::parse(r.body, nullptr, false);
        if (!r.body.empty() && body.is_discarded()) {
            ++bad_requests;
            return discord_error(400, "The request body contains invalid JSON.", 50109);
        }
        // Interaction endpoints authenticate with the interaction token, like Discord's.
        if (r.method == "POST" && std::regex_match(path, m, callback))
            return interaction_callback(m[1], m[2], body);
        if (std::regex_match(path, m, original)) {
            if (m[1].str() != application_id) return discord_error(404, "Unknown Webhook", 10015);
            if (r.method == "PATCH") return edit_original(m[2], body);
            if (r.method == "DELETE") return delete_original(m[2]);
            if (r.method == "GET") {
                auto it = interactions.find(m[2]);
                if (it == interactions.end()) return discord_error(404, "Unknown Webhook", 10015);
                return net::server_response::json(200, json{{"id", it->second.response_id}}.dump());
            }
            return discord_error(405, "405: Method Not Allowed", 0);
        }
        if (r.method == "POST" && std::regex_match(path, m, webhook)) {
            if (m[1].str() != application_id) return discord_error(404, "Unknown Webhook", 10015);
            return follow_up(m[2], body);
        }
        if (!authorised(r)) return discord_error(401, "401: Unauthorized", 0);
        if (r.method == "GET" && path == "/gateway/bot")
            return net::server_response::json(
                200, json{{"url", "ws://127.0.0.1:" + std::to_string(http->port()) + "/gateway"},
                          {"shards", 1},
                          {"session_start_limit",
                           {{"total", 1000}, {"remaining", 999}, {"reset_after", 86400000}, {"max_concurrency", 1}}}}
                         .dump());
        if (r.method == "GET" && path == "/users/@me") return net::server_response::json(200, bot_user_json().dump());
        if (r.method == "GET" && path == "/oauth2/applications/@me")
            return net::server_response::json(
                200, json{{"id", application_id}, {"name", "nudgebot"}, {"bot", bot_user_json()}, {"flags", 0}}.dump());
        if (r.method == "POST" && path == "/users/@me/channels") {
            std::string to = body.is_object() && body.contains("recipient_id") && body["recipient_id"].is_string()
                                 ? body["recipient_id"].get<std::string>()
                                 : std::string();
            const person* p = person_by_id(to);
            if (!p) return discord_error(400, "Invalid Form Body (recipient_id)", 50035);
            return net::server_response::json(200, dm_channel_json(*p).dump());
        }
        if (r.method == "POST" && std::regex_match(path, m, channel_messages)) return bot_message(m[1], body);
        if (std::regex_match(path, m, global_commands) || std::regex_match(path, m, guild_commands)) {
            if (m[1].str() != application_id) return discord_error(403, "Missing Access", 50001);
            bool guild_scope = m.size() > 2 && m[2].matched;
            if (guild_scope && m[2].str() != guild_id) return discord_error(403, "Missing Access", 50001);
            if (r.method == "PUT") return put_commands(body, guild_scope);
            if (r.method == "GET") return net::server_response::json(200, registered_commands.dump());
            return discord_error(405, "405: Method Not Allowed", 0);
        }
        if (r.method == "GET" && path == "/gateway")
            return net::server_response::json(
                200, json{{"url", "ws://127.0.0.1:" + std::to_string(http->port()) + "/gateway"}}.dump());
        return discord_error(404, "404: Not Found", 0);
    }

    // ------------------------------------------------------------------------------ page API
    json state_for(const person& me, std::uint64_t since) const
    {
        // "me" names whom the answer is for: the page drops an answer for someone it no longer shows.
        if (since == version) return json{{"me", me.name}, {"version", version}, {"unchanged", true}};
        json people_out = json::array();
        for (const auto& p : people)
            people_out.push_back({{"id", p.id}, {"name", p.name}, {"display", p.display},
                                  {"moderator", p.moderator}, {"color", p.color}});
        json channels_out = json::array();
        json messages_out = json::object();
        for (const auto& c : channels) {
            channels_out.push_back({{"id", c.id}, {"name", c.name}, {"topic", c.topic}});
            json list = json::array();
            if (auto it = messages.find(c.id); it != messages.end())
                for (const auto& m : it->second) {
                    const person* author = person_by_id(m.author_id);
                    json out{{"id", m.id},
                             {"author", author ? author->name : std::string("nudgebot")},
                             {"bot", m.author_id == bot_user_id},
                             {"text", m.content},
                             {"at", m.timestamp},
                             {"edited", m.edited.has_value()},
                             {"buttons", buttons_of(m.components)},
                             {"explain", m.explanation}};
                    if (m.reply_to) {
                        const message* ref = const_cast<impl*>(this)->find_message(*m.reply_to);
                        const person* ra = ref ? person_by_id(ref->author_id) : nullptr;
                        out["reply_to"] = {{"id", *m.reply_to},
                                           {"author", ra ? ra->name : std::string(ref ? "nudgebot" : "")},
                                           {"excerpt", ref ? ref->content.substr(0, 80) : std::string()}};
                    }
                    if (!m.interaction_user.empty()) {
                        const person* u = person_by_id(m.interaction_user);
                        out["command"] = {{"by", u ? u->name : std::string()}, {"name", m.interaction_name}};
                    }
                    list.push_back(std::move(out));
                }
            messages_out[c.id] = std::move(list);
        }
        json mine = json::array();
        if (auto it = private_items.find(me.id); it != private_items.end())
            for (const auto& item : it->second) {
                const channel* c = channel_by_id(item.channel_id);
                mine.push_back({{"id", item.id},
                                {"kind", item.kind},
                                {"channel", c ? c->name : std::string()},
                                {"text", item.content},
                                {"at", item.timestamp},
                                {"pending", item.pending},
                                {"about", item.about},
                                {"buttons", buttons_of(item.components)}});
            }
        bool connected = false;
        for (const auto& [id, c] : connections)
            if (c.sess && c.peer.is_open()) connected = true;
        return json{{"version", version},
                    {"me", me.name},
                    {"people", std::move(people_out)},
                    {"channels", std::move(channels_out)},
                    {"messages", std::move(messages_out)},
                    {"private", std::move(mine)},
                    {"bot", {{"connected", connected}, {"commands", registered_commands.size()}}},
                    {"limits", {{"message_chars", options.max_message_chars}}}};
    }

    static json buttons_of(const json& components)
    {
        json out = json::array();
        if (!components.is_array()) return out;
        for (const auto& row : components) {
            if (!row.is_object() || !row.contains("components") || !row["components"].is_array()) continue;
            for (const auto& b : row["components"]) {
                if (!b.is_object() || b.value("type", 0) != dp::component_type::button) continue;
                out.push_back({{"custom_id", b.value("custom_id", "")},
                               {"label", b.value("label", "")},
                               {"style", b.value("style", 2)},
                               {"disabled", b.value("disabled", false)}});
            }
        }
        return out;
    }

    std::optional<std::string> registered_id(std::string_view name) const
    {
        for (const auto& c : registered_commands)
            if (c.value("name", "") == name) return c.value("id", "");
        return std::nullopt;
    }

    net::server_response api(const net::server_request& r)
    {
        auto path = r.path();
        if (path == "/sandbox/api/state" && r.method == "GET") {
            const person* me = person_by_name(r.query("as"));
            if (!me) return page_error(400, "unknown person: choose alice, bob, carol, dave or erin");
            std::uint64_t since = 0;
            try {
                auto s = r.query("since");
                if (!s.empty()) since = std::stoull(s);
            } catch (...) {
                since = 0;
            }
            auto res = net::server_response::json(200, state_for(*me, since).dump());
            res.headers.push_back({"Cache-Control", "no-store"});
            if (auto slow = slow_state.find(me->name); slow != slow_state.end()) res.delay = slow->second;
            return res;
        }
        if (r.method != "POST") return page_error(405, "use POST");
        // A JSON content type forces a CORS preflight, which this server never grants: other web
        // sites open in the same browser cannot post as the visitor.
        if (r.header("content-type").find("application/json") != 0)
            return page_error(415, "send the body as application/json");
        auto body = json::parse(r.body, nullptr, false);
        if (!body.is_object()) {
            ++bad_requests;
            return page_error(400, "the body is not a JSON object");
        }
        auto text_field = [&](const char* key) {
            return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
        };
        const person* me = person_by_name(text_field("as"));
        if (!me) return page_error(400, "unknown person: choose alice, bob, carol, dave or erin");

        if (path == "/sandbox/api/test/slow-state" && options.test_hooks) {
            auto ms = body.contains("ms") && body["ms"].is_number_unsigned() ? body["ms"].get<std::uint64_t>() : 0;
            if (ms == 0) slow_state.erase(me->name);
            else slow_state[me->name] = std::chrono::milliseconds(std::min<std::uint64_t>(ms, 5000));
            return net::server_response::json(200, json{{"ok", true}}.dump());
        }
        if (path == "/sandbox/api/send") {
            const channel* c = channel_by_name(text_field("channel"));
            if (!c) c = channel_by_id(text_field("channel"));
            if (!c) return page_error(400, "unknown channel");
            auto text = text_field("text");
            if (text.find_first_not_of(" \t\r\n") == std::string::npos) return page_error(400, "the message is empty");
            if (utf8_chars(text) > options.max_message_chars)
                return page_error(400, "the message is longer than " + std::to_string(options.max_message_chars) +
                                           " characters (Discord's limit)");
            if (text.front() == '/') {
                auto parsed = parse_slash(text, [&](std::string_view name) -> std::optional<std::string> {
                    if (const channel* ch = channel_by_name(name)) return ch->id;
                    return std::nullopt;
                });
                if (!parsed.ok) return page_error(400, parsed.error);
                auto cmd_id = registered_id(parsed.name);
                if (!cmd_id) return page_error(409, "nudgebot has not registered /" + parsed.name + " yet (is it connected?)");
                json data{{"id", *cmd_id}, {"name", parsed.name}, {"type", dp::command_type::chat_input}, {"options", parsed.options},
                          {"guild_id", guild_id}};
                // What the person typed, without the option values (they may be a private draft).
                std::string about = "/" + parsed.name;
                for (const json* level = &parsed.options; level->is_array() && !level->empty();) {
                    const auto& o = (*level)[0];
                    if (o.value("type", 0) > dp::option_type::sub_command_group) break;
                    about += " " + o.value("name", "");
                    level = &o["options"];
                }
                auto id = start_interaction(*me, c->id, true, std::move(data), dp::interaction_type::application_command, about);
                return net::server_response::json(200, json{{"ok", true}, {"interaction", id}}.dump());
            }
            std::optional<std::string> reply_to;
            if (auto rt = text_field("reply_to"); !rt.empty()) reply_to = rt;
            std::string id;
            if (auto error = post(*me, *c, text, reply_to, id)) return page_error(400, *error);
            return net::server_response::json(200, json{{"ok", true}, {"id", id}}.dump());
        }
        if (path == "/sandbox/api/edit") {
            auto* m = find_message(text_field("id"));
            if (!m) return page_error(404, "no such message");
            if (m->author_id != me->id) return page_error(403, "only the author can edit a message");
            auto text = text_field("text");
            if (text.find_first_not_of(" \t\r\n") == std::string::npos) return page_error(400, "the message is empty");
            if (utf8_chars(text) > options.max_message_chars)
                return page_error(400, "the message is longer than " + std::to_string(options.max_message_chars) +
                                           " characters (Discord's limit)");
            m->content = text;
            m->edited = iso_now();
            m->explanation = explain(text);
            changed();
            dispatch("MESSAGE_UPDATE", message_json(*m, true), intent_guild_messages, true, true);
            return net::server_response::json(200, json{{"ok", true}}.dump());
        }
        if (path == "/sandbox/api/delete") {
            std::string cid;
            auto* m = find_message(text_field("id"), &cid);
            if (!m) return page_error(404, "no such message");
            if (m->author_id != me->id && !me->moderator)
                return page_error(403, "only the author or a moderator can delete a message");
            json d{{"id", m->id}, {"channel_id", cid}, {"guild_id", guild_id}};
            std::erase_if(messages[cid], [&](const message& x) { return x.id == d["id"]; });
            changed();
            dispatch("MESSAGE_DELETE", d, intent_guild_messages, true);
            return net::server_response::json(200, json{{"ok", true}}.dump());
        }
        if (path == "/sandbox/api/suggest") {
            std::string cid;
            auto* m = find_message(text_field("id"), &cid);
            if (!m) return page_error(404, "no such message");
            std::optional<std::string> cmd_id;
            std::string menu_name;
            for (const auto& c : registered_commands)
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
                      {"resolved", {{"messages", {{m->id, message_json(*m, false)}}}}}};
            auto id = start_interaction(*me, cid, true, std::move(data), dp::interaction_type::application_command, menu_name);
            return net::server_response::json(200, json{{"ok", true}, {"interaction", id}}.dump());
        }
        if (path == "/sandbox/api/press") {
            auto item_id = text_field("item");
            auto custom_id = text_field("custom_id");
            if (custom_id.empty() || custom_id.size() > 100) return page_error(400, "custom_id is 1 to 100 characters");
            json source;
            std::string channel_id;
            bool in_guild = true;
            bool source_private = false;
            if (auto* item = find_private(me->id, item_id)) {
                source = private_json(*item, *me);
                channel_id = item->channel_id;
                in_guild = item->kind != "dm";
                source_private = true;
            } else if (auto* m = find_message(item_id)) {
                source = message_json(*m, false);
                channel_id = m->channel_id;
            } else {
                return page_error(404, "that message is gone (only its recipient can press its buttons)");
            }
            bool found = false;
            for (const auto& b : buttons_of(source["components"]))
                if (b["custom_id"] == custom_id && !b["disabled"].get<bool>()) found = true;
            if (!found) return page_error(400, "that message has no such button");
            json data{{"custom_id", custom_id}, {"component_type", 2}};
            auto id = start_interaction(*me, channel_id, in_guild, std::move(data), dp::interaction_type::message_component, "button", source);
            auto& in = interactions[interaction_token_by_id[id]];
            in.source_message = item_id;
            in.source_private = source_private;
            return net::server_response::json(200, json{{"ok", true}, {"interaction", id}}.dump());
        }
        if (path == "/sandbox/api/dismiss") {
            auto item_id = text_field("item");
            auto& list = private_items[me->id];
            auto before = list.size();
            std::erase_if(list, [&](const private_item& i) { return i.id == item_id && i.kind == "ephemeral"; });
            if (list.size() == before) return page_error(404, "nothing to dismiss");
            changed();
            return net::server_response::json(200, json{{"ok", true}}.dump());
        }
        return page_error(404, "unknown sandbox API");
    }

    // Only requests addressed to this loopback server: guards against DNS rebinding.
    bool host_allowed(const net::server_request& r) const
    {
        auto host = r.header("host");
        auto port = ":" + std::to_string(http->port());
        for (std::string_view name : {"127.0.0.1", "localhost", "[::1]"})
            if (host == std::string(name) + port || host == name) return true;
        return options.address != "127.0.0.1" && options.address != "::1";
    }

    net::server_response handle(const net::server_request& r)
    {
        auto path = r.path();
        if (path.rfind("/api/v10/", 0) == 0) return rest(r);
        if (!host_allowed(r)) return page_error(421, "this sandbox answers on 127.0.0.1 only");
        if (path.rfind("/sandbox/api/", 0) == 0) return api(r);
        if (r.method == "GET" || r.method == "HEAD") {
            if (auto asset = find_asset(path)) {
                net::server_response res;
                res.content_type = std::string(asset->content_type);
                res.body = std::string(asset->body);
                res.headers.push_back({"Cache-Control", "no-cache"});
                res.headers.push_back({"X-Content-Type-Options", "nosniff"});
                res.headers.push_back({"Content-Security-Policy",
                                       "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                       "connect-src 'self'; frame-ancestors 'none'"});
                return res;
            }
            if (path == "/healthz") return net::server_response::text(200, "ok\n");
        }
        return net::server_response::text(404, "not found\n");
    }
};

server::server(boost::asio::io_context& ioc, server_options options)
    : impl_(std::make_shared<impl>(ioc, std::move(options)))
{
    net::http_server_options o;
    o.address = impl_->options.address;
    o.port = impl_->options.port;
    o.max_body_bytes = impl_->options.max_body_bytes;
    o.ws_max_message_bytes = std::max<std::size_t>(impl_->options.max_body_bytes, 4096);
    o.server_name = "nudgebot-sandbox";
    std::weak_ptr<impl> weak = impl_;
    auto handler = [weak](const net::server_request& r) {
        auto i = weak.lock();
        return i ? i->handle(r) : net::server_response::text(503, "stopping\n");
    };
    net::ws_router router = [weak](const net::server_request& r) -> std::optional<net::ws_callbacks> {
        auto i = weak.lock();
        if (!i) return std::nullopt;
        auto path = r.path();
        if (path != "/gateway" && path != "/" && path != "/gateway/") return std::nullopt;
        net::ws_callbacks cb;
        cb.on_open = [weak](net::ws_peer p) {
            if (auto s = weak.lock()) s->on_gateway_open(p);
        };
        cb.on_message = [weak](net::ws_peer p, std::string text, bool binary) {
            if (auto s = weak.lock()) s->on_gateway_message(p, text, binary);
        };
        cb.on_close = [weak](net::ws_peer p, int) {
            if (auto s = weak.lock()) s->on_gateway_close(p);
        };
        return cb;
    };
    impl_->http = std::make_unique<net::http_server>(ioc, o, handler, router);
}

server::~server() { stop(); }

std::string server::start() { return impl_->http->start(); }
void server::stop()
{
    if (impl_->http) impl_->http->stop();
}

std::uint16_t server::port() const noexcept { return impl_->http->port(); }
std::string server::api_base() const { return "http://127.0.0.1:" + std::to_string(port()) + "/api/v10"; }
std::string server::gateway_url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/gateway"; }
std::string server::page_url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/"; }

bool server::bot_ready() const noexcept { return impl_->ever_ready; }
bool server::commands_registered() const noexcept { return !impl_->registered_commands.empty(); }
std::size_t server::gateway_sessions() const noexcept
{
    std::size_t n = 0;
    for (const auto& [id, c] : impl_->connections)
        if (c.sess && c.peer.is_open()) ++n;
    return n;
}

}  // namespace nudgebot::sandbox
