#include "support/fake_mattermost.hpp"

#include "support/fake_server.hpp"

#include <map>
#include <mutex>
#include <set>

namespace nudgebot::test {

using json = nlohmann::json;

struct fake_mattermost::impl : std::enable_shared_from_this<fake_mattermost::impl> {
    fake_mattermost_options opt;
    std::unique_ptr<fake_server> server;

    mutable std::mutex mutex;
    rest_hook hook;
    std::set<std::string> system_admins, team_admins;
    std::map<std::string, std::string> channels;
    std::vector<fake_mm_call> calls;
    std::vector<std::string> targets;
    std::vector<json> received;
    struct session {
        std::int64_t next_seq = 1;
        std::vector<std::pair<std::int64_t, std::string>> history;
    };
    std::map<std::string, session> sessions;
    std::string current;            // session of the open socket
    std::map<std::uint64_t, std::string> peer_session;
    int session_counter = 0;
    bool kill_after_hello = false;
    bool revoked = false;
    std::vector<std::chrono::steady_clock::time_point> opened_at;

    std::string new_session_id()
    {
        auto id = "conn" + std::to_string(++session_counter);
        id.resize(26, '0');
        return id;
    }

    net::server_response handle(const net::server_request& r)
    {
        fake_mm_call c;
        c.method = r.method;
        c.path = std::string(r.path());
        c.target = r.target;
        c.authorization = std::string(r.header("authorization"));
        c.body = json_body(r);
        c.at = std::chrono::steady_clock::now();
        rest_hook h;
        {
            std::lock_guard lock(mutex);
            calls.push_back(c);
            h = hook;
        }
        if (h)
            if (auto a = h(c)) return to_response(*a);
        if (c.path.starts_with("/hooks/")) return net::server_response::text(200, "");
        bool revoked_now;
        {
            std::lock_guard lock(mutex);
            revoked_now = revoked;
        }
        if (c.authorization != "Bearer " + opt.token || revoked_now)
            return net::server_response::json(401, R"({"id":"api.context.session_expired.app_error","status_code":401})");
        std::lock_guard lock(mutex);
        auto json_answer = [](int status, json j) { return net::server_response::json(status, j.dump()); };
        const std::string users = "/api/v4/users/";
        if (c.path == "/api/v4/users/me") return json_answer(200, {{"id", opt.bot_user}, {"roles", opt.bot_roles}, {"is_bot", true}});
        if (c.path == "/api/v4/roles/names") {
            json roles = json::array();
            json perms = json::array({"create_post"});
            if (opt.ephemeral_permission) perms.push_back("create_post_ephemeral");
            roles.push_back({{"name", "system_user"}, {"permissions", perms}});
            return json_answer(200, roles);
        }
        if (c.path.starts_with(users)) {
            auto u = c.path.substr(users.size());
            return json_answer(200, {{"id", u}, {"roles", system_admins.count(u) ? "system_user system_admin" : "system_user"}});
        }
        if (c.path.starts_with("/api/v4/teams/")) {
            auto rest = c.path.substr(14);
            auto slash = rest.find('/');
            auto tail = slash == std::string::npos ? std::string{} : rest.substr(slash);
            if (tail.starts_with("/members/")) {
                auto u = tail.substr(9);
                return json_answer(200, {{"user_id", u}, {"roles", team_admins.count(u) ? "team_user team_admin" : "team_user"},
                                         {"scheme_admin", team_admins.count(u) > 0}});
            }
            if (tail.starts_with("/channels/name/")) {
                auto it = channels.find(tail.substr(15));
                if (it == channels.end()) return json_answer(404, {{"id", "app.channel.get_by_name.missing.app_error"}});
                return json_answer(200, {{"id", it->second}, {"name", it->first}});
            }
        }
        if (c.path == "/api/v4/posts/ephemeral") {
            if (!opt.ephemeral_permission)
                return json_answer(403, {{"id", "api.context.permissions.app_error"}, {"status_code", 403}});
            return json_answer(201, {{"id", "ephemeralpost0000000000001"}});
        }
        if (c.path == "/api/v4/channels/direct" && c.body.is_array() && c.body.size() == 2 && c.body[1].is_string())
            return json_answer(201, {{"id", "dm" + c.body[1].get<std::string>().substr(0, 24)}, {"type", "D"}});
        if (c.path == "/api/v4/posts") return json_answer(201, {{"id", "post00000000000000000000001"}});
        return json_answer(404, {{"id", "api.no_route"}});
    }

