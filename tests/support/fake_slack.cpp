#include "support/fake_slack.hpp"

#include "support/fake_server.hpp"

#include <algorithm>
#include <map>
#include <mutex>

namespace nudgebot::test {

using json = nlohmann::json;

struct fake_slack::impl : std::enable_shared_from_this<fake_slack::impl> {
    std::string bot_user;
    std::string team;
    std::unique_ptr<fake_server> server;

    mutable std::mutex mutex;
    web_hook hook;
    std::set<std::string> admins;
    std::vector<std::string> group;
    std::set<std::string> outside;
    std::vector<json> members;
    std::vector<fake_slack_call> calls;
    std::vector<fake_slack_ack> acks;
    std::map<int, std::vector<std::string>> sent;
    bool send_hello = true;
    bool kill_after_hello = false;
    std::vector<std::chrono::steady_clock::time_point> opened_at;
    int ticket = 0;

    net::server_response handle(const net::server_request& r)
    {
        auto path = std::string(r.path());
        fake_slack_call c;
        c.authorization = std::string(r.header("authorization"));
        c.target = r.target;
        c.body = json_body(r);
        c.at = std::chrono::steady_clock::now();
        if (path.starts_with("/response/")) c.method = "response_url";
        else if (path.starts_with("/api/")) c.method = path.substr(5);
        else return net::server_response::text(404, "not found");
        web_hook h;
        {
            std::lock_guard lock(mutex);
            calls.push_back(c);
            h = hook;
        }
        if (h)
            if (auto a = h(c)) return to_response(*a);
        if (c.method == "response_url") return net::server_response::text(200, "ok");
        auto ok = [](json j) {
            j["ok"] = true;
            return net::server_response::json(200, j.dump());
        };
        auto fail = [](const char* error) { return net::server_response::json(200, json{{"ok", false}, {"error", error}}.dump()); };
        auto arg = [&](const char* key) -> std::string {
            if (c.body.is_object() && c.body.contains(key) && c.body[key].is_string()) return c.body[key].get<std::string>();
            return r.query(key);
        };
        bool bot_token = c.authorization.starts_with("Bearer xoxb-");
        if (c.method == "apps.connections.open") {
            if (!c.authorization.starts_with("Bearer xapp-")) return fail("not_allowed_token_type");
            int t;
            {
                std::lock_guard lock(mutex);
                t = ++ticket;
            }
            return ok({{"url", server->url("ws") + "/link/?ticket=" + std::to_string(t)}});
        }
        if (!bot_token) return fail("invalid_auth");
        std::lock_guard lock(mutex);
        if (c.method == "auth.test") return ok({{"user_id", bot_user}, {"team_id", team}, {"bot_id", "B1"}});
        if (c.method == "users.info") {
            auto u = arg("user");
            return ok({{"user", {{"id", u}, {"is_admin", admins.count(u) > 0}, {"is_owner", false}}}});
        }
        if (c.method == "usergroups.users.list") return ok({{"users", group}});
        if (c.method == "users.list") {
            // Slack's cursors are opaque; here one is the index of the next member.
            std::size_t from = 0, limit = 100;
            try {
                if (!arg("cursor").empty()) from = std::stoul(arg("cursor"));
                if (!arg("limit").empty()) limit = std::min<std::size_t>(std::stoul(arg("limit")), 1000);
            } catch (const std::exception&) {
                return fail("invalid_cursor");
            }
            json page = json::array();
            for (std::size_t i = from; i < members.size() && i < from + limit; ++i) {
                json m = members[i];
                if (arg("include_locale") != "true" && m.is_object()) m.erase("locale");
                page.push_back(std::move(m));
            }
            auto next = from + limit < members.size() ? std::to_string(from + limit) : std::string{};
            return ok({{"members", std::move(page)}, {"response_metadata", {{"next_cursor", next}}}});
        }
        if (c.method == "chat.postEphemeral") {
            if (outside.count(arg("user"))) return fail("user_not_in_channel");
            return ok({{"message_ts", "1700000000.000100"}});
        }
        if (c.method == "conversations.open") return ok({{"channel", {{"id", "D" + arg("users")}}}});
        if (c.method == "chat.postMessage") return ok({{"channel", arg("channel")}, {"ts", "1700000000.000200"}});
        return ok(json::object());
    }

