// A scripted fake Mattermost on 127.0.0.1:0: the REST v4 subset nudgebot uses, the websocket at
// /api/v4/websocket (header or authentication_challenge auth, hello with connection_id, per-session
// sequence numbers and replay on reconnect with connection_id + sequence_number), and response_url
// endpoints under /hooks/.
//
// Contract: the fake runs its own io_context on its own thread (constructor to destructor). Public
// functions are thread-safe: scripting is posted to the fake's thread, observations are snapshots
// under a mutex; REST hooks run on the fake's thread. Events sent while no socket is open are kept
// and replayed when the client resumes its session.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nudgebot::test {

struct fake_mm_call {
    std::string method;            // GET, POST
    std::string path;              // /api/v4/posts, /hooks/commands/x
    std::string target;
    std::string authorization;
    nlohmann::json body;           // null when none or not JSON
    std::chrono::steady_clock::time_point at;
};

struct fake_mm_answer {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

struct fake_mattermost_options {
    std::string token = "mm-test-token-0123456789secret";
    std::string bot_user = "botuser0000000000000000001";
    std::string bot_roles = "system_user";
    bool ephemeral_permission = false;    // create_post_ephemeral in the bot's roles
};

class fake_mattermost {
public:
    explicit fake_mattermost(fake_mattermost_options options = {});
    ~fake_mattermost();
    fake_mattermost(const fake_mattermost&) = delete;
    fake_mattermost& operator=(const fake_mattermost&) = delete;

    std::string server_url() const;                        // http://127.0.0.1:<port>
    std::string response_url(const std::string& name) const;
    const fake_mattermost_options& options() const noexcept;

    using rest_hook = std::function<std::optional<fake_mm_answer>(const fake_mm_call&)>;
    void on_rest(rest_hook hook);
    void make_system_admin(const std::string& user);
    void make_team_admin(const std::string& user);
    void add_channel(const std::string& name, const std::string& id);
    std::vector<fake_mm_call> calls() const;
    std::vector<fake_mm_call> calls(const std::string& method, const std::string& path) const;

    int connections() const;                                // sockets accepted so far
    int open_connections() const;
    std::vector<std::string> connection_targets() const;    // path and query of each
    std::vector<nlohmann::json> received() const;           // frames the client sent
    // A posted / post_edited / post_deleted event carrying `post` as a JSON string; returns its seq.
    std::int64_t post_event(const std::string& event, const nlohmann::json& post, const std::string& team = "team00000000000000000000001",
                            nlohmann::json mentions = nlohmann::json::array());
    std::int64_t send_event(nlohmann::json frame);          // sets "seq", keeps it for replay
    void send_raw(std::string text);                        // to the open socket, no seq
    void drop();                                            // closes the open socket (the session stays)
    void forget_sessions();                                 // the next resume gets a new session
    // Link-killing mode: every socket accepted from now on is closed right after its hello.
    void set_kill_after_hello(bool kill);
    // The bot's token stops working: REST answers 401, sockets close before any hello.
    void revoke_token();
    std::vector<std::chrono::steady_clock::time_point> connection_times() const;   // when each was accepted

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::test