    void send_hello(net::ws_peer p, const std::string& session_id)
    {
        json hello{{"event", "hello"},
                   {"data", {{"connection_id", session_id}, {"server_version", "9.11.0"}, {"server_hostname", "fake"}}},
                   {"broadcast", {{"omit_users", nullptr}, {"user_id", opt.bot_user}, {"channel_id", ""}, {"team_id", ""}}},
                   {"seq", 0}};
        p.send(hello.dump());
    }

    // Accepts the socket: resumes a known session (replaying from sequence_number) or starts one.
    void open_session(net::ws_peer p, const std::string& wanted, std::int64_t from)
    {
        std::vector<std::string> replay;
        std::string id;
        {
            std::lock_guard lock(mutex);
            if (!wanted.empty() && sessions.count(wanted)) {
                id = wanted;
                for (auto& [seq, text] : sessions[id].history)
                    if (seq >= from) replay.push_back(text);
            } else {
                id = new_session_id();
                sessions[id];
            }
            current = id;
            peer_session[p.id()] = id;
        }
        send_hello(p, id);
        for (auto& t : replay) p.send(t);
        bool kill;
        {
            std::lock_guard lock(mutex);
            kill = kill_after_hello;
        }
        if (kill) p.close(1011);
    }

    std::optional<net::ws_callbacks> route(const net::server_request& r)
    {
        if (r.path() != "/api/v4/websocket") return std::nullopt;
        bool header_ok = r.header("authorization") == "Bearer " + opt.token;
        auto wanted = r.query("connection_id");
        std::int64_t from = 0;
        try {
            auto s = r.query("sequence_number");
            if (!s.empty()) from = std::stoll(s);
        } catch (...) {
        }
        auto self = shared_from_this();
        net::ws_callbacks cb;
        cb.on_open = [self, header_ok, wanted, from, target = r.target](net::ws_peer p) {
            bool revoked;
            {
                std::lock_guard lock(self->mutex);
                self->targets.push_back(target);
                self->opened_at.push_back(std::chrono::steady_clock::now());
                revoked = self->revoked;
            }
            if (revoked) p.close(1008);
            else if (header_ok) self->open_session(p, wanted, from);
        };
        cb.on_message = [self, header_ok, wanted, from](net::ws_peer p, std::string text, bool) {
            auto j = json::parse(text, nullptr, false);
            {
                std::lock_guard lock(self->mutex);
                self->received.push_back(j);
            }
            if (!header_ok && j.is_object() && j.value("action", "") == "authentication_challenge") {
                bool ok = j.contains("data") && j["data"].is_object() && j["data"].value("token", "") == self->opt.token;
                p.send(json{{"status", ok ? "OK" : "FAIL"}, {"seq_reply", j.value("seq", 0)}}.dump());
                if (ok) self->open_session(p, wanted, from);
                else p.close(1008);
            }
        };
        cb.on_close = [](net::ws_peer, int) {};
        return cb;
    }

