#include "platforms/mattermost/adapter.hpp"

// GCC 12 reports a false -Wmismatched-new-delete for Asio's coroutine frames (aligned_alloc).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include "core/command_spec.hpp"
#include "core/command_text.hpp"
#include "core/metrics.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"
#include "net/url.hpp"
#include "net/websocket.hpp"
#include "platforms/json_fields.hpp"
#include "platforms/text_limit.hpp"
#include "platforms/mattermost/log.hpp"
#include "platforms/mattermost/normalise.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <deque>
#include <random>
#include <unordered_map>
#include <unordered_set>

namespace nudgebot::mattermost {

namespace asio = boost::asio;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;
using platforms::text_of;
using platforms::truncate_utf8;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_message_chars = 4000;
constexpr std::size_t dedupe_limit = 20000;

core::metric_counter& counter(std::string_view name, const core::metric_labels& labels = {})
{
    return core::metrics::global().counter(name, labels);
}

bool same_secret(std::string_view a, std::string_view b)
{
    if (a.size() != b.size() || a.empty()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool has_word(std::string_view words, std::string_view word)
{
    std::size_t at = 0;
    while (at < words.size()) {
        auto end = words.find(' ', at);
        if (end == std::string_view::npos) end = words.size();
        if (words.substr(at, end - at) == word) return true;
        at = end + 1;
    }
    return false;
}

void finish(const core::delivery_callback& done, core::delivery_outcome outcome, std::string_view kind)
{
    std::string_view name = outcome == core::delivery_outcome::delivered       ? "delivered"
                            : outcome == core::delivery_outcome::undeliverable ? "undeliverable"
                                                                               : "failed";
    counter("mattermost_deliveries_total", {{"kind", std::string(kind)}, {"outcome", std::string(name)}}).add();
    if (done) done(outcome);
}

struct rest_result {
    int status = 0;
    json body;
    std::string error;
    bool ok() const noexcept { return status >= 200 && status < 300; }
};

}  // namespace

struct adapter::impl : std::enable_shared_from_this<adapter::impl> {
    asio::io_context& ioc;
    settings cfg;
    event_sink sink;
    const core::clock& clock;
    net::http_client http;
    std::shared_ptr<spdlog::logger> log = mattermost_log();

    std::string bot_user;
    bool ephemeral_allowed = false;
    bool stopping = false;
    bool finished = false;
    int exit_code = 0;
    bool connected = false;
    bool ready_emitted = false;
    std::uint64_t opened = 0;
    std::string connection_id;
    std::int64_t last_seq = -1;
    std::shared_ptr<net::ws_connection> ws;
    net::backoff backoff;
    std::unordered_set<std::shared_ptr<asio::steady_timer>> timers;

    std::unordered_set<std::string> seen;
    std::deque<std::string> seen_order;
    struct cached_flag {
        bool value = false;
        steady::time_point expires;
    };
    std::unordered_map<std::string, cached_flag> moderators;
    std::unordered_map<std::string, std::string> dm_channels;
    std::uint64_t next_handle = 0;

    impl(asio::io_context& c, settings s, event_sink k, const core::clock& cl)
        : ioc(c), cfg(std::move(s)), sink(std::move(k)), clock(cl), http(c),
          backoff(cfg.reconnect_backoff_base, cfg.reconnect_backoff_cap)
    {
        while (!cfg.server_url.empty() && cfg.server_url.back() == '/') cfg.server_url.pop_back();
        while (!cfg.http_prefix.empty() && cfg.http_prefix.back() == '/') cfg.http_prefix.pop_back();
    }

    asio::awaitable<void> sleep_for(steady::duration d)
    {
        auto t = std::make_shared<asio::steady_timer>(ioc, std::max(d, steady::duration(std::chrono::milliseconds(1))));
        timers.insert(t);
        co_await t->async_wait(tuple_awaitable);
        timers.erase(t);
    }

    void emit(core::event e)
    {
        try {
            if (sink) sink(std::move(e));
        } catch (const std::exception& ex) {
            counter("mattermost_sink_errors_total").add();
            log->error("event handler threw: {}", ex.what());
        }
    }

    // ------------------------------------------------------------------------------ REST
    asio::awaitable<rest_result> rest(std::string method, std::string path, json body)
    {
        auto self = shared_from_this();
        rest_result out;
        for (int attempt = 1; attempt <= cfg.rest_max_attempts && !stopping; ++attempt) {
            net::http_request req;
            req.method = method;
            req.url = cfg.server_url + "/api/v4" + path;
            req.timeout = cfg.rest_timeout;
            req.headers.push_back({"Authorization", "Bearer " + cfg.token});
            req.headers.push_back({"X-Requested-With", "XMLHttpRequest"});
            if (!body.is_null()) {
                req.body = body.dump();
                req.headers.push_back({"Content-Type", "application/json"});
            }
            auto r = co_await http.request(std::move(req));
            out.status = r.status;
            if (r.status == 429) {
                counter("mattermost_rest_rate_limited_total").add();
                std::int64_t secs = 1;
                auto h = r.header("Retry-After");
                if (h.empty()) h = r.header("X-Ratelimit-Reset");
                std::from_chars(h.data(), h.data() + h.size(), secs);
                secs = std::clamp<std::int64_t>(secs, 0, 120);
                log->warn("{} {}: rate limited, retrying after {} s", method, path.substr(0, path.find('/', 1)), secs);
                co_await sleep_for(std::chrono::seconds(secs));
                continue;
            }
            if (r.status == 0 || r.status >= 500) {
                counter("mattermost_rest_errors_total", {{"kind", r.status == 0 ? "transport" : "5xx"}}).add();
                out.error = r.status == 0 ? r.error : "http_" + std::to_string(r.status);
                if (attempt < cfg.rest_max_attempts) co_await sleep_for(cfg.rest_retry_base * (1 << (attempt - 1)));
                continue;
            }
            out.body = json::parse(r.body, nullptr, false);
            if (!out.ok()) {
                out.error = text_of(out.body, "id");
                if (out.error.empty()) out.error = "http_" + std::to_string(r.status);
                counter("mattermost_rest_errors_total", {{"kind", "api"}}).add();
            }
            co_return out;
        }
        if (out.error.empty()) out.error = stopping ? "stopping" : "rate_limited";
        co_return out;
    }

    // ------------------------------------------------------------------------------ start-up
    asio::awaitable<void> boot()
    {
        auto self = shared_from_this();
        net::backoff wait(cfg.reconnect_backoff_base, cfg.reconnect_backoff_cap);
        std::string roles;
        while (!stopping) {
            std::string method = "GET", path = "/users/me";
            auto r = co_await rest(method, path, json());
            if (r.ok()) {
                bot_user = text_of(r.body, "id");
                roles = text_of(r.body, "roles");
                break;
            }
            if (r.status == 401 || r.status == 403) {
                log->error("cannot run: Mattermost rejected the bot token (GET /users/me answered {})", r.status);
                finished = true;
                exit_code = 1;
                stopping = true;
                co_return;
            }
            auto w = wait.next();
            log->warn("GET /users/me failed ({}); retrying in {} ms", r.error, w.count());
            co_await sleep_for(w);
        }
        if (stopping) co_return;
        co_await discover_ephemeral(roles);
        asio::co_spawn(ioc, run_socket(), asio::detached);
    }

    // Ephemeral posts need create_post_ephemeral, which by default only system admins have.
    asio::awaitable<void> discover_ephemeral(std::string roles)
    {
        json names = json::array();
        std::size_t at = 0;
        while (at < roles.size()) {
            auto end = roles.find(' ', at);
            if (end == std::string::npos) end = roles.size();
            if (end > at) names.push_back(roles.substr(at, end - at));
            at = end + 1;
        }
        if (has_word(roles, "system_admin")) {
            ephemeral_allowed = true;
        } else if (!names.empty()) {
            std::string method = "POST", path = "/roles/names";
            auto r = co_await rest(method, path, std::move(names));
            if (r.ok() && r.body.is_array())
                for (const auto& role : r.body)
                    if (role.is_object() && role.contains("permissions") && role["permissions"].is_array())
                        for (const auto& p : role["permissions"])
                            if (p.is_string() && p.get_ref<const std::string&>() == "create_post_ephemeral")
                                ephemeral_allowed = true;
        }
        if (ephemeral_allowed)
            log->info("the bot may post ephemeral messages: nudges appear privately in the channel");
        else
            log->info("the bot may not post ephemeral messages (create_post_ephemeral): nudges are sent as DMs");
    }

    // ------------------------------------------------------------------------------ websocket
    std::string socket_url() const
    {
        std::string base = cfg.server_url;
        if (base.starts_with("https://")) base = "wss://" + base.substr(8);
        else if (base.starts_with("http://")) base = "ws://" + base.substr(7);
        auto url = base + "/api/v4/websocket";
        if (!connection_id.empty()) {
            url = net::with_query(url, "connection_id", connection_id);
            url = net::with_query(url, "sequence_number", std::to_string(last_seq + 1));
        }
        return url;
    }

    asio::awaitable<void> run_socket()
    {
        auto self = shared_from_this();
        bool first = true;
        while (!stopping) {
            if (!first) counter("mattermost_socket_reconnects_total").add();
            first = false;
            net::ws_options opts;
            opts.handshake_timeout = cfg.connect_timeout;
            opts.close_timeout = cfg.close_timeout;
            opts.max_message_bytes = cfg.max_frame_bytes;
            opts.keepalive = cfg.keepalive;
            if (!cfg.authentication_challenge) opts.headers.push_back({"Authorization", "Bearer " + cfg.token});
            ws = std::make_shared<net::ws_connection>(ioc, opts);
            auto err = co_await ws->connect(socket_url());
            if (stopping) break;
            if (!err.empty()) {
                counter("mattermost_socket_errors_total", {{"kind", "connect"}}).add();
                auto w = backoff.next();
                log->warn("websocket connect failed ({}); retrying in {} ms", err, w.count());
                co_await sleep_for(w);
                continue;
            }
            ++opened;
            if (cfg.authentication_challenge) {
                json challenge;
                challenge["seq"] = 1;
                challenge["action"] = "authentication_challenge";
                challenge["data"]["token"] = cfg.token;
                ws->send(challenge.dump(), net::ws_lane::priority);
            }
            auto conn = ws;
            bool healthy = co_await read_loop(conn);
            connected = false;
            conn->abort();
            if (stopping) break;
            auto w = healthy ? std::chrono::milliseconds(cfg.reconnect_backoff_base.count() / 4 + 1) : backoff.next();
            log->info("websocket ended; reconnecting in {} ms (resuming at sequence {})", w.count(), last_seq + 1);
            co_await sleep_for(w);
        }
        ws.reset();
    }

    // Returns true when the connection had said hello (a quick reconnect is then fine).
    asio::awaitable<bool> read_loop(std::shared_ptr<net::ws_connection> conn)
    {
        bool hello = false;
        for (;;) {
            auto r = co_await conn->read();
            if (stopping || !r.ok) {
                if (!stopping) log->info("websocket closed ({}: {})", r.close_code, r.error);
                co_return hello;
            }
            counter("mattermost_socket_frames_total").add();
            auto j = json::parse(r.data, nullptr, false);
            if (!j.is_object()) {
                counter("mattermost_socket_errors_total", {{"kind", "malformed"}}).add();
                log->warn("skipped a malformed websocket frame ({} bytes)", r.data.size());
                continue;
            }
            if (j.contains("seq_reply")) {
                if (text_of(j, "status") == "FAIL") {
                    counter("mattermost_socket_errors_total", {{"kind", "request_failed"}}).add();
                    log->error("the server refused a websocket request ({})", j.contains("error") ? text_of(j["error"], "id") : "");
                }
                continue;
            }
            auto event = text_of(j, "event");
            if (event.empty()) {
                counter("mattermost_socket_errors_total", {{"kind", "malformed"}}).add();
                continue;
            }
            std::int64_t seq = -1;
            if (auto s = j.find("seq"); s != j.end() && s->is_number_integer()) seq = s->get<std::int64_t>();
            if (event == "hello") {
                hello = true;
                on_hello(j, seq);
                continue;
            }
            if (seq >= 0) {
                if (seq <= last_seq) {
                    counter("mattermost_duplicates_total").add();
                    continue;
                }
                if (seq > last_seq + 1 && last_seq >= 0) {
                    counter("mattermost_sequence_gaps_total").add();
                    log->warn("websocket sequence jumped from {} to {}: some events were missed", last_seq, seq);
                }
                last_seq = seq;
            }
            handle_event(j);
        }
    }

    void on_hello(const json& j, std::int64_t seq)
    {
        const json* data = j.contains("data") ? &j["data"] : nullptr;
        auto id = data ? text_of(*data, "connection_id") : std::string{};
        if (bot_user.empty() && j.contains("broadcast")) bot_user = text_of(j["broadcast"], "user_id");
        if (!connection_id.empty() && id != connection_id) {
            counter("mattermost_resume_failures_total").add();
            log->warn("the server started a new websocket session; events during the gap were not replayed");
        } else if (!connection_id.empty()) {
            log->info("websocket resumed; missed events are replayed from sequence {}", last_seq + 1);
        }
        if (id != connection_id) last_seq = seq >= 0 ? seq : 0;
        connection_id = id;
        connected = true;
        backoff.reset();
        if (!ready_emitted) {
            ready_emitted = true;
            emit(core::session_ready{core::platform::mattermost, core::user_id(bot_user), {}});
        }
    }

    void handle_event(const json& j)
    {
        auto n = normalise_event(j, bot_user);
        if (!n.event) {
            if (n.skipped == skip_reason::inner_json || n.skipped == skip_reason::malformed) {
                counter("mattermost_socket_errors_total",
                        {{"kind", n.skipped == skip_reason::inner_json ? "inner_json" : "malformed_event"}})
                    .add();
                log->warn("skipped a {} event whose post is not valid", text_of(j, "event"));
            }
            return;
        }
        if (!n.dedupe_key.empty()) {
            if (seen.count(n.dedupe_key)) {
                counter("mattermost_duplicates_total").add();
                return;
            }
            seen.insert(n.dedupe_key);
            seen_order.push_back(n.dedupe_key);
            while (seen_order.size() > dedupe_limit) {
                seen.erase(seen_order.front());
                seen_order.pop_front();
            }
        }
        counter("mattermost_events_total", {{"type", text_of(j, "event")}}).add();
        emit(std::move(*n.event));
    }

    // ------------------------------------------------------------------------------ HTTP endpoints
    std::optional<net::server_response> handle_http(const net::server_request& req)
    {
        auto path = req.path();
        if (path == cfg.http_prefix + "/command") return command_post(req);
        if (path == cfg.http_prefix + "/action") return action_post(req);
        return std::nullopt;
    }

    static net::server_response ephemeral_answer(const std::string& text)
    {
        json j;
        j["response_type"] = "ephemeral";
        j["text"] = text;
        return net::server_response::json(200, j.dump());
    }

    net::server_response command_post(const net::server_request& req)
    {
        if (req.method != "POST") return net::server_response::text(405, "POST only");
        auto form = parse_form(req.body);
        std::string token(req.header("Authorization"));
        if (token.starts_with("Token ")) token.erase(0, 6);
        else token = form["token"];
        bool ok = false;
        for (const auto& t : cfg.command_tokens) ok = same_secret(token, t) || ok;
        if (!ok) {
            counter("mattermost_http_rejected_total", {{"kind", "command_token"}}).add();
            log->warn("refused a slash-command POST from {} with a wrong or missing token", req.remote);
            return net::server_response::text(401, "unknown command token");
        }
        auto name = form["command"];
        if (!name.empty() && name.front() == '/') name.erase(0, 1);
        const auto* spec = core::find_command(name);
        if (!spec || spec->kind != core::command_kind::slash || form["user_id"].empty() || form["channel_id"].empty())
            return ephemeral_answer("nudgebot does not know that command. Try /nudge help.");
        auto parsed = core::parse_command_text(*spec, form["text"], channel_ref);
        if (!parsed.ok) return ephemeral_answer(parsed.error);
        core::command_invocation inv;
        inv.where = core::platform::mattermost;
        inv.server = core::server_id(form["team_id"]);
        inv.channel = core::channel_id(form["channel_id"]);
        inv.invoker = core::user_id(form["user_id"]);
        inv.invoker_name = form["user_name"];
        inv.name = spec->name;
        inv.path = std::move(parsed.path);
        inv.options = std::move(parsed.options);
        auto handle = form["trigger_id"];
        if (handle.empty()) handle = "cmd-" + std::to_string(++next_handle);
        inv.reply = core::reply_handle{core::platform::mattermost, handle, form["response_url"], clock.steady_now()};
        counter("mattermost_commands_total", {{"command", spec->name}}).add();
        asio::co_spawn(ioc, prepare_and_emit(std::move(inv), spec->moderator_only), asio::detached);
        // The answer follows through response_url; an empty 200 shows nothing now.
        return net::server_response::text(200, "");
    }

    asio::awaitable<void> prepare_and_emit(core::command_invocation inv, bool check_moderator)
    {
        auto self = shared_from_this();
        for (auto& [key, value] : inv.options) {
            if (!value.starts_with("~")) continue;
            std::string method = "GET";
            auto path = "/teams/" + inv.server.str() + "/channels/name/" + value.substr(1);
            auto r = co_await rest(method, path, json());
            auto id = r.ok() ? text_of(r.body, "id") : std::string{};
            if (id.empty()) {
                core::private_message m{"I could not find the channel " + value + " in this team.", {}};
                co_await do_answer(inv.reply, std::move(m), {});
                co_return;
            }
            value = id;
        }
        if (check_moderator) inv.invoker_is_moderator = co_await is_moderator(inv.invoker.str(), inv.server.str());
        if (!stopping) emit(std::move(inv));
    }

    asio::awaitable<bool> is_moderator(std::string user, std::string team)
    {
        auto key = team + ":" + user;
        auto now = clock.steady_now();
        if (auto it = moderators.find(key); it != moderators.end() && it->second.expires > now) co_return it->second.value;
        bool mod = false;
        bool known = false;
        std::string method = "GET";
        auto path = "/users/" + user;
        auto u = co_await rest(method, path, json());
        if (u.ok()) {
            known = true;
            mod = has_word(text_of(u.body, "roles"), "system_admin");
        }
        if (!mod && !team.empty()) {
            auto mpath = "/teams/" + team + "/members/" + user;
            auto m = co_await rest(method, mpath, json());
            if (m.ok()) {
                known = true;
                mod = has_word(text_of(m.body, "roles"), "team_admin") ||
                      (m.body.is_object() && m.body.contains("scheme_admin") && m.body["scheme_admin"].is_boolean() &&
                       m.body["scheme_admin"].get<bool>());
            }
        }
        if (!known) log->warn("could not look up the rights of user {}; not a moderator for now", user);
        else {
            if (moderators.size() >= cfg.moderator_cache_limit) moderators.clear();
            moderators[key] = {mod, clock.steady_now() + cfg.moderator_cache_ttl};
        }
        co_return mod;
    }

    net::server_response action_post(const net::server_request& req)
    {
        if (req.method != "POST") return net::server_response::text(405, "POST only");
        auto j = json::parse(req.body, nullptr, false);
        const json* ctx = j.is_object() && j.contains("context") && j["context"].is_object() ? &j["context"] : nullptr;
        if (!ctx || cfg.action_secret.empty() || !same_secret(text_of(*ctx, "secret"), cfg.action_secret)) {
            counter("mattermost_http_rejected_total", {{"kind", "action"}}).add();
            log->warn("refused an action POST from {} without a valid context", req.remote);
            return net::server_response::json(403, R"({"error":"invalid action"})");
        }
        auto user = text_of(j, "user_id");
        auto custom_id = text_of(*ctx, "custom_id");
        if (user.empty() || custom_id.empty() || custom_id.size() > 255) {
            counter("mattermost_http_rejected_total", {{"kind", "action"}}).add();
            return net::server_response::json(400, R"({"error":"incomplete action"})");
        }
        auto channel = text_of(j, "channel_id");
        auto handle = text_of(j, "trigger_id");
        if (handle.empty()) handle = "act-" + std::to_string(++next_handle);
        core::button_press press{core::platform::mattermost,
                                 core::server_id(text_of(j, "team_id")),
                                 core::channel_id(channel),
                                 core::user_id(user),
                                 custom_id,
                                 {core::platform::mattermost, handle, "to:" + user + ":" + channel, clock.steady_now()}};
        counter("mattermost_button_presses_total").add();
        emit(std::move(press));
        return net::server_response::json(200, "{}");
    }

    // ------------------------------------------------------------------------------ delivery
    json post_json(const std::string& channel, const core::private_message& m)
    {
        json post;
        post["channel_id"] = channel;
        post["message"] = truncate_utf8(m.text, max_message_chars);
        if (!m.buttons.empty() && !cfg.actions_url.empty()) {
            json actions = json::array();
            int n = 0;
            for (const auto& b : m.buttons) {
                json a;
                a["id"] = "nb" + std::to_string(n++);
                a["name"] = truncate_utf8(b.label, 80);
                a["type"] = "button";
                a["style"] = b.style == core::button_style::primary ? "primary"
                             : b.style == core::button_style::danger ? "danger"
                                                                     : "default";
                a["integration"]["url"] = cfg.actions_url;
                a["integration"]["context"]["custom_id"] = b.custom_id;
                a["integration"]["context"]["secret"] = cfg.action_secret;
                actions.push_back(std::move(a));
            }
            json attachment;
            attachment["actions"] = std::move(actions);
            post["props"]["attachments"] = json::array({std::move(attachment)});
        }
        return post;
    }

    asio::awaitable<void> do_send_private(std::string to, std::string channel, core::private_message m,
                                          core::delivery_callback done)
    {
        auto self = shared_from_this();
        if (ephemeral_allowed && !channel.empty()) {
            json body;
            body["user_id"] = to;
            body["post"] = post_json(channel, m);
            std::string method = "POST", path = "/posts/ephemeral";
            auto r = co_await rest(method, path, std::move(body));
            if (r.ok()) {
                finish(done, core::delivery_outcome::delivered, "ephemeral");
                co_return;
            }
            if (r.status == 403 && r.error.find("permission") != std::string::npos) {
                ephemeral_allowed = false;
                log->warn("the bot lost the permission to post ephemeral messages; nudges go as DMs from now on");
            }
            counter("mattermost_dm_fallbacks_total").add();
        }
        auto dm = co_await dm_channel(to);
        if (!dm) {
            finish(done, core::delivery_outcome::undeliverable, "dm");
            co_return;
        }
        std::string method = "POST", path = "/posts";
        auto r = co_await rest(method, path, post_json(*dm, m));
        finish(done,
               r.ok() ? core::delivery_outcome::delivered
                      : (r.status == 403 ? core::delivery_outcome::undeliverable : core::delivery_outcome::failed),
               "dm");
    }

    asio::awaitable<std::optional<std::string>> dm_channel(std::string user)
    {
        if (auto it = dm_channels.find(user); it != dm_channels.end()) co_return it->second;
        json members = json::array();
        members.push_back(bot_user);
        members.push_back(user);
        std::string method = "POST", path = "/channels/direct";
        auto r = co_await rest(method, path, std::move(members));
        auto id = r.ok() ? text_of(r.body, "id") : std::string{};
        if (id.empty()) {
            log->info("cannot open a DM with user {} ({})", user, r.error);
            co_return std::nullopt;
        }
        if (dm_channels.size() >= 10000) dm_channels.clear();
        dm_channels[user] = id;
        co_return id;
    }

    asio::awaitable<void> do_answer(core::reply_handle reply, core::private_message m, core::delivery_callback done)
    {
        auto self = shared_from_this();
        if (reply.token.starts_with("to:")) {
            auto rest_of = reply.token.substr(3);
            auto colon = rest_of.find(':');
            auto user = rest_of.substr(0, colon);
            auto channel = colon == std::string::npos ? std::string{} : rest_of.substr(colon + 1);
            co_await do_send_private(user, channel, std::move(m), std::move(done));
            co_return;
        }
        // A response_url must point back at the configured server.
        if (reply.token.empty() || !reply.token.starts_with(cfg.server_url + "/")) {
            counter("mattermost_http_rejected_total", {{"kind", "response_url"}}).add();
            finish(done, core::delivery_outcome::failed, "answer");
            co_return;
        }
        json body = post_json("", m);
        body.erase("channel_id");
        body["response_type"] = "ephemeral";
        body["text"] = body["message"];
        body.erase("message");
        bool ok = false;
        for (int attempt = 1; attempt <= cfg.rest_max_attempts && !stopping && !ok; ++attempt) {
            net::http_request req;
            req.method = "POST";
            req.url = reply.token;
            req.timeout = cfg.rest_timeout;
            req.body = body.dump();
            req.headers.push_back({"Content-Type", "application/json"});
            auto r = co_await http.request(std::move(req));
            if (r.status >= 200 && r.status < 300) ok = true;
            else if (r.status != 0 && r.status < 500 && r.status != 429) break;
            else co_await sleep_for(cfg.rest_retry_base * (1 << (attempt - 1)));
        }
        finish(done, ok ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "answer");
    }

    asio::awaitable<void> do_post(std::string channel, core::private_message m, core::delivery_callback done)
    {
        auto self = shared_from_this();
        std::string method = "POST", path = "/posts";
        auto r = co_await rest(method, path, post_json(channel, m));
        if (!r.ok()) log->warn("posting to channel {} failed ({})", channel, r.error);
        finish(done, r.ok() ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "channel");
    }

    void stop()
    {
        stopping = true;
        finished = true;
        if (ws) ws->close(1000);
        for (auto& t : timers) t->cancel();
    }
};

adapter::adapter(asio::io_context& ioc, settings s, event_sink sink, const core::clock& clock)
    : impl_(std::make_shared<impl>(ioc, std::move(s), std::move(sink), clock))
{}

adapter::~adapter() { impl_->stop(); }

void adapter::start() { asio::co_spawn(impl_->ioc, impl_->boot(), asio::detached); }

void adapter::stop()
{
    asio::post(impl_->ioc, [i = impl_] { i->stop(); });
}

adapter_status adapter::status() const
{
    adapter_status s;
    s.connected = impl_->connected;
    s.finished = impl_->finished;
    s.exit_code = impl_->exit_code;
    s.ephemeral_allowed = impl_->ephemeral_allowed;
    s.connections_opened = impl_->opened;
    s.connection_id = impl_->connection_id;
    s.last_sequence = impl_->last_seq;
    s.bot_user_id = impl_->bot_user;
    return s;
}

std::optional<net::server_response> adapter::handle_http(const net::server_request& request)
{
    try {
        return impl_->handle_http(request);
    } catch (const std::exception& ex) {
        counter("mattermost_http_rejected_total", {{"kind", "error"}}).add();
        impl_->log->error("HTTP handler failed: {}", ex.what());
        return net::server_response::text(500, "internal error");
    }
}

void adapter::send_private(const core::user_id& to, const core::server_id&, const core::channel_id& channel,
                           core::private_message message, core::delivery_callback done)
{
    asio::post(impl_->ioc, [i = impl_, to = to.str(), c = channel.str(), m = std::move(message), d = std::move(done)]() mutable {
        asio::co_spawn(i->ioc, i->do_send_private(to, c, std::move(m), std::move(d)), asio::detached);
    });
}

void adapter::answer_privately(const core::reply_handle& reply, core::private_message message,
                               core::delivery_callback done)
{
    asio::post(impl_->ioc, [i = impl_, reply, m = std::move(message), d = std::move(done)]() mutable {
        asio::co_spawn(i->ioc, i->do_answer(reply, std::move(m), std::move(d)), asio::detached);
    });
}

void adapter::defer(const core::reply_handle&)
{
    // The slash-command POST was answered at once; response_url stays valid for 30 minutes.
    counter("mattermost_deferred_total").add();
}

void adapter::post_to_channel(const core::server_id&, const core::channel_id& channel, core::private_message message,
                              core::delivery_callback done)
{
    asio::post(impl_->ioc, [i = impl_, c = channel.str(), m = std::move(message), d = std::move(done)]() mutable {
        asio::co_spawn(i->ioc, i->do_post(c, std::move(m), std::move(d)), asio::detached);
    });
}

std::string adapter::message_link(const core::server_id&, const core::channel_id&, const core::message_id& message) const
{
    return impl_->cfg.server_url + "/_redirect/pl/" + message.str();
}

}  // namespace nudgebot::mattermost
