#include "platforms/slack/adapter.hpp"

// GCC 12 reports a false -Wmismatched-new-delete for Asio's coroutine frames (aligned_alloc).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include "core/metrics.hpp"
#include "net/backoff.hpp"
#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "net/url.hpp"
#include "net/websocket.hpp"
#include "platforms/json_fields.hpp"
#include "platforms/text_limit.hpp"
#include "platforms/slack/log.hpp"
#include "platforms/slack/normalise.hpp"

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
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace nudgebot::slack {

namespace asio = boost::asio;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;
using platforms::field;
using platforms::text_of;
using platforms::truncate_utf8;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_text_chars = 3000;   // a section block's limit

core::metric_counter& counter(std::string_view name, const core::metric_labels& labels = {})
{
    return core::metrics::global().counter(name, labels);
}

// Text plus Block Kit: the text as a mrkdwn section, the buttons in one actions block.
json message_json(const core::private_message& m)
{
    auto text = truncate_utf8(to_mrkdwn(m.text), max_text_chars);
    json body{{"text", text}};
    if (!m.buttons.empty()) {
        json blocks = json::array();
        blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}});
        json elements = json::array();
        for (const auto& b : m.buttons) {
            if (elements.size() == 25) break;
            json e{{"type", "button"},
                   {"text", {{"type", "plain_text"}, {"text", truncate_utf8(b.label, 75)}}},
                   {"action_id", b.custom_id.substr(0, 255)},
                   {"value", b.custom_id.substr(0, 2000)}};
            if (b.style == core::button_style::primary) e["style"] = "primary";
            if (b.style == core::button_style::danger) e["style"] = "danger";
            elements.push_back(std::move(e));
        }
        blocks.push_back({{"type", "actions"}, {"elements", std::move(elements)}});
        body["blocks"] = std::move(blocks);
    }
    return body;
}

void finish(const core::delivery_callback& done, core::delivery_outcome outcome, std::string_view kind)
{
    std::string_view name = outcome == core::delivery_outcome::delivered       ? "delivered"
                            : outcome == core::delivery_outcome::undeliverable ? "undeliverable"
                                                                               : "failed";
    counter("slack_deliveries_total", {{"kind", std::string(kind)}, {"outcome", std::string(name)}}).add();
    if (done) done(outcome);
}

// Per-minute budgets of the Web API tiers nudgebot uses (chat.* are per channel).
double tier_per_minute(std::string_view method)
{
    if (method == "users.info" || method == "auth.test") return 100;
    if (method == "conversations.open") return 50;
    if (method == "usergroups.users.list") return 20;
    if (method.starts_with("chat.")) return 60;
    return 20;
}

struct web_result {
    int status = 0;
    bool ok = false;            // HTTP 2xx and "ok": true
    std::string error;          // Slack's error code, or why no answer arrived
    json body;
};

// Ephemeral delivery failed in a way a DM can fix.
bool dm_can_help(std::string_view error)
{
    return error == "user_not_in_channel" || error == "channel_not_found" || error == "not_in_channel" ||
           error == "is_archived" || error == "restricted_action";
}

bool bool_field(const json& j, const char* key)
{
    const json* f = field(j, key);
    return f && f->is_boolean() && f->get<bool>();
}

bool fatal_auth_error(std::string_view error)
{
    return error == "invalid_auth" || error == "not_authed" || error == "account_inactive" ||
           error == "token_revoked" || error == "not_allowed_token_type" || error == "missing_scope";
}

}  // namespace

struct adapter::impl : std::enable_shared_from_this<adapter::impl> {
    asio::io_context& ioc;
    settings cfg;
    event_sink sink;
    const core::clock& clock;
    net::http_client http;
    std::shared_ptr<spdlog::logger> log = slack_log();

    std::string bot_user;
    std::string team;
    bool stopping = false;
    bool finished = false;
    int exit_code = 0;
    bool ready_emitted = false;

