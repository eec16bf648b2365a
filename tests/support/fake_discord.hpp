// A scripted fake Discord on 127.0.0.1:0: the gateway (websocket, JSON, optional zlib-stream) and
// the REST subset nudgebot uses, for tests, benchmarks and later the local sandbox.
//
// Contract: the fake runs its own io_context on its own thread, started by the constructor and
// joined by the destructor. Every public function is thread-safe: scripting calls are posted to
// the fake's thread, observations return snapshots taken under a mutex. REST hooks run on the
// fake's thread. Connection numbers count accepted gateway connections from 0; -1 means "the most
// recent one". Default behaviour: HELLO on connect, ACK for every heartbeat, READY for IDENTIFY
// (a new session), replay + RESUMED for RESUME, canned answers for the REST routes.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::test {

struct fake_request {
    std::string method;
    std::string target;                           // path and query, e.g. /api/v10/users/@me/channels
    std::map<std::string, std::string> headers;   // names in lower case
    std::string body;
    std::chrono::steady_clock::time_point at;     // when the request was read completely
};

struct fake_response {
    int status = 200;
    std::string body;                             // JSON text
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};           // answer this late (other requests are not held)
    bool drop = false;                            // close the TCP connection instead of answering
};

// A frame the fake received from a gateway client.
struct fake_frame {
    int connection = 0;
    int op = -1;                                  // -1 when the text was not JSON with an op
    nlohmann::json payload;
    std::chrono::steady_clock::time_point at;
};

struct fake_discord_options {
    int heartbeat_interval_ms = 100;
    std::string app_id = "700000000000000001";
    std::string bot_user_id = "700000000000000002";
    int shards = 1;                               // /gateway/bot "shards"
    int max_concurrency = 1;
    int identify_remaining = 1000;
    std::size_t replay_overlap = 0;               // RESUME replays this many already-seen events too
    bool split_compressed_frames = false;         // send each zlib frame as two websocket messages
    bool flood_stamps_ids = false;                // flood() sets d.id to the send time (steady ns)
};

class fake_discord {
public:
    explicit fake_discord(fake_discord_options options = {});
    ~fake_discord();
    fake_discord(const fake_discord&) = delete;
    fake_discord& operator=(const fake_discord&) = delete;

    std::uint16_t port() const noexcept;
    std::string api_base() const;      // http://127.0.0.1:<port>/api/v10
    std::string gateway_url() const;   // ws://127.0.0.1:<port>/gateway
    const fake_discord_options& options() const noexcept { return options_; }

    // ---- REST
    // Called for every request before the canned answers; return a response to override them.
    using rest_hook = std::function<std::optional<fake_response>(const fake_request&)>;
    void on_rest(rest_hook hook);
    std::vector<fake_request> rest_requests() const;
    std::size_t count_rest(std::string_view method, std::string_view target_prefix) const;

    // ---- Gateway observations
    std::vector<fake_frame> received() const;
    std::size_t count_received(int op) const;
    int connections() const;                      // accepted gateway connections so far
    int open_connections() const;
    std::string connection_target(int connection) const;   // path and query it connected with
    int identifies() const;
    int resumes() const;

    // ---- Gateway scripting
    void set_ack_heartbeats(bool ack);
    void set_send_hello(bool send);                // false: accept the websocket and stay silent
    // Reconnect-policy tests only: every gateway connection accepted from now on is closed (4000)
    // right after its HELLO, before any IDENTIFY can succeed.
    void set_kill_after_hello(bool kill);
    void set_heartbeat_interval(int ms);
    void set_identify_close_code(int code);        // answer IDENTIFY by closing with this code (0: off)
    void set_resume_fails(bool fails);             // answer RESUME with op 9 d:false
    // An op 0 event in the connection's session (next seq, kept for replay).
    void dispatch(std::string type, nlohmann::json d, int connection = -1);
    void send_op(int op, nlohmann::json d, int connection = -1);
    void send_raw(std::string text, int connection = -1);     // as is (compressed if the connection is)
    void send_truncated_zlib(int connection = -1);           // half a compressed frame, then nothing
    void close(int code, int connection = -1);
    void drop(int connection = -1);                // TCP gone without a close frame
    // Send MESSAGE_CREATE-like dispatches round robin over open connections at `per_second` in
    // total for `duration` (benchmarks).
    void flood(std::string type, nlohmann::json d, int per_second, std::chrono::milliseconds duration);
    std::uint64_t flooded() const;

    struct impl;

private:
    fake_discord_options options_;
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::test