    net::ws_peer open_peer()
    {
        auto peers = server->peers();
        std::lock_guard lock(mutex);
        for (auto it = peers.rbegin(); it != peers.rend(); ++it)
            if (it->is_open() && peer_session.count(it->id())) return *it;
        return {};
    }
};

fake_mattermost::fake_mattermost(fake_mattermost_options options) : impl_(std::make_shared<impl>())
{
    impl_->opt = std::move(options);
    auto i = impl_.get();
    impl_->server = std::make_unique<fake_server>(
        "fake mattermost", [i](const net::server_request& r) { return i->handle(r); },
        [i](const net::server_request& r) { return i->route(r); });
}

fake_mattermost::~fake_mattermost()
{
    impl_->server->stop();
    impl_->server.reset();
}

std::string fake_mattermost::server_url() const { return impl_->server->url(); }
std::string fake_mattermost::response_url(const std::string& name) const { return server_url() + "/hooks/commands/" + name; }
const fake_mattermost_options& fake_mattermost::options() const noexcept { return impl_->opt; }

void fake_mattermost::on_rest(rest_hook hook)
{
    std::lock_guard lock(impl_->mutex);
    impl_->hook = std::move(hook);
}
void fake_mattermost::make_system_admin(const std::string& user)
{
    std::lock_guard lock(impl_->mutex);
    impl_->system_admins.insert(user);
}
void fake_mattermost::make_team_admin(const std::string& user)
{
    std::lock_guard lock(impl_->mutex);
    impl_->team_admins.insert(user);
}
void fake_mattermost::add_channel(const std::string& name, const std::string& id)
{
    std::lock_guard lock(impl_->mutex);
    impl_->channels[name] = id;
}
std::vector<fake_mm_call> fake_mattermost::calls() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->calls;
}
std::vector<fake_mm_call> fake_mattermost::calls(const std::string& method, const std::string& path) const
{
    std::vector<fake_mm_call> out;
    for (auto& c : calls())
        if (c.method == method && c.path == path) out.push_back(c);
    return out;
}
int fake_mattermost::connections() const { return impl_->server->connections(); }
int fake_mattermost::open_connections() const { return impl_->server->open_connections(); }
std::vector<std::string> fake_mattermost::connection_targets() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->targets;
}
std::vector<json> fake_mattermost::received() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->received;
}

std::int64_t fake_mattermost::send_event(json frame)
{
    std::int64_t seq = -1;
    impl_->server->on_thread([&] {
        std::string text;
        {
            std::lock_guard lock(impl_->mutex);
            auto& s = impl_->sessions[impl_->current];
            seq = s.next_seq++;
            frame["seq"] = seq;
            text = frame.dump();
            s.history.emplace_back(seq, text);
        }
        auto p = impl_->open_peer();
        if (p.is_open()) p.send(text);
    });
    return seq;
}

std::int64_t fake_mattermost::post_event(const std::string& event, const json& post, const std::string& team, json mentions)
{
    json frame{{"event", event},
               {"data",
                {{"channel_display_name", "Town Square"},
                 {"channel_name", "town-square"},
                 {"channel_type", "O"},
                 {"post", post.dump()},
                 {"sender_name", "@someone"},
                 {"team_id", team},
                 {"mentions", mentions.dump()}}},
               {"broadcast", {{"omit_users", nullptr}, {"user_id", ""}, {"channel_id", post.value("channel_id", "")}, {"team_id", ""}}}};
    return send_event(std::move(frame));
}

void fake_mattermost::send_raw(std::string text)
{
    impl_->server->on_thread([&] {
        auto p = impl_->open_peer();
        if (p.is_open()) p.send(text);
    });
}
void fake_mattermost::drop()
{
    impl_->server->on_thread([&] {
        auto p = impl_->open_peer();
        if (p.is_open()) p.close(1001);
    });
}
void fake_mattermost::set_kill_after_hello(bool kill)
{
    std::lock_guard lock(impl_->mutex);
    impl_->kill_after_hello = kill;
}

void fake_mattermost::revoke_token()
{
    std::lock_guard lock(impl_->mutex);
    impl_->revoked = true;
}

std::vector<std::chrono::steady_clock::time_point> fake_mattermost::connection_times() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->opened_at;
}

void fake_mattermost::forget_sessions()
{
    impl_->server->on_thread([&] {
        std::lock_guard lock(impl_->mutex);
        impl_->sessions.clear();
        impl_->current.clear();
    });
}

}  // namespace nudgebot::test