    // Connections: id → socket. `current` said hello last; `replacing` is set while a new one is
    // being opened after a disconnect (or a drop).
    std::map<std::uint64_t, std::shared_ptr<net::ws_connection>> sockets;
    std::uint64_t next_id = 0;
    std::uint64_t current = 0;
    bool replacing = false;
    std::uint64_t opened = 0;
    net::backoff backoff;
    std::unordered_set<std::shared_ptr<asio::steady_timer>> timers;

    // Retried envelopes: key → when it was first seen.
    std::unordered_map<std::string, steady::time_point> seen;
    std::deque<std::pair<steady::time_point, std::string>> seen_order;

    std::unordered_map<std::string, net::token_bucket> buckets;
    std::unordered_map<std::string, steady::time_point> blocked_until;   // 429 per method

    struct cached_flag {
        bool value = false;
        steady::time_point expires;
    };
    std::unordered_map<std::string, cached_flag> moderators;
    std::unordered_set<std::string> group_members;
    steady::time_point group_expires{};
    std::unordered_map<std::string, std::string> dm_channels;

    impl(asio::io_context& c, settings s, event_sink k, const core::clock& cl)
        : ioc(c), cfg(std::move(s)), sink(std::move(k)), clock(cl), http(c),
          backoff(cfg.reconnect_backoff_base, cfg.reconnect_backoff_cap)
    {}

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
            counter("slack_sink_errors_total").add();
            log->error("event handler threw: {}", ex.what());
        }
    }

    void fail_start(std::string_view why)
    {
        log->error("cannot run: {}", why);
        finished = true;
        exit_code = 1;
        stopping = true;
    }

    // ------------------------------------------------------------------------------ Web API
    asio::awaitable<net::http_response> send_http(net::http_request req)
    {
        req.timeout = cfg.web_timeout;
        co_return co_await http.request(std::move(req));
    }

    // One Web API method; waits for its tier budget, honours 429 Retry-After, retries transport
    // failures and 5xx. `get` sends args as a query (methods that do not take JSON bodies).
    asio::awaitable<web_result> web(std::string method, json args, bool get = false, bool app_token = false,
                                    std::string bucket_key = {})
    {
        auto self = shared_from_this();
        web_result out;
        if (bucket_key.empty()) bucket_key = method;
        for (int attempt = 1; attempt <= cfg.web_max_attempts && !stopping; ++attempt) {
            auto now = clock.steady_now();
            if (auto b = blocked_until.find(method); b != blocked_until.end() && b->second > now)
                co_await sleep_for(b->second - now);
            if (!app_token) {
                auto it = buckets.find(bucket_key);
                if (it == buckets.end())
                    it = buckets.emplace(bucket_key, net::token_bucket(tier_per_minute(method), std::chrono::minutes(1),
                                                                        clock.steady_now())).first;
                if (buckets.size() > 10000) buckets.clear();   // bounded: forgets idle channels
                else
                    while (!stopping && !it->second.try_acquire(clock.steady_now()))
                        co_await sleep_for(it->second.wait_time(clock.steady_now()));
            }
            net::http_request req;
            req.method = get ? "GET" : "POST";
            req.url = cfg.api_base + "/" + method;
            if (get) {
                for (auto& [k, v] : args.items())
                    req.url = net::with_query(req.url, k, v.is_string() ? v.get<std::string>() : v.dump());
            } else if (!args.is_null()) {
                req.body = args.dump();
                req.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
            }
            req.headers.push_back({"Authorization", "Bearer " + (app_token ? cfg.app_token : cfg.bot_token)});
            auto r = co_await send_http(std::move(req));
            out.status = r.status;
            if (r.status == 429) {
                counter("slack_web_rate_limited_total", {{"method", method}}).add();
                std::int64_t secs = 1;
                auto h = r.header("Retry-After");
                std::from_chars(h.data(), h.data() + h.size(), secs);
                auto wait = std::chrono::milliseconds(std::max<std::int64_t>(secs, 0) * 1000);
                if (wait > cfg.max_retry_after) {
                    out.error = "ratelimited";
                    co_return out;
                }
                log->warn("{}: rate limited, retrying after {} s", method, secs);
                blocked_until[method] = clock.steady_now() + wait;
                continue;
            }
            if (r.status == 0 || r.status >= 500) {
                counter("slack_web_errors_total", {{"method", method}, {"kind", r.status == 0 ? "transport" : "5xx"}}).add();
                out.error = r.status == 0 ? r.error : "http_" + std::to_string(r.status);
                if (attempt < cfg.web_max_attempts) co_await sleep_for(cfg.web_retry_base * (1 << (attempt - 1)));
                continue;
            }
            out.body = json::parse(r.body, nullptr, false);
            if (!out.body.is_object()) {
                out.error = r.status >= 200 && r.status < 300 ? "invalid_response" : "http_" + std::to_string(r.status);
                co_return out;
            }
            auto ok = out.body.find("ok");
            out.ok = r.status >= 200 && r.status < 300 && ok != out.body.end() && ok->is_boolean() && ok->get<bool>();
            if (!out.ok) {
                auto e = out.body.find("error");
                out.error = e != out.body.end() && e->is_string() ? e->get<std::string>() : "http_" + std::to_string(r.status);
                counter("slack_web_errors_total", {{"method", method}, {"kind", "api"}}).add();
            }
            co_return out;
        }
        if (out.error.empty()) out.error = stopping ? "stopping" : "ratelimited";
        co_return out;
    }

    // POSTs an answer to a response_url (no token: the URL itself is the credential).
    asio::awaitable<bool> post_response_url(std::string url, json body)
    {
        auto self = shared_from_this();
        if (url.empty() || !url.starts_with(cfg.response_url_prefix)) {
            counter("slack_web_errors_total", {{"method", "response_url"}, {"kind", "refused_url"}}).add();
            log->warn("refusing to answer through a response_url outside {}", cfg.response_url_prefix);
            co_return false;
        }
        for (int attempt = 1; attempt <= cfg.web_max_attempts && !stopping; ++attempt) {
            net::http_request req;
            req.method = "POST";
            req.url = url;
            req.body = body.dump();
            req.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
            auto r = co_await send_http(std::move(req));
            if (r.status >= 200 && r.status < 300) co_return true;
            if (r.status == 429) {
                std::int64_t secs = 1;
                auto h = r.header("Retry-After");
                std::from_chars(h.data(), h.data() + h.size(), secs);
                counter("slack_web_rate_limited_total", {{"method", "response_url"}}).add();
                co_await sleep_for(std::chrono::seconds(std::clamp<std::int64_t>(secs, 0, 60)));
                continue;
            }
            if (r.status != 0 && r.status < 500) co_return false;   // expired or used up
            co_await sleep_for(cfg.web_retry_base * (1 << (attempt - 1)));
        }
        co_return false;
    }

    // ------------------------------------------------------------------------------ start-up
    asio::awaitable<void> boot()
    {
        auto self = shared_from_this();
        net::backoff wait(cfg.reconnect_backoff_base, cfg.reconnect_backoff_cap);
        while (!stopping) {
            std::string method = "auth.test";
            auto r = co_await web(method, json::object());
            if (r.ok) {
                bot_user = text_of(r.body, "user_id");
                team = text_of(r.body, "team_id");
                log->info("bot user {} in workspace {}", bot_user, team);
                break;
            }
            if (fatal_auth_error(r.error)) {
                fail_start("Slack rejected the bot token (auth.test: " + r.error + ")");
                co_return;
            }
            auto w = wait.next();
            log->warn("auth.test failed ({}); retrying in {} ms", r.error, w.count());
            co_await sleep_for(w);
        }
        if (stopping) co_return;
        replacing = true;
        asio::co_spawn(ioc, connection(++next_id), asio::detached);
    }

    // ------------------------------------------------------------------------------ Socket Mode
    asio::awaitable<std::string> open_url()
    {
        std::string method = "apps.connections.open";
        auto r = co_await web(method, json(), false, true);
        if (r.ok) {
            auto u = r.body.find("url");
            if (u != r.body.end() && u->is_string()) co_return u->get<std::string>();
            co_return std::string();
        }
        if (fatal_auth_error(r.error)) {
            fail_start("Slack rejected the app-level token (apps.connections.open: " + r.error +
                       "); it needs the connections:write scope and Socket Mode enabled");
        } else {
            log->warn("apps.connections.open failed ({})", r.error);
        }
        co_return std::string();
    }

    void start_replacement(std::string_view why)
    {
        if (replacing || stopping) return;
        replacing = true;
        counter("slack_socket_reconnects_total", {{"reason", std::string(why)}}).add();
        asio::co_spawn(ioc, connection(++next_id), asio::detached);
    }

    // One connection: opened (with retries), read until it ends. While it is a replacement, the
    // old connection keeps delivering until this one says hello.
    asio::awaitable<void> connection(std::uint64_t id)
    {
        auto self = shared_from_this();
        std::shared_ptr<net::ws_connection> ws;
        while (!stopping) {
            auto url = co_await open_url();
            if (stopping) break;
            if (!url.empty()) {
                net::ws_options opts;
                opts.handshake_timeout = cfg.connect_timeout;
                opts.close_timeout = cfg.close_timeout;
                opts.max_message_bytes = cfg.max_frame_bytes;
                opts.keepalive = cfg.keepalive;
                ws = std::make_shared<net::ws_connection>(ioc, opts);
                auto err = co_await ws->connect(url);
                if (stopping) break;
                if (err.empty()) break;
                counter("slack_socket_errors_total", {{"kind", "connect"}}).add();
                log->warn("socket connect failed ({})", err);
                ws.reset();
            }
            auto w = backoff.next();
            log->info("opening a Socket Mode connection again in {} ms", w.count());
            co_await sleep_for(w);
        }
        if (stopping || !ws) {
            replacing = false;
            co_return;
        }
        sockets[id] = ws;
        ++opened;
        asio::co_spawn(ioc, hello_deadline(id, ws), asio::detached);
        co_await read_loop(id, ws);
        sockets.erase(id);
        ws->abort();
        if (stopping) co_return;
        if (id == current) current = 0;
        if (id == next_id) replacing = false;   // a replacement that ended before (or after) its hello
        if (current == 0 && !replacing) {
            // No connection receives any more (dropped, keepalive timeout, or no hello): open one.
            auto w = backoff.next();
            co_await sleep_for(w);
            if (current == 0) start_replacement("dropped");
        }
    }

    // A connection that has not said hello within connect_timeout is given up.
    asio::awaitable<void> hello_deadline(std::uint64_t id, std::shared_ptr<net::ws_connection> ws)
    {
        auto self = shared_from_this();
        co_await sleep_for(cfg.connect_timeout);
        if (stopping || current == id || !sockets.count(id)) co_return;
        counter("slack_socket_errors_total", {{"kind", "no_hello"}}).add();
        log->warn("socket connection {} sent no hello within {} ms; giving it up", id, cfg.connect_timeout.count());
        ws->close(1000);
    }

    asio::awaitable<void> read_loop(std::uint64_t id, std::shared_ptr<net::ws_connection> ws)
    {
        for (;;) {
            auto r = co_await ws->read();
            if (stopping) co_return;
            if (!r.ok) {
                if (id == current || id == next_id)
                    log->info("socket connection {} ended ({}: {})", id, r.close_code, r.error);
                co_return;
            }
            counter("slack_socket_frames_total").add();
            handle_frame(id, *ws, r.data);
        }
    }

    void ack(net::ws_connection& ws, const std::string& envelope_id, const std::optional<std::string>& text)
    {
        json a{{"envelope_id", envelope_id}};
        if (text) a["payload"] = {{"response_type", "ephemeral"}, {"text", to_mrkdwn(*text)}};
        if (!ws.send(a.dump(), net::ws_lane::priority)) counter("slack_socket_errors_total", {{"kind", "ack_refused"}}).add();
        else counter("slack_acks_total").add();
    }

    void handle_frame(std::uint64_t id, net::ws_connection& ws, const std::string& text)
    {
        auto received = clock.steady_now();
        auto parsed = json::parse(text, nullptr, false);
        auto f = read_frame(parsed);
        if (!f.valid) {
            if (parsed.is_object() && parsed.contains("envelope_id") && parsed["envelope_id"].is_string())
                ack(ws, parsed["envelope_id"].get<std::string>(), std::nullopt);   // stop Slack retrying junk
            counter("slack_socket_errors_total", {{"kind", "malformed"}}).add();
            log->warn("skipped a malformed Socket Mode frame ({} bytes)", text.size());
            return;
        }
        if (f.type == "hello") {
            on_hello(id);
            return;
        }
        if (f.type == "disconnect") {
            log->info("Slack asked connection {} to disconnect ({}); opening a new one first", id, f.disconnect_reason);
            if (id == current || current == 0) start_replacement(f.disconnect_reason.empty() ? "disconnect" : f.disconnect_reason);
            return;
        }
        // Ack first: Slack retries anything not acked within 3 s, whatever we do with it.
        auto n = normalise_envelope(f, parsed, bot_user, received);
        if (!f.envelope_id.empty()) ack(ws, f.envelope_id, f.accepts_response_payload ? n.ack_text : std::nullopt);
        else if (f.type == "events_api" || f.type == "slash_commands" || f.type == "interactive")
            counter("slack_socket_errors_total", {{"kind", "no_envelope_id"}}).add();
        if (duplicate(n.dedupe_keys, received)) {
            counter("slack_duplicates_total").add();
            return;
        }
        counter("slack_envelopes_total", {{"type", f.type}}).add();
        if (!n.event) {
            if (n.skipped == skip_reason::malformed) {
                counter("slack_socket_errors_total", {{"kind", "malformed_payload"}}).add();
                log->warn("skipped a malformed {} envelope", f.type);
            }
            return;
        }
        if (n.needs_moderator_check) {
            asio::co_spawn(ioc, with_moderator_flag(std::move(*n.event)), asio::detached);
            return;
        }
        emit(std::move(*n.event));
    }

    void on_hello(std::uint64_t id)
    {
        auto previous = current;
        current = id;
        replacing = false;
        backoff.reset();
        counter("slack_socket_hellos_total").add();
        log->info("Socket Mode connection {} is ready", id);
        // Retire every older connection now that the new one receives.
        for (auto& [other, ws] : sockets)
            if (other != id) ws->close(1000);
        if (previous != 0 && previous != id) log->info("switched from connection {} to {}", previous, id);
        if (!ready_emitted) {
            ready_emitted = true;
            core::session_ready ready{core::platform::slack, core::user_id(bot_user), {}};
            if (!team.empty()) ready.servers.emplace_back(team);
            emit(std::move(ready));
        }
    }

    bool duplicate(const std::vector<std::string>& keys, steady::time_point now)
    {
        while (!seen_order.empty() &&
               (seen_order.front().first + cfg.dedupe_window <= now || seen_order.size() > cfg.dedupe_limit)) {
            auto it = seen.find(seen_order.front().second);
            if (it != seen.end() && it->second == seen_order.front().first) seen.erase(it);
            seen_order.pop_front();
        }
        bool dup = false;
        for (const auto& k : keys)
            if (auto it = seen.find(k); it != seen.end() && it->second + cfg.dedupe_window > now) dup = true;
        if (dup) return true;
        for (const auto& k : keys) {
            seen[k] = now;
            seen_order.emplace_back(now, k);
        }
        return false;
    }

    // ------------------------------------------------------------------------------ moderators
    asio::awaitable<void> with_moderator_flag(core::event e)
    {
        auto self = shared_from_this();
        auto& inv = std::get<core::command_invocation>(e);
        inv.invoker_is_moderator = co_await is_moderator(inv.invoker.str());
        if (!stopping) emit(std::move(e));
    }

    asio::awaitable<bool> is_moderator(std::string user)
    {
        auto now = clock.steady_now();
        if (auto it = moderators.find(user); it != moderators.end() && it->second.expires > now) co_return it->second.value;
        bool mod = false;
        bool known = false;
        if (cfg.admins_are_moderators) {
            std::string method = "users.info";
            json args;
            args["user"] = user;
            auto r = co_await web(method, std::move(args), true);
            if (r.ok) {
                known = true;
                auto u = r.body.find("user");
                if (u != r.body.end() && u->is_object())
                    mod = bool_field(*u, "is_admin") || bool_field(*u, "is_owner") ||
                          bool_field(*u, "is_primary_owner");
            } else {
                log->warn("users.info failed ({}); treating the user as not a moderator for now", r.error);
            }
        }
        if (!mod && cfg.moderator_group) {
            if (clock.steady_now() >= group_expires) {
                std::string method = "usergroups.users.list";
                json args;
                args["usergroup"] = *cfg.moderator_group;
                auto r = co_await web(method, std::move(args), true);
                if (r.ok) {
                    group_members.clear();
                    if (auto us = r.body.find("users"); us != r.body.end() && us->is_array())
                        for (const auto& m : *us)
                            if (m.is_string() && group_members.size() < cfg.moderator_cache_limit)
                                group_members.insert(m.get<std::string>());
                    group_expires = clock.steady_now() + cfg.moderator_cache_ttl;
                    known = true;
                } else {
                    log->warn("usergroups.users.list failed ({})", r.error);
                }
            } else {
                known = true;
            }
            if (group_members.count(user)) mod = true;
        }
        if (known) {
            if (moderators.size() >= cfg.moderator_cache_limit) moderators.clear();
            moderators[user] = {mod, clock.steady_now() + cfg.moderator_cache_ttl};
        }
        co_return mod;
    }

    // ------------------------------------------------------------------------------ delivery
    asio::awaitable<void> do_send_private(core::user_id to, core::channel_id channel, core::private_message m,
                                          core::delivery_callback done)
    {
        auto self = shared_from_this();
        auto body = message_json(m);
        if (!channel.empty()) {
            auto args = body;
            args["channel"] = channel.str();
            args["user"] = to.str();
            std::string method = "chat.postEphemeral";
            auto key = method + ":" + channel.str();
            auto r = co_await web(method, std::move(args), false, false, key);
            if (r.ok) {
                finish(done, core::delivery_outcome::delivered, "ephemeral");
                co_return;
            }
            if (!dm_can_help(r.error)) {
                log->warn("chat.postEphemeral to user {} failed ({})", to.str(), r.error);
                finish(done, core::delivery_outcome::failed, "ephemeral");
                co_return;
            }
            counter("slack_dm_fallbacks_total", {{"reason", r.error}}).add();
            log->info("ephemeral message to user {} impossible ({}); sending a DM instead", to.str(), r.error);
        }
        auto dm = co_await dm_channel(to.str());
        if (!dm) {
            finish(done, core::delivery_outcome::undeliverable, "dm");
            co_return;
        }
        auto args = body;
        args["channel"] = *dm;
        std::string method = "chat.postMessage";
        auto key = method + ":" + *dm;
        auto r = co_await web(method, std::move(args), false, false, key);
        finish(done,
               r.ok ? core::delivery_outcome::delivered
                    : (r.error == "cannot_dm_bot" || r.error == "user_disabled" ? core::delivery_outcome::undeliverable
                                                                                 : core::delivery_outcome::failed),
               "dm");
    }

    asio::awaitable<std::optional<std::string>> dm_channel(std::string user)
    {
        if (auto it = dm_channels.find(user); it != dm_channels.end()) co_return it->second;
        std::string method = "conversations.open";
        json args;
        args["users"] = user;
        auto r = co_await web(method, std::move(args));
        if (!r.ok) {
            log->info("cannot open a DM with user {} ({})", user, r.error);
            co_return std::nullopt;
        }
        auto c = r.body.find("channel");
        if (c == r.body.end() || !c->is_object() || !c->contains("id") || !(*c)["id"].is_string()) co_return std::nullopt;
        if (dm_channels.size() >= 10000) dm_channels.clear();
        auto id = (*c)["id"].get<std::string>();
        dm_channels[user] = id;
        co_return id;
    }

    asio::awaitable<void> do_answer(core::reply_handle reply, core::private_message m, core::delivery_callback done)
    {
        auto self = shared_from_this();
        auto body = message_json(m);
        body["response_type"] = "ephemeral";
        body["replace_original"] = false;
        bool ok = co_await post_response_url(reply.token, std::move(body));
        finish(done, ok ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "answer");
    }

    asio::awaitable<void> do_post(core::channel_id channel, core::private_message m, core::delivery_callback done)
    {
        auto self = shared_from_this();
        auto args = message_json(m);
        args["channel"] = channel.str();
        args["unfurl_links"] = false;
        std::string method = "chat.postMessage";
        auto key = method + ":" + channel.str();
        auto r = co_await web(method, std::move(args), false, false, key);
        if (!r.ok) log->warn("posting to channel {} failed ({})", channel.str(), r.error);
        finish(done, r.ok ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "channel");
    }

    void stop()
    {
        if (stopping && finished) return;
        stopping = true;
        finished = true;
        for (auto& [id, ws] : sockets) ws->close(1000);
        for (auto& t : timers) t->cancel();
    }
};

