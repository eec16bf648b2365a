#include "platforms/slack/connection.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "net/websocket.hpp"
#include "platforms/runtime/counter.hpp"
#include "platforms/runtime/link_base.hpp"
#include "platforms/runtime/socket_options.hpp"
#include "platforms/slack/adapter.hpp"
#include "platforms/slack/api.hpp"

#include <deque>
#include <map>
#include <unordered_map>

namespace nudgebot::slack {

using namespace runtime::short_names;

using runtime::counter;

struct socket_mode::impl : runtime::link_base {
    const settings& cfg;
    web_api& api;
    const std::string& bot_user;
    socket_handler handler;

    // Connections: id → socket. `current` said hello last; `replacing` is set while a new one is
    // being opened after a disconnect (or a drop).
    std::map<std::uint64_t, std::shared_ptr<net::ws_connection>> sockets;
    std::uint64_t next_id = 0;
    std::uint64_t current = 0;
    bool replacing = false;
    bool disabled = false;   // link_disabled: wait refused_pause before the next connection

    // Retried envelopes: key → when it was first seen.
    std::unordered_map<std::string, steady::time_point> seen;
    std::deque<std::pair<steady::time_point, std::string>> seen_order;

    impl(runtime::lifecycle& l, const settings& s, const core::clock& c, web_api& a, const std::string& bot,
         socket_handler h)
        : link_base(l, c, s.reconnect), cfg(s), api(a), bot_user(bot), handler(std::move(h))
    {}

    void start_connection(std::string_view why)
    {
        if (replacing || life.stopping()) return;
        replacing = true;
        if (!why.empty()) counter("slack_socket_reconnects_total", {{"reason", std::string(why)}}).add();
        auto id = ++next_id;
        life.supervise("socket", [this, keep = owner.lock(), id] { return connection(id); });
    }

    asio::awaitable<std::string> open_url()
    {
        std::string method = "apps.connections.open";
        call_options o;
        o.app_token = true;
        auto r = co_await api.call(method, json(), o);
        if (r.ok) {
            auto u = r.body.find("url");
            if (u != r.body.end() && u->is_string()) co_return u->get<std::string>();
            co_return std::string();
        }
        if (fatal_auth_error(r.error)) {
            handler.on_refused("Slack rejected the app-level token (apps.connections.open: " + r.error +
                               "); it needs the connections:write scope and Socket Mode enabled");
        } else {
            log->warn("apps.connections.open failed ({})", r.error);
        }
        co_return std::string();
    }

    // After a connection that ended before its hello: is the bot token still good?
    asio::awaitable<void> check_token()
    {
        std::string method = "auth.test";
        auto r = co_await api.call(method, json::object());
        if (!r.ok && fatal_auth_error(r.error)) {
            counter("slack_socket_errors_total", {{"kind", "token_rejected"}}).add();
            handler.on_refused("Slack rejected the bot token (auth.test: " + r.error +
                               ") after the socket closed before its hello");
        }
    }

    // One connection: opened (with retries), read until it ends. While it is a replacement, the
    // old connection keeps delivering until this one says hello.
    asio::awaitable<void> connection(std::uint64_t id)
    {
        std::shared_ptr<net::ws_connection> ws;
        while (!life.stopping()) {
            auto url = co_await open_url();
            if (life.stopping()) break;
            if (!url.empty()) {
                ws = std::make_shared<net::ws_connection>(life.context(), runtime::socket_options(cfg));
                auto err = co_await ws->connect(url);
                if (life.stopping()) break;
                if (err.empty()) break;
                counter("slack_socket_errors_total", {{"kind", "connect"}}).add();
                log->warn("socket connect failed ({})", err);
                ws.reset();
            }
            auto w = next_delay();
            log->info("opening a Socket Mode connection again in {} ms", w.count());
            co_await life.sleep_for(w);
        }
        if (life.stopping() || !ws) {
            replacing = false;
            co_return;
        }
        sockets[id] = ws;
        ++opened;
        life.spawn("hello_deadline", [this, keep = owner.lock(), id, ws] { return hello_deadline(id, ws); });
        bool said_hello = false;
        try {
            said_hello = co_await read_loop(id, ws);
        } catch (...) {
            // The supervisor restarts this connection; this socket must not linger.
            sockets.erase(id);
            ws->abort();
            if (id == current) current = 0;
            replacing = current == 0;
            throw;
        }
        sockets.erase(id);
        ws->abort();
        if (life.stopping()) co_return;
        if (id == current) current = 0;
        if (id == next_id) replacing = false;   // a replacement that ended before (or after) its hello
        if (!said_hello) co_await check_token();
        if (life.stopping()) co_return;
        if (disabled) {
            if (!sockets.empty() || replacing) co_return;   // the last one to close waits
            replacing = true;
            auto pause = policy.refused();
            co_await life.sleep_for(pause);
            disabled = false;
            replacing = false;
            start_connection("link_disabled");
            co_return;
        }
        if (current == 0 && !replacing) {
            // No connection receives any more (dropped, keepalive timeout, or no hello): open one.
            auto w = next_delay();
            log->info("Socket Mode connection {} dropped; opening another in {} ms", id, w.count());
            co_await life.sleep_for(w);
            if (current == 0) start_connection("dropped");
        }
    }

    // A connection that has not said hello within connect_timeout is given up.
    asio::awaitable<void> hello_deadline(std::uint64_t id, std::shared_ptr<net::ws_connection> ws)
    {
        co_await life.sleep_for(cfg.connect_timeout);
        if (life.stopping() || current == id || !sockets.count(id)) co_return;
        counter("slack_socket_errors_total", {{"kind", "no_hello"}}).add();
        log->warn("socket connection {} sent no hello within {} ms; giving it up", id, cfg.connect_timeout.count());
        ws->close(1000);
    }