    std::optional<net::ws_callbacks> route(const net::server_request& r)
    {
        if (!std::string(r.path()).starts_with("/link")) return std::nullopt;
        net::ws_callbacks cb;
        auto self = shared_from_this();
        cb.on_open = [self](net::ws_peer p) {
            bool hello;
            bool kill;
            {
                std::lock_guard lock(self->mutex);
                hello = self->send_hello;
                kill = self->kill_after_hello;
                self->opened_at.push_back(std::chrono::steady_clock::now());
            }
            if (hello)
                p.send(json{{"type", "hello"}, {"num_connections", 1}, {"connection_info", {{"app_id", "A1"}}}}.dump());
            if (kill) p.close(1011);
        };
        cb.on_message = [self](net::ws_peer p, std::string text, bool) {
            auto j = json::parse(text, nullptr, false);
            fake_slack_ack a;
            a.at = std::chrono::steady_clock::now();
            if (!j.is_object() || !j.contains("envelope_id") || !j["envelope_id"].is_string()) return;
            a.envelope_id = j["envelope_id"].get<std::string>();
            if (j.contains("payload")) a.payload = j["payload"];
            a.connection = self->server->number(p);
            std::lock_guard lock(self->mutex);
            self->acks.push_back(std::move(a));
        };
        cb.on_close = [](net::ws_peer, int) {};
        return cb;
    }
};

fake_slack::fake_slack(std::string bot_user, std::string team) : impl_(std::make_shared<impl>())
{
    impl_->bot_user = std::move(bot_user);
    impl_->team = std::move(team);
    auto i = impl_.get();
    impl_->server = std::make_unique<fake_server>(
        "fake slack", [i](const net::server_request& r) { return i->handle(r); },
        [i](const net::server_request& r) { return i->route(r); });
}

fake_slack::~fake_slack()
{
    impl_->server->stop();
    impl_->server.reset();
}

std::uint16_t fake_slack::port() const noexcept { return impl_->server->port(); }
std::string fake_slack::api_base() const { return impl_->server->url() + "/api"; }
std::string fake_slack::response_prefix() const { return impl_->server->url() + "/response/"; }
std::string fake_slack::response_url(const std::string& name) const { return response_prefix() + name; }

void fake_slack::on_web(web_hook hook)
{
    std::lock_guard lock(impl_->mutex);
    impl_->hook = std::move(hook);
}
void fake_slack::make_admin(const std::string& user)
{
    std::lock_guard lock(impl_->mutex);
    impl_->admins.insert(user);
}
void fake_slack::set_group(std::vector<std::string> members)
{
    std::lock_guard lock(impl_->mutex);
    impl_->group = std::move(members);
}
void fake_slack::put_outside_channel(const std::string& user)
{
    std::lock_guard lock(impl_->mutex);
    impl_->outside.insert(user);
}
void fake_slack::set_members(std::vector<json> members)
{
    std::lock_guard lock(impl_->mutex);
    impl_->members = std::move(members);
}
std::vector<fake_slack_call> fake_slack::calls() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->calls;
}
std::vector<fake_slack_call> fake_slack::calls(const std::string& method) const
{
    std::vector<fake_slack_call> out;
    for (auto& c : calls())
        if (c.method == method) out.push_back(c);
    return out;
}

int fake_slack::connections() const { return impl_->server->connections(); }
int fake_slack::open_connections() const { return impl_->server->open_connections(); }
void fake_slack::set_kill_after_hello(bool kill)
{
    std::lock_guard lock(impl_->mutex);
    impl_->kill_after_hello = kill;
}

std::vector<std::chrono::steady_clock::time_point> fake_slack::connection_times() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->opened_at;
}

