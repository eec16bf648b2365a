#include "sandbox/gateway.hpp"

#include "platforms/discord/protocol.hpp"

#include <charconv>

namespace nudgebot::sandbox {

namespace {

namespace dp = discord::protocol;
using json = nlohmann::json;

constexpr std::size_t max_sessions = 256;   // resumable sessions kept (the oldest id goes first)

std::uint64_t shard_key(std::string_view guild_id)
{
    std::uint64_t id = 0;
    std::from_chars(guild_id.data(), guild_id.data() + guild_id.size(), id);
    return id >> 22;
}

}  // namespace

gateway_emulator::gateway_emulator(gateway_options options) : options_(std::move(options)) {}

void gateway_emulator::open(std::uint64_t connection, std::shared_ptr<gateway_link> link, std::string_view target)
{
    auto& c = connections_[connection];
    c.link = std::move(link);
    if (knobs.send_hello)
        c.link->send(json{{"op", dp::op::hello}, {"d", {{"heartbeat_interval", options_.heartbeat_interval_ms}}}}.dump(),
                     false);
    if (target.find("encoding=etf") != std::string_view::npos)
        c.link->close(dp::close_code::decode_error, "this gateway speaks JSON only");
}

void gateway_emulator::client_closed(std::uint64_t connection, int close_code)
{
    // As Discord does: a client closing with 1000 or 1001 ends its session (no RESUME after it);
    // any other code, or no close frame, keeps it resumable.
    if (close_code != 1000 && close_code != 1001) return;
    auto it = connections_.find(connection);
    if (it == connections_.end() || !it->second.session) return;
    sessions_.erase(it->second.session->id);
    it->second.session.reset();
}

void gateway_emulator::closed(std::uint64_t connection, int close_code)
{
    client_closed(connection, close_code);
    connections_.erase(connection);
}

bool gateway_emulator::has_session(std::uint64_t connection) const
{
    auto it = connections_.find(connection);
    return it != connections_.end() && it->second.session != nullptr;
}

std::size_t gateway_emulator::identified_connections() const
{
    std::size_t n = 0;
    for (const auto& [id, c] : connections_)
        if (c.session && c.link->is_open()) ++n;
    return n;
}

int gateway_emulator::receive(std::uint64_t connection, std::string_view text, bool binary)
{
    auto it = connections_.find(connection);
    if (it == connections_.end()) return -1;
    auto& c = it->second;
    auto j = json::parse(text, nullptr, false);
    if (binary || !j.is_object() || !j.contains("op") || !j["op"].is_number_integer()) {
        ++bad_frames_;
        c.link->close(dp::close_code::decode_error, "Error while decoding payload.");
        return -1;
    }
    const int op = j["op"].get<int>();
    const json d = j.contains("d") ? j["d"] : json();
    switch (op) {
    case dp::op::heartbeat:
        if (knobs.ack_heartbeats) c.link->send(json{{"op", dp::op::heartbeat_ack}, {"d", nullptr}}.dump(), false);
        break;
    case dp::op::identify: identify(connection, c, d); break;
    case dp::op::resume: resume(connection, c, d); break;
    case dp::op::presence_update:
    case dp::op::voice_state_update:
    case dp::op::request_guild_members:
        if (!c.session) c.link->close(dp::close_code::not_authenticated, "Not authenticated.");
        break;   // accepted, nothing to do here
    default:
        ++bad_frames_;
        c.link->close(dp::close_code::unknown_opcode, "Unknown opcode.");
    }
    return op;
}

bool gateway_emulator::token_ok(const json& d) const
{
    if (!d.is_object() || !d.contains("token") || !d["token"].is_string()) return false;
    return options_.token.empty() || d["token"].get<std::string>() == options_.token;
}

bool gateway_emulator::owns_guild(const gateway_session& s) const
{
    return static_cast<int>(shard_key(options_.guild_id) % static_cast<std::uint64_t>(s.shard_count)) == s.shard;
}

void gateway_emulator::identify(std::uint64_t connection, connection_state& c, const json& d)
{
    if (knobs.identify_close_code) {
        c.link->close(static_cast<std::uint16_t>(knobs.identify_close_code), "scripted");
        return;
    }
    if (c.session) {
        c.link->close(dp::close_code::already_authenticated, "Already authenticated.");
        return;
    }
    if (!token_ok(d)) {
        c.link->close(dp::close_code::authentication_failed, "Authentication failed.");
        return;
    }
    if (!d.contains("intents") || !d["intents"].is_number_unsigned()) {
        c.link->close(dp::close_code::invalid_intents, "Invalid intent(s).");
        return;
    }
    auto s = std::make_shared<gateway_session>();
    s->intents = d["intents"].get<std::uint64_t>();
    if (d.contains("shard")) {
        const auto& shard = d["shard"];
        if (!shard.is_array() || shard.size() != 2 || !shard[0].is_number_integer() || !shard[1].is_number_integer()) {
            c.link->close(dp::close_code::invalid_shard, "Invalid shard.");
            return;
        }
        s->shard = shard[0].get<int>();
        s->shard_count = shard[1].get<int>();
        if (s->shard_count < 1 || s->shard < 0 || s->shard >= s->shard_count) {
            c.link->close(dp::close_code::invalid_shard, "Invalid shard.");
            return;
        }
    }
    s->id = options_.new_session_id ? options_.new_session_id() : "session-" + std::to_string(sessions_.size() + 1);
    sessions_[s->id] = s;
    if (sessions_.size() > max_sessions) sessions_.erase(sessions_.begin());
    c.session = s;
    json guilds = json::array();
    if (!options_.guild_id.empty()) guilds.push_back({{"id", options_.guild_id}, {"unavailable", true}});
    json ready{{"v", 10},
               {"user", options_.bot_user},
               {"guilds", std::move(guilds)},
               {"session_id", s->id},
               {"resume_gateway_url", options_.resume_url ? options_.resume_url() : std::string()},
               {"shard", json::array({s->shard, s->shard_count})},
               {"application", {{"id", options_.application_id}, {"flags", 0}}},
               {"private_channels", json::array()},
               {"presences", json::array()},
               {"relationships", json::array()},
               {"user_settings", json::object()},
               {"guild_join_requests", json::array()},
               {"geo_ordered_rtc_regions", json::array()}};
    dispatch_to(connection, "READY", ready);
    if (options_.guild_create && !options_.guild_id.empty() && (s->intents & dp::intent::guilds) && owns_guild(*s))
        dispatch_to(connection, "GUILD_CREATE", options_.guild_create());
    ever_ready_ = true;
}

void gateway_emulator::resume(std::uint64_t connection, connection_state& c, const json& d)
{
    if (!token_ok(d)) {
        c.link->close(dp::close_code::authentication_failed, "Authentication failed.");
        return;
    }
    std::string sid = d.contains("session_id") && d["session_id"].is_string() ? d["session_id"].get<std::string>()
                                                                               : std::string();
    std::int64_t seq = d.contains("seq") && d["seq"].is_number_integer() ? d["seq"].get<std::int64_t>() : 0;
    auto it = sessions_.find(sid);
    // Unknown, or events the client missed are no longer kept: it must start a new session.
    if (knobs.resume_fails || it == sessions_.end() ||
        (!it->second->log.empty() && it->second->log.front().first > seq + 1)) {
        c.link->send(json{{"op", dp::op::invalid_session}, {"d", false}}.dump(), false);
        return;
    }
    c.session = it->second;
    const std::int64_t from = seq - static_cast<std::int64_t>(knobs.replay_overlap);
    for (const auto& [s, frame] : c.session->log)
        if (s > from) c.link->send(frame, true);
    dispatch_to(connection, "RESUMED", json::object());
}

void gateway_emulator::dispatch_to(std::uint64_t connection, const std::string& type, const json& d)
{
    auto it = connections_.find(connection);
    if (it == connections_.end()) return;
    auto& c = it->second;
    if (!c.session) {
        c.link->send(json{{"op", dp::op::dispatch}, {"t", type}, {"s", 1}, {"d", d}}.dump(), true);
        return;
    }
    auto& s = *c.session;
    const auto seq = ++s.seq;
    auto frame = json{{"op", dp::op::dispatch}, {"t", type}, {"s", seq}, {"d", d}}.dump();
    s.log.emplace_back(seq, frame);
    while (s.log.size() > options_.replay_log) s.log.pop_front();
    c.link->send(frame, true);
}

void gateway_emulator::broadcast(const std::string& type, const json& d, std::uint64_t needs_intent,
                                 bool guild_event, bool has_content)
{
    for (const auto& [id, c] : connections_) {
        if (!c.session || !c.link->is_open()) continue;
        const auto& s = *c.session;
        if (needs_intent && !(s.intents & needs_intent)) continue;
        if (guild_event && !owns_guild(s)) continue;
        if (has_content && guild_event && !(s.intents & dp::intent::message_content)) {
            // Without MESSAGE_CONTENT Discord blanks content (and components) of guild messages.
            json blank = d;
            blank["content"] = "";
            blank["components"] = json::array();
            dispatch_to(id, type, blank);
            continue;
        }
        dispatch_to(id, type, d);
    }
}

void gateway_emulator::send_op(std::uint64_t connection, int op, const json& d)
{
    auto it = connections_.find(connection);
    if (it != connections_.end()) it->second.link->send(json{{"op", op}, {"d", d}}.dump(), false);
}

}  // namespace nudgebot::sandbox
