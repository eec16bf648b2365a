// A scripted fake Slack on 127.0.0.1:0: the Web API methods nudgebot calls, apps.connections.open
// handing out websocket URLs on the same port, the Socket Mode socket (hello, envelopes, acks,
// disconnect) and response_url endpoints.
//
// Contract: the fake runs its own io_context on its own thread, started by the constructor and
// joined by the destructor. Every public function is thread-safe: scripting is posted to the
// fake's thread, observations are snapshots taken under a mutex. Web hooks run on the fake's
// thread. Connection numbers count accepted sockets from 0; -1 means "the most recent one".
// Canned answers: auth.test → bot user + team; users.info → is_admin for users made admins;
// chat.postEphemeral → user_not_in_channel for users put outside a channel; conversations.open →
// "D<user>"; users.list → the members set with set_members, `limit` at a time (at most 1000) with
// a next_cursor, their "locale" only when include_locale=true; everything else {"ok":true}.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nudgebot::test {

struct fake_slack_call {
    std::string method;             // Web API method ("chat.postEphemeral") or "response_url"
    std::string authorization;      // the header as sent
    std::string target;             // path and query
    nlohmann::json body;            // parsed JSON body (null when none or not JSON)
    std::chrono::steady_clock::time_point at;
};

struct fake_slack_answer {
    int status = 200;
    std::string body;               // JSON text
    std::vector<std::pair<std::string, std::string>> headers;
};

struct fake_slack_ack {
    int connection = 0;
    std::string envelope_id;
    nlohmann::json payload;         // null for a plain ack
    std::chrono::steady_clock::time_point at;
};

class fake_slack {
public:
    fake_slack(std::string bot_user = "UBOT", std::string team = "T1");
    ~fake_slack();
    fake_slack(const fake_slack&) = delete;
    fake_slack& operator=(const fake_slack&) = delete;

    std::uint16_t port() const noexcept;
    std::string api_base() const;          // http://127.0.0.1:<port>/api
    std::string response_prefix() const;   // http://127.0.0.1:<port>/response/
    std::string response_url(const std::string& name) const;

    // ---- Web API
    using web_hook = std::function<std::optional<fake_slack_answer>(const fake_slack_call&)>;
    void on_web(web_hook hook);            // runs before the canned answers
    void make_admin(const std::string& user);
    void set_group(std::vector<std::string> members);
    void put_outside_channel(const std::string& user);
    void set_members(std::vector<nlohmann::json> members);   // users.list's member objects
    std::vector<fake_slack_call> calls() const;
    std::vector<fake_slack_call> calls(const std::string& method) const;

    // ---- Socket Mode
    int connections() const;
    int open_connections() const;
    void set_send_hello(bool send);        // for connections accepted from now on
    // Link-killing mode: every socket accepted from now on is closed right after its hello.
    void set_kill_after_hello(bool kill);
    std::vector<std::chrono::steady_clock::time_point> connection_times() const;   // when each was accepted
    // Sends an envelope as is and returns its envelope_id (if any).
    std::string send(nlohmann::json envelope, int connection = -1);
    void send_raw(std::string text, int connection = -1);
    void disconnect(std::string reason, int connection = -1);   // the disconnect message only
    void close(int connection = -1);
    std::vector<fake_slack_ack> acks() const;
    std::optional<fake_slack_ack> ack_for(const std::string& envelope_id) const;
    std::vector<std::string> sent_at_connection(int connection) const;   // envelope ids

    // ---- Envelopes written for tests (not taken from any data set)
    static nlohmann::json message_envelope(const std::string& envelope_id, const std::string& event_id,
                                           const std::string& user, const std::string& text, const std::string& ts,
                                           const std::string& channel = "C1", const std::string& thread_ts = "");
    static nlohmann::json slash_envelope(const std::string& envelope_id, const std::string& command,
                                         const std::string& text, const std::string& user,
                                         const std::string& response_url, const std::string& channel = "C1");
    static nlohmann::json button_envelope(const std::string& envelope_id, const std::string& action_id,
                                          const std::string& user, const std::string& response_url,
                                          const std::string& channel = "C1");
    static nlohmann::json shortcut_envelope(const std::string& envelope_id, const std::string& user,
                                            const std::string& target_user, const std::string& target_text,
                                            const std::string& target_ts, const std::string& response_url,
                                            const std::string& channel = "C1");

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::test