adapter::adapter(asio::io_context& ioc, settings s, event_sink sink, const core::clock& clock)
    : impl_(std::make_shared<impl>(ioc, std::move(s), std::move(sink), clock))
{}

adapter::~adapter() { impl_->stop(); }

void adapter::start()
{
    if (!impl_->cfg.app_token.starts_with("xapp-"))
        impl_->log->warn("the app-level token does not start with xapp-; Socket Mode needs an app-level token");
    if (!impl_->cfg.bot_token.starts_with("xoxb-"))
        impl_->log->warn("the bot token does not start with xoxb-; the Web API needs the bot token");
    asio::co_spawn(impl_->ioc, impl_->boot(), asio::detached);
}

void adapter::stop()
{
    asio::post(impl_->ioc, [i = impl_] { i->stop(); });
}

adapter_status adapter::status() const
{
    adapter_status s;
    s.connected = impl_->current != 0 && impl_->sockets.count(impl_->current);
    s.finished = impl_->finished;
    s.exit_code = impl_->exit_code;
    s.open_connections = impl_->sockets.size();
    s.connections_opened = impl_->opened;
    s.bot_user_id = impl_->bot_user;
    s.team_id = impl_->team;
    return s;
}

void adapter::send_private(const core::user_id& to, const core::server_id&, const core::channel_id& channel,
                           core::private_message message, core::delivery_callback done)
{
    asio::post(impl_->ioc, [i = impl_, to, channel, m = std::move(message), d = std::move(done)]() mutable {
        asio::co_spawn(i->ioc, i->do_send_private(to, channel, std::move(m), std::move(d)), asio::detached);
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
    // Socket Mode envelopes are acked on arrival and a response_url stays valid for 30 minutes:
    // there is nothing to tell Slack. Counted so slow answers show up.
    counter("slack_deferred_total").add();
}

void adapter::post_to_channel(const core::server_id&, const core::channel_id& channel, core::private_message message,
                              core::delivery_callback done)
{
    asio::post(impl_->ioc, [i = impl_, channel, m = std::move(message), d = std::move(done)]() mutable {
        asio::co_spawn(i->ioc, i->do_post(channel, std::move(m), std::move(d)), asio::detached);
    });
}

std::string adapter::message_link(const core::server_id&, const core::channel_id& channel,
                                  const core::message_id& message) const
{
    std::string ts;
    for (char c : message.str())
        if (c != '.') ts += c;
    auto base = impl_->cfg.workspace_url.empty() ? std::string("https://slack.com") : impl_->cfg.workspace_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/archives/" + channel.str() + "/p" + ts;
}

}  // namespace nudgebot::slack