    // Reads until the connection ends; true when it said hello.
    asio::awaitable<bool> read_loop(std::uint64_t id, std::shared_ptr<net::ws_connection> ws)
    {
        bool hello = false;
        for (;;) {
            auto r = co_await ws->read();
            if (life.stopping()) co_return hello;
            if (!r.ok) {
                if (id == current || id == next_id)
                    log->info("socket connection {} ended ({}: {})", id, r.close_code, r.error);
                co_return hello;
            }
            life.checkpoint("socket");
            counter("slack_socket_frames_total").add();
            if (handle_frame(id, *ws, r.data)) hello = true;
        }
    }

    void ack(net::ws_connection& ws, const std::string& envelope_id, const std::optional<std::string>& text)
    {
        json a{{"envelope_id", envelope_id}};
        if (text) a["payload"] = {{"response_type", "ephemeral"}, {"text", to_mrkdwn(*text)}};
        if (!ws.send(a.dump(), net::ws_lane::priority)) counter("slack_socket_errors_total", {{"kind", "ack_refused"}}).add();
        else counter("slack_acks_total").add();
    }

    // Handles one frame; true when it was the hello.
    bool handle_frame(std::uint64_t id, net::ws_connection& ws, const std::string& text)
    {
        const auto arrived = std::chrono::steady_clock::now();   // for the latency histogram
        auto received = clock.steady_now();
        auto parsed = json::parse(text, nullptr, false);
        auto f = read_frame(parsed);
        if (!f.valid) {
            if (parsed.is_object() && parsed.contains("envelope_id") && parsed["envelope_id"].is_string())
                ack(ws, parsed["envelope_id"].get<std::string>(), std::nullopt);   // stop Slack retrying junk
            counter("slack_socket_errors_total", {{"kind", "malformed"}}).add();
            log->warn("skipped a malformed Socket Mode frame ({} bytes)", text.size());
            return false;
        }
        if (f.type == "hello") {
            on_hello(id);
            return true;
        }
        if (f.type == "disconnect") {
            on_disconnect(id, f.disconnect_reason);
            return false;
        }
        // Ack first: Slack retries anything not acked within 3 s, whatever we do with it.
        auto n = normalise_envelope(f, parsed, bot_user, received);
        if (!f.envelope_id.empty()) ack(ws, f.envelope_id, f.accepts_response_payload ? n.ack_text : std::nullopt);
        else if (f.type == "events_api" || f.type == "slash_commands" || f.type == "interactive")
            counter("slack_socket_errors_total", {{"kind", "no_envelope_id"}}).add();
        if (duplicate(n.dedupe_keys, received)) {
            counter("slack_duplicates_total").add();
            return false;
        }
        counter("slack_envelopes_total", {{"type", f.type}}).add();
        if (!n.event) {
            if (n.skipped == skip_reason::malformed) {
                counter("slack_socket_errors_total", {{"kind", "malformed_payload"}}).add();
                log->warn("skipped a malformed {} envelope", f.type);
            }
            return false;
        }
        n.arrived = arrived;
        if (handler.on_envelope) handler.on_envelope(std::move(n));
        return false;
    }

    void on_disconnect(std::uint64_t id, const std::string& reason)
    {
        if (reason == "link_disabled") {
            // Socket Mode was turned off for the app: reconnecting now only loops.
            counter("slack_socket_link_disabled_total").add();
            log->error("Slack disabled Socket Mode for this app (link_disabled); not reconnecting for {} s — turn "
                       "Socket Mode on again in the app's settings",
                       std::chrono::duration_cast<std::chrono::seconds>(cfg.reconnect.refused_pause).count());
            disabled = true;
            for (auto& [other, ws] : sockets) ws->close(1000);
            return;
        }
        log->info("Slack asked connection {} to disconnect ({}); opening a new one first", id, reason);
        if (id == current || current == 0) start_connection(reason.empty() ? "disconnect" : reason);
    }

    void on_hello(std::uint64_t id)
    {
        auto previous = current;
        current = id;
        replacing = false;
        link_up();
        counter("slack_socket_hellos_total").add();
        log->info("Socket Mode connection {} is ready", id);
        // Retire every older connection now that the new one receives.
        for (auto& [other, ws] : sockets)
            if (other != id) ws->close(1000);
        if (previous != 0 && previous != id) log->info("switched from connection {} to {}", previous, id);
        if (handler.on_hello) handler.on_hello();
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
};

socket_mode::socket_mode(runtime::lifecycle& life, const settings& cfg, const core::clock& clock, web_api& api,
                         const std::string& bot_user, socket_handler handler)
    : impl_(std::make_unique<impl>(life, cfg, clock, api, bot_user, std::move(handler)))
{}

socket_mode::~socket_mode() = default;

void socket_mode::start(std::weak_ptr<void> owner)
{
    impl_->owner = std::move(owner);
    impl_->start_connection({});
}

void socket_mode::stop()
{
    for (auto& [id, ws] : impl_->sockets) ws->close(1000);
}

void socket_mode::report(adapter_status& s) const
{
    s.connected = impl_->current != 0 && impl_->sockets.count(impl_->current);
    s.open_connections = impl_->sockets.size();
    s.connections_opened = impl_->opened;
    s.bot_user_id = impl_->bot_user;
}

}  // namespace nudgebot::slack
