#include "platforms/mattermost/connection.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "net/url.hpp"
#include "net/websocket.hpp"
#include "platforms/json_fields.hpp"
#include "platforms/mattermost/adapter.hpp"
#include "platforms/mattermost/api.hpp"
#include "platforms/runtime/counter.hpp"
#include "platforms/runtime/link_base.hpp"
#include "platforms/runtime/socket_options.hpp"

#include <deque>
#include <unordered_set>

namespace nudgebot::mattermost {

using namespace runtime::short_names;
using platforms::text_of;

namespace {

constexpr std::size_t dedupe_limit = 20000;

}  // namespace

using runtime::counter;

struct event_stream::impl : runtime::link_base {
    const settings& cfg;
    rest_api& api;
    std::string& bot_user;
    stream_handler handler;

    bool connected = false;
    std::string connection_id;
    std::int64_t last_seq = -1;
    std::shared_ptr<net::ws_connection> ws;
    std::unordered_set<std::string> seen;
    std::deque<std::string> seen_order;

    impl(runtime::lifecycle& l, const settings& s, const core::clock& c, rest_api& a, std::string& bot,
         stream_handler h)
        : link_base(l, c, s.reconnect), cfg(s), api(a), bot_user(bot), handler(std::move(h))
    {}

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

    // After a socket that closed before its hello: is the token still good?
    asio::awaitable<bool> token_rejected()
    {
        std::string method = "GET", path = "/users/me";
        auto r = co_await api.call(method, path);
        if (r.status != 401) co_return false;
        counter("mattermost_socket_errors_total", {{"kind", "token_rejected"}}).add();
        handler.on_refused("Mattermost rejected the bot token (GET /users/me answered 401 after the websocket "
                           "closed before its hello)");
        co_return true;
    }

    asio::awaitable<void> run()
    {
        bool first = true;
        while (!life.stopping()) {
            if (!first) counter("mattermost_socket_reconnects_total").add();
            first = false;
            auto opts = runtime::socket_options(cfg);
            if (!cfg.authentication_challenge) opts.headers.push_back({"Authorization", "Bearer " + cfg.token});
            ws = std::make_shared<net::ws_connection>(life.context(), opts);
            auto err = co_await ws->connect(socket_url());
            if (life.stopping()) break;
            if (!err.empty()) {
                counter("mattermost_socket_errors_total", {{"kind", "connect"}}).add();
                if (co_await token_rejected()) break;
                auto w = next_delay();
                log->warn("websocket connect failed ({}); retrying in {} ms", err, w.count());
                co_await life.sleep_for(w);
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
            bool hello = false;
            try {
                hello = co_await read_loop(conn);
            } catch (...) {
                connected = false;
                conn->abort();   // the supervisor starts the stream again
                throw;
            }
            connected = false;
            conn->abort();
            if (life.stopping()) break;
            if (!hello && co_await token_rejected()) break;
            auto w = next_delay();
            log->info("websocket ended{}; reconnecting in {} ms (resuming at sequence {})",
                      hello ? "" : " before its hello", w.count(), last_seq + 1);
            co_await life.sleep_for(w);
        }
        ws.reset();
    }

    // Returns true when the connection had said hello.
    asio::awaitable<bool> read_loop(std::shared_ptr<net::ws_connection> conn)
    {
        bool hello = false;
        for (;;) {
            auto r = co_await conn->read();
            if (life.stopping() || !r.ok) {
                if (!life.stopping()) log->info("websocket closed ({}: {})", r.close_code, r.error);
                co_return hello;
            }
            life.checkpoint("socket");
            counter("mattermost_socket_frames_total").add();
            const auto arrived = std::chrono::steady_clock::now();
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
            handle_event(j, arrived);
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
        link_up();
        if (handler.on_hello) handler.on_hello();
    }

    void handle_event(const json& j, std::chrono::steady_clock::time_point arrived)
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
        if (handler.on_event) handler.on_event(std::move(*n.event), arrived);
    }
};

event_stream::event_stream(runtime::lifecycle& life, const settings& cfg, const core::clock& clock, rest_api& api,
                           std::string& bot_user, stream_handler handler)
    : impl_(std::make_unique<impl>(life, cfg, clock, api, bot_user, std::move(handler)))
{}

event_stream::~event_stream() = default;

void event_stream::start(std::weak_ptr<void> owner)
{
    impl_->owner = std::move(owner);
    impl_->life.supervise("socket", [i = impl_.get(), keep = impl_->owner.lock()] { return i->run(); });
}

void event_stream::stop()
{
    if (impl_->ws) impl_->ws->close(1000);
}

void event_stream::report(adapter_status& s) const
{
    s.connected = impl_->connected;
    s.connections_opened = impl_->opened;
    s.connection_id = impl_->connection_id;
    s.last_sequence = impl_->last_seq;
    s.bot_user_id = impl_->bot_user;
}

}  // namespace nudgebot::mattermost