void fake_slack::set_send_hello(bool send)
{
    std::lock_guard lock(impl_->mutex);
    impl_->send_hello = send;
}
std::string fake_slack::send(json envelope, int connection)
{
    std::string id = envelope.is_object() && envelope.contains("envelope_id") && envelope["envelope_id"].is_string()
                         ? envelope["envelope_id"].get<std::string>()
                         : std::string{};
    auto text = envelope.dump();
    impl_->server->on_thread([&] {
        impl_->server->peer(connection).send(text);
        int n = connection < 0 ? impl_->server->connections() - 1 : connection;
        std::lock_guard lock(impl_->mutex);
        impl_->sent[n].push_back(id);
    });
    return id;
}
void fake_slack::send_raw(std::string text, int connection)
{
    impl_->server->on_thread([&] { impl_->server->peer(connection).send(text); });
}
void fake_slack::disconnect(std::string reason, int connection)
{
    send(json{{"type", "disconnect"}, {"reason", reason}, {"debug_info", {{"host", "fake"}}}}, connection);
}
void fake_slack::close(int connection)
{
    impl_->server->on_thread([&] { impl_->server->peer(connection).close(1000); });
}
std::vector<fake_slack_ack> fake_slack::acks() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->acks;
}
std::optional<fake_slack_ack> fake_slack::ack_for(const std::string& envelope_id) const
{
    for (auto& a : acks())
        if (a.envelope_id == envelope_id) return a;
    return std::nullopt;
}
std::vector<std::string> fake_slack::sent_at_connection(int connection) const
{
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->sent.find(connection);
    return it == impl_->sent.end() ? std::vector<std::string>{} : it->second;
}

json fake_slack::message_envelope(const std::string& envelope_id, const std::string& event_id, const std::string& user,
                                  const std::string& text, const std::string& ts, const std::string& channel,
                                  const std::string& thread_ts)
{
    json event{{"type", "message"}, {"user", user},       {"text", text},
               {"ts", ts},          {"channel", channel}, {"event_ts", ts},
               {"team", "T1"},      {"channel_type", "channel"}};
    if (!thread_ts.empty()) event["thread_ts"] = thread_ts;
    return {{"envelope_id", envelope_id},
            {"type", "events_api"},
            {"accepts_response_payload", false},
            {"retry_attempt", 0},
            {"retry_reason", ""},
            {"payload",
             {{"team_id", "T1"},
              {"api_app_id", "A1"},
              {"type", "event_callback"},
              {"event_id", event_id},
              {"event_time", 1700000000},
              {"event", std::move(event)}}}};
}

json fake_slack::slash_envelope(const std::string& envelope_id, const std::string& command, const std::string& text,
                                const std::string& user, const std::string& response_url, const std::string& channel)
{
    return {{"envelope_id", envelope_id},
            {"type", "slash_commands"},
            {"accepts_response_payload", true},
            {"payload",
             {{"team_id", "T1"},
              {"team_domain", "example"},
              {"channel_id", channel},
              {"channel_name", "general"},
              {"user_id", user},
              {"user_name", user},
              {"command", command},
              {"text", text},
              {"api_app_id", "A1"},
              {"response_url", response_url},
              {"trigger_id", "trig-" + envelope_id}}}};
}

json fake_slack::button_envelope(const std::string& envelope_id, const std::string& action_id, const std::string& user,
                                 const std::string& response_url, const std::string& channel)
{
    return {{"envelope_id", envelope_id},
            {"type", "interactive"},
            {"accepts_response_payload", false},
            {"payload",
             {{"type", "block_actions"},
              {"user", {{"id", user}, {"name", user}, {"team_id", "T1"}}},
              {"team", {{"id", "T1"}}},
              {"channel", {{"id", channel}}},
              {"container", {{"type", "message"}, {"is_ephemeral", true}}},
              {"response_url", response_url},
              {"trigger_id", "trig-" + envelope_id},
              {"actions", json::array({{{"type", "button"}, {"action_id", action_id}, {"value", action_id},
                                        {"action_ts", "1700000000.1"}}})}}}};
}

json fake_slack::shortcut_envelope(const std::string& envelope_id, const std::string& user,
                                   const std::string& target_user, const std::string& target_text,
                                   const std::string& target_ts, const std::string& response_url,
                                   const std::string& channel)
{
    return {{"envelope_id", envelope_id},
            {"type", "interactive"},
            {"accepts_response_payload", false},
            {"payload",
             {{"type", "message_action"},
              {"callback_id", "suggest_reply"},
              {"user", {{"id", user}, {"name", user}, {"team_id", "T1"}}},
              {"team", {{"id", "T1"}}},
              {"channel", {{"id", channel}}},
              {"response_url", response_url},
              {"trigger_id", "trig-" + envelope_id},
              {"message", {{"type", "message"}, {"user", target_user}, {"text", target_text}, {"ts", target_ts}}}}}};
}

}  // namespace nudgebot::test
