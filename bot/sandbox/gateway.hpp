// A Discord gateway emulator (API v10, JSON encoding): HELLO, heartbeats and their ACKs,
// IDENTIFY (token, intents, shard) with READY, RESUME with replay of missed dispatches, op 9 when
// a session cannot be resumed, Discord's close codes for protocol mistakes, and dispatches filtered
// by intents and shard the way Discord filters them (content blanked without MESSAGE_CONTENT).
// The ONE implementation behind the sandbox's gateway and the test fake's (tests/support).
//
// Contract: transport-agnostic and single-threaded: the owner calls it from one thread (the
// sandbox's server thread, the fake's io thread). The transport reports connections (`open`,
// `receive`, `closed`) and carries frames through a gateway_link, which also compresses them when
// the client asked for zlib-stream. Malformed frames never throw: the connection is closed with
// 4002 (decode error) and counted. The `knobs` let tests script misbehaviour; defaults are
// Discord's behaviour.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace nudgebot::sandbox {

// One client connection as the transport carries it.
class gateway_link {
public:
    virtual ~gateway_link() = default;
    // `dispatch` is true for op 0 frames (the fake can split those when compressed).
    virtual void send(const std::string& frame, bool dispatch) = 0;
    virtual void close(std::uint16_t code, std::string_view reason) = 0;
    virtual bool is_open() const = 0;
};

struct gateway_options {
    std::string token;                       // IDENTIFY/RESUME must carry it; empty: any token
    int heartbeat_interval_ms = 41250;
    std::string guild_id;                    // the one guild READY lists (unavailable); empty: none
    nlohmann::json bot_user = nlohmann::json::object();   // READY's user
    std::string application_id;
    std::function<std::string()> resume_url;          // READY's resume_gateway_url
    std::function<std::string()> new_session_id;
    std::function<nlohmann::json()> guild_create;     // sent after READY with the GUILDS intent; empty: none
    std::size_t replay_log = 1000;           // dispatches kept per session for RESUME
};

struct gateway_session {
    std::string id;
    std::int64_t seq = 0;
    std::uint64_t intents = 0;
    int shard = 0;
    int shard_count = 1;
    std::deque<std::pair<std::int64_t, std::string>> log;   // (seq, frame) for replay, bounded
};

class gateway_emulator {
public:
    explicit gateway_emulator(gateway_options options);

    struct knobs {
        bool send_hello = true;              // false: accept the connection and stay silent
        bool ack_heartbeats = true;
        int identify_close_code = 0;         // answer IDENTIFY by closing with this code (0: off)
        bool resume_fails = false;           // answer every RESUME with op 9 d:false
        std::size_t replay_overlap = 0;      // RESUME also replays this many already-seen dispatches
    } knobs;

    // The transport accepted a websocket for `target` (path and query); sends HELLO.
    void open(std::uint64_t connection, std::shared_ptr<gateway_link> link, std::string_view target);
    // A frame from the client; returns its op, or -1 when it was not a JSON object with an op.
    int receive(std::uint64_t connection, std::string_view text, bool binary);
    // The client closed with `close_code` (0: no close frame): 1000 and 1001 end its session, as
    // on Discord; the connection stays known (closed() forgets it).
    void client_closed(std::uint64_t connection, int close_code);
    // The connection ended (client_closed, then forgotten).
    void closed(std::uint64_t connection, int close_code = 0);

    // An op 0 event on one connection, in its session (next seq, kept for replay); without a
    // session it goes out with s = 1 and is not kept.
    void dispatch_to(std::uint64_t connection, const std::string& type, const nlohmann::json& d);
    // An event to every identified open connection that should see it: `needs_intent` (0: none),
    // guild events only to the shard that owns the guild, content blanked without MESSAGE_CONTENT.
    void broadcast(const std::string& type, const nlohmann::json& d, std::uint64_t needs_intent, bool guild_event,
                   bool has_content = false);
    // A raw frame (any op) on one connection.
    void send_op(std::uint64_t connection, int op, const nlohmann::json& d);

    void set_heartbeat_interval(int ms) { options_.heartbeat_interval_ms = ms; }
    bool has_session(std::uint64_t connection) const;
    std::size_t identified_connections() const;   // open, with a session
    bool ever_ready() const noexcept { return ever_ready_; }
    std::uint64_t bad_frames() const noexcept { return bad_frames_; }

private:
    struct connection_state {
        std::shared_ptr<gateway_link> link;
        std::shared_ptr<gateway_session> session;
    };
    void identify(std::uint64_t connection, connection_state& c, const nlohmann::json& d);
    void resume(std::uint64_t connection, connection_state& c, const nlohmann::json& d);
    bool token_ok(const nlohmann::json& d) const;
    bool owns_guild(const gateway_session& s) const;

    gateway_options options_;
    std::map<std::uint64_t, connection_state> connections_;
    std::map<std::string, std::shared_ptr<gateway_session>> sessions_;   // by session id, bounded
    bool ever_ready_ = false;
    std::uint64_t bad_frames_ = 0;
};

}  // namespace nudgebot::sandbox
