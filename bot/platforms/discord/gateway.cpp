#include "platforms/discord/gateway.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/metrics.hpp"
#include "net/url.hpp"
#include "net/websocket.hpp"
#include "platforms/discord/protocol.hpp"
#include "platforms/runtime/counter.hpp"
#include "platforms/runtime/lifecycle.hpp"
#include "platforms/runtime/reconnect_policy.hpp"
#include "platforms/runtime/socket_options.hpp"

#include <zlib.h>

#include <cstring>
#include <optional>
#include <random>

namespace nudgebot::discord {

using namespace runtime::short_names;

namespace {

using runtime::counter;
using runtime::tuple_awaitable;
constexpr std::size_t max_payload_bytes = 4096;   // Discord closes with 4002 above this
constexpr std::uint16_t resume_close_code = protocol::close_code::unknown_error;   // not 1000/1001: the session stays

// zlib-stream: one inflate context per connection; a message is complete when the buffered
// bytes end with the Z_SYNC_FLUSH marker 00 00 ff ff.
class inflater {
public:
    enum class result { incomplete, complete, error };

    ~inflater() { end(); }

    void reset()
    {
        end();
        std::memset(&z_, 0, sizeof z_);
        live_ = inflateInit(&z_) == Z_OK;
        pending_.clear();
    }

    result feed(const std::string& data, std::size_t max, std::string& out)
    {
        if (!live_ || pending_.size() + data.size() > max) {
            pending_.clear();
            return result::error;
        }
        pending_ += data;
        if (pending_.size() < 4 || std::memcmp(pending_.data() + pending_.size() - 4, "\x00\x00\xff\xff", 4) != 0)
            return result::incomplete;
        out.clear();
        z_.next_in = reinterpret_cast<Bytef*>(pending_.data());
        z_.avail_in = static_cast<uInt>(pending_.size());
        char buf[32768];
        for (;;) {
            z_.next_out = reinterpret_cast<Bytef*>(buf);
            z_.avail_out = sizeof buf;
            int rc = inflate(&z_, Z_SYNC_FLUSH);
            out.append(buf, sizeof buf - z_.avail_out);
            if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
                pending_.clear();
                return result::error;
            }
            if (out.size() > max) {
                pending_.clear();
                return result::error;
            }
            if (z_.avail_out != 0) {
                if (z_.avail_in != 0 && rc != Z_OK) {   // no progress possible: a broken stream
                    pending_.clear();
                    return result::error;
                }
                if (z_.avail_in == 0) break;
            }
        }
        pending_.clear();
        return result::complete;
    }

private:
    void end()
    {
        if (live_) inflateEnd(&z_);
        live_ = false;
    }

    z_stream z_{};
    bool live_ = false;
    std::string pending_;
};


core::metric_counter& error_counter(std::string_view kind)
{
    return counter("discord_gateway_errors_total", {{"kind", std::string(kind)}});
}

}  // namespace

std::string_view close_code_meaning(int code) noexcept
{
    namespace cc = protocol::close_code;
    switch (code) {
    case 0: return "connection lost without a close frame";
    case cc::normal: return "normal closure";
    case cc::going_away: return "going away";
    case cc::unknown_error: return "unknown error";
    case cc::unknown_opcode: return "unknown opcode";
    case cc::decode_error: return "decode error";
    case cc::not_authenticated: return "not authenticated";
    case cc::authentication_failed: return "authentication failed (the bot token is invalid)";
    case cc::already_authenticated: return "already authenticated";
    case cc::invalid_seq: return "invalid seq";
    case cc::rate_limited: return "rate limited";
    case cc::session_timed_out: return "session timed out";
    case cc::invalid_shard: return "invalid shard";
    case cc::sharding_required: return "sharding required";
    case cc::invalid_api_version: return "invalid API version";
    case cc::invalid_intents: return "invalid intents";
    case cc::disallowed_intents: return "disallowed intents (enable the privileged intents in the Developer Portal)";
    default: return "unexpected close code";
    }
}

bool is_fatal_close_code(int code) noexcept { return protocol::close_code::is_fatal(code); }

struct shard::impl : std::enable_shared_from_this<shard::impl> {
    enum class next_step { resume, identify, stop };

    asio::io_context& ioc;
    const settings& cfg;
    std::weak_ptr<shard_host> host_weak;   // run() holds it strongly while the shard lives
    shard_host& host;
    std::uint32_t id;
    std::uint32_t count;
    std::string gateway_url;
    std::string id_text;

    std::string session_id;
    std::string resume_url;
    std::int64_t seq = 0;
    bool kept_session_pending = false;              // session_id came from the last process
    std::unique_ptr<net::ws_connection> ws;
    std::uint64_t generation = 0;
    bool stopping = false;
    bool is_running = false;
    std::optional<next_step> forced;                // what we decided before closing ourselves
    std::chrono::milliseconds forced_wait{0};
    std::chrono::milliseconds heartbeat_interval{0};
    bool acked = true;
    bool hello_seen = false;
    std::shared_ptr<asio::steady_timer> heartbeat_timer;
    asio::steady_timer pause_timer;
    runtime::reconnect_policy policy;
    inflater zin;
    std::mt19937_64 rng{std::random_device{}()};
    runtime::lifecycle& life;
    std::shared_ptr<spdlog::logger> log = life.log();
    core::metric_counter& frames;
    core::metric_gauge& connected_gauge;   // 1 from READY / RESUMED until the connection ends

    impl(asio::io_context& c, const settings& s, const std::shared_ptr<shard_host>& h, std::uint32_t i,
         std::uint32_t n, std::string url)
        : ioc(c), cfg(s), host_weak(h), host(*h), id(i), count(n), gateway_url(std::move(url)), id_text(std::to_string(i)),
          pause_timer(c), policy(s.reconnect), life(h->tasks()),
          frames(counter("discord_gateway_frames_total", {{"shard", id_text}})),
          connected_gauge(core::metrics::global().gauge("discord_shard_connected", {{"shard", id_text}}))
    {
        core::metrics::global().describe("discord_shard_connected",
                                         "1 while the shard's gateway session is up (from READY or RESUMED), by shard.");
        connected_gauge.set(0);
    }

    asio::awaitable<void> pause(steady::duration d)
    {
        if (stopping || d <= steady::duration::zero()) co_return;
        pause_timer.expires_after(d);
        co_await pause_timer.async_wait(tuple_awaitable);
    }

    bool send(const json& payload, net::ws_lane lane = net::ws_lane::normal)
    {
        auto text = payload.dump();
        if (text.size() > max_payload_bytes) {
            error_counter("payload_too_large").add();
            log->error("shard {}: refusing to send a {}-byte gateway payload (limit {})", id, text.size(),
                       max_payload_bytes);
            return false;
        }
        if (!ws || !ws->send(std::move(text), lane)) {
            error_counter("send_refused").add();
            return false;
        }
        return true;
    }

    void send_heartbeat()
    {
        send(json{{"op", protocol::op::heartbeat}, {"d", seq > 0 ? json(seq) : json(nullptr)}}, net::ws_lane::priority);
    }

    std::string connect_url(bool resuming) const
    {
        std::string base = resuming ? resume_url : gateway_url;
        auto url = net::with_query(net::with_query(base, "v", "10"), "encoding", "json");
        if (cfg.compress) url = net::with_query(std::move(url), "compress", "zlib-stream");
        return url;
    }

    void close_and(next_step step, std::chrono::milliseconds wait = {})
    {
        if (!forced) {
            forced = step;
            forced_wait = wait;
        }
        if (ws) ws->close(resume_close_code);
    }

    asio::awaitable<void> heartbeat(std::uint64_t gen, std::shared_ptr<asio::steady_timer> timer)
    {
        auto self = shared_from_this();
        std::uniform_real_distribution<double> jitter(0.0, 1.0);
        auto wait = std::chrono::duration_cast<steady::duration>(heartbeat_interval * jitter(rng));
        for (;;) {
            timer->expires_after(wait);
            co_await timer->async_wait(tuple_awaitable);
            if (gen != generation || stopping || !ws) co_return;
            life.checkpoint("heartbeat");
            if (!acked) {
                // Let an ACK that already arrived but waits in the queue behind this timer be
                // handled first: a busy loop is not a zombie connection.
                co_await asio::post(ioc, asio::use_awaitable);
                if (gen != generation || stopping || !ws) co_return;
            }
            if (!acked) {
                counter("discord_gateway_zombies_total").add();
                log->warn("shard {}: no heartbeat ACK since the last beat; closing the zombie connection "
                          "and resuming",
                          id);
                close_and(next_step::resume);
                co_return;
            }
            acked = false;
            send_heartbeat();
            wait = heartbeat_interval;
        }
    }

    // A server that accepts the websocket but never says HELLO gets connect_timeout, then a new
    // connection: without HELLO there are no heartbeats, so nothing else would notice.
    asio::awaitable<void> hello_watchdog(std::uint64_t gen)
    {
        auto self = shared_from_this();
        asio::steady_timer t(ioc, cfg.connect_timeout);
        co_await t.async_wait(tuple_awaitable);
        if (gen != generation || stopping || !ws || hello_seen) co_return;
        error_counter("hello_timeout").add();
        log->warn("shard {}: no HELLO within {} ms; reconnecting", id, cfg.connect_timeout.count());
        close_and(session_id.empty() ? next_step::identify : next_step::resume);
    }

    asio::awaitable<void> identify(std::uint64_t gen)
    {
        auto self = shared_from_this();
        bool allowed = co_await host.identify_slot(id);
        if (!allowed || gen != generation || stopping || !ws) co_return;
        seq = 0;
        session_id.clear();
        json d{{"token", cfg.token},
               {"intents", cfg.intents},
               {"properties", {{"os", "linux"}, {"browser", "nudgebot"}, {"device", "nudgebot"}}},
               {"shard", json::array({id, count})},
               {"large_threshold", 50}};
        if (send(json{{"op", protocol::op::identify}, {"d", std::move(d)}})) {
            counter("discord_gateway_identifies_total").add();
            log->info("shard {}/{}: identifying", id, count);
        }
    }

    struct outcome {
        next_step next = next_step::resume;
        std::chrono::milliseconds wait{0};
        bool was_ready = false;
    };

    // READY or RESUMED: the session receives events.
    void session_live(outcome& o)
    {
        kept_session_pending = false;
        connected_gauge.set(1);
        o.was_ready = true;
        policy.connected(steady::now());
        life.healthy();
    }

    // One connection, from HELLO to its end. Decides what the next connection does.
    asio::awaitable<outcome> session(std::uint64_t gen, bool resuming)
    {
        outcome o;
        std::string text;
        hello_seen = false;
        life.spawn("hello_watchdog", [self = shared_from_this(), host = host_weak.lock(), gen] {
            return self->hello_watchdog(gen);
        });
        for (;;) {
            auto r = co_await ws->read();
            if (stopping) {
                o.next = next_step::stop;
                co_return o;
            }
            if (!r.ok) {
                if (forced) {
                    o.next = *forced;
                    o.wait = forced_wait;
                } else if (is_fatal_close_code(r.close_code)) {
                    log->error("shard {}: Discord closed the gateway with {} ({}); this shard stops", id,
                               r.close_code, close_code_meaning(r.close_code));
                    error_counter("fatal_close").add();
                    o.next = next_step::stop;
                    fatal_code = r.close_code;
                } else if (r.close_code == protocol::close_code::not_authenticated || r.close_code == protocol::close_code::invalid_seq ||
                           r.close_code == protocol::close_code::session_timed_out) {
                    log->warn("shard {}: gateway closed with {} ({}); starting a new session", id, r.close_code,
                              close_code_meaning(r.close_code));
                    o.next = next_step::identify;
                } else {
                    log->warn("shard {}: gateway connection ended ({}: {}); resuming", id, r.close_code,
                              close_code_meaning(r.close_code));
                    o.next = session_id.empty() ? next_step::identify : next_step::resume;
                }
                co_return o;
            }
            life.checkpoint("gateway");
            frames.add();
            // Once this connection is being closed, what is still in flight is left to the replay.
            if (forced) continue;
            auto received = steady::now();
            if (r.binary) {
                auto res = zin.feed(r.data, cfg.max_frame_bytes, text);
                if (res == inflater::result::incomplete) continue;
                if (res == inflater::result::error) {
                    error_counter("inflate").add();
                    log->warn("shard {}: compressed gateway stream is corrupt; reconnecting", id);
                    close_and(next_step::resume);
                    continue;
                }
            } else {
                text = std::move(r.data);
            }
            auto j = json::parse(text, nullptr, false);
            const json* op = nullptr;
            if (j.is_object()) {
                auto it = j.find("op");
                if (it != j.end() && it->is_number_integer()) op = &*it;
            }
            if (!op && r.binary) {
                // Discord never sends broken JSON: after inflating, it means the stream is corrupt.
                error_counter("inflate").add();
                log->warn("shard {}: compressed gateway stream is corrupt; reconnecting", id);
                close_and(next_step::resume);
                continue;
            }
            if (!op) {
                error_counter("malformed").add();
                log->warn("shard {}: skipped a malformed gateway frame ({} bytes)", id, text.size());
                continue;
            }
            static const json null_json;
            auto d_it = j.find("d");
            const json& d = d_it == j.end() ? null_json : *d_it;
            switch (op->get<int>()) {
            case protocol::op::hello: {
                hello_seen = true;
                std::int64_t interval = 0;
                if (d.is_object() && d.contains("heartbeat_interval") && d["heartbeat_interval"].is_number_integer())
                    interval = d["heartbeat_interval"].get<std::int64_t>();
                if (interval <= 0 || interval > 600000) {
                    error_counter("malformed").add();
                    interval = 41250;
                }
                heartbeat_interval = std::chrono::milliseconds(interval);
                acked = true;
                if (heartbeat_timer) heartbeat_timer->cancel();
                heartbeat_timer = std::make_shared<asio::steady_timer>(ioc);
                // Each task keeps the host (the adapter, which owns the lifecycle) alive while it runs.
                life.supervise("heartbeat", [self = shared_from_this(), host = host_weak.lock(), gen, t = heartbeat_timer] {
                    return self->heartbeat(gen, t);
                });
                if (resuming && !session_id.empty()) {
                    send(json{{"op", protocol::op::resume}, {"d", {{"token", cfg.token}, {"session_id", session_id}, {"seq", seq}}}});
                    counter("discord_gateway_resumes_total").add();
                    log->info("shard {}: resuming session at seq {}", id, seq);
                } else {
                    life.spawn("identify", [self = shared_from_this(), host = host_weak.lock(), gen] {
                        return self->identify(gen);
                    });
                }
                break;
            }
            case protocol::op::heartbeat_ack: acked = true; break;
            case protocol::op::heartbeat: send_heartbeat(); break;
            case protocol::op::reconnect:
                log->info("shard {}: Discord asked for a reconnect (op 7); resuming", id);
                close_and(next_step::resume);
                break;
            case protocol::op::invalid_session: {
                bool resumable = d.is_boolean() && d.get<bool>();
                counter("discord_gateway_invalid_sessions_total", {{"resumable", resumable ? "true" : "false"}}).add();
                if (resumable) {
                    log->info("shard {}: invalid session (resumable); resuming", id);
                    close_and(next_step::resume);
                } else {
                    std::uniform_int_distribution<std::int64_t> pick(cfg.invalid_session_wait_min.count(),
                                                                      std::max(cfg.invalid_session_wait_min.count(),
                                                                               cfg.invalid_session_wait_max.count()));
                    std::chrono::milliseconds wait{pick(rng)};
                    log->info("shard {}: invalid session; identifying again in {} ms", id, wait.count());
                    close_and(next_step::identify, wait);
                }
                break;
            }
            case protocol::op::dispatch: {
                auto t_it = j.find("t");
                auto s_it = j.find("s");
                if (t_it == j.end() || !t_it->is_string()) {
                    error_counter("malformed").add();
                    break;
                }
                const auto& type = t_it->get_ref<const std::string&>();
                if (s_it != j.end() && s_it->is_number_integer()) {
                    auto s = s_it->get<std::int64_t>();
                    if (s <= seq && type != "READY") {
                        // A replay after RESUME may repeat what we already handled.
                        counter("discord_gateway_duplicates_total").add();
                        break;
                    }
                    seq = s;
                }
                if (type == "READY") {
                    if (d.is_object()) {
                        if (d.contains("session_id") && d["session_id"].is_string())
                            session_id = d["session_id"].get<std::string>();
                        if (d.contains("resume_gateway_url") && d["resume_gateway_url"].is_string())
                            resume_url = d["resume_gateway_url"].get<std::string>();
                    }
                    if (resume_url.empty()) resume_url = gateway_url;
                    session_live(o);
                    log->info("shard {}/{}: ready", id, count);
                } else if (type == "RESUMED") {
                    if (kept_session_pending) {
                        counter("discord_gateway_kept_session_resumes_total").add();
                        log->info("shard {}: resumed the session kept by the last process", id);
                    }
                    session_live(o);
                    log->info("shard {}: resumed at seq {}", id, seq);
                }
                host.on_dispatch(id, type, d, received);
                break;
            }
            default:
                error_counter("unknown_opcode").add();
                break;
            }
        }
    }

    int fatal_code = 0;

    asio::awaitable<void> run()
    {
        auto self = shared_from_this();
        auto host_keep = host_weak.lock();
        if (!host_keep) co_return;
        is_running = true;
        bool first = true;
        while (!stopping) {
            bool resuming = !session_id.empty() && !resume_url.empty();
            auto gen = ++generation;
            forced.reset();
            forced_wait = {};
            if (!first) counter("discord_gateway_reconnects_total").add();
            first = false;
            auto opts = runtime::socket_options(cfg);
            opts.send_limit = cfg.gateway_send_limit;
            opts.send_window = cfg.gateway_send_window;
            opts.priority_reserve = 3;
            opts.user_agent = "DiscordBot (" + cfg.user_agent_url + ", " + cfg.user_agent_version + ")";
            ws = std::make_unique<net::ws_connection>(ioc, opts);
            zin.reset();
            auto err = co_await ws->connect(connect_url(resuming));
            if (stopping) break;
            if (!err.empty()) {
                error_counter("connect").add();
                if (resuming && kept_session_pending) {
                    // A kept session's resume URL may be long gone; a fresh session needs none.
                    log->warn("shard {}: the kept session's resume URL does not answer; identifying", id);
                    kept_session_pending = false;
                    session_id.clear();
                    seq = 0;
                }
                auto wait = policy.next_delay(steady::now());
                log->warn("shard {}: gateway connect failed ({}); retrying in {} ms", id, err, wait.count());
                co_await pause(wait);
                continue;
            }
            outcome o;
            try {
                o = co_await session(gen, resuming);
            } catch (...) {
                // The supervisor runs this loop again (resuming); this connection must not linger.
                if (heartbeat_timer) heartbeat_timer->cancel();
                ws->abort();
                throw;
            }
            if (heartbeat_timer) heartbeat_timer->cancel();
            ws->abort();
            connected_gauge.set(0);
            if (o.next == next_step::stop) break;
            if (!o.was_ready && !forced && !stopping && co_await host.token_rejected()) {
                log->error("shard {}: the gateway closed before READY and REST rejects the token; this shard stops",
                           id);
                fatal_code = protocol::close_code::authentication_failed;
                break;
            }
            if (o.next == next_step::identify) {
                session_id.clear();
                seq = 0;
                kept_session_pending = false;
            }
            // A link that keeps dying right after READY backs off too; only a healthy period resets it.
            auto wait = policy.next_delay(steady::now());
            if (o.wait.count() > 0) wait = o.wait;
            log->info("shard {}: connecting again in {} ms", id, wait.count());
            co_await pause(wait);
        }
        ws.reset();
        connected_gauge.set(0);
        is_running = false;
        host.on_stopped(id, stopping ? 0 : fatal_code);
    }

    void stop()
    {
        if (stopping) return;
        stopping = true;
        if (ws) ws->close(cfg.kept.keeps() ? resume_close_code : std::uint16_t{protocol::close_code::normal});
        pause_timer.cancel();
        if (heartbeat_timer) heartbeat_timer->cancel();
    }
};

shard::shard(asio::io_context& ioc, const settings& cfg, std::shared_ptr<shard_host> host, std::uint32_t id,
             std::uint32_t count, std::string gateway_url)
    : impl_(std::make_shared<impl>(ioc, cfg, host, id, count, std::move(gateway_url)))
{}

shard::~shard() { impl_->stop(); }

void shard::resume_kept(const kept_session& s)
{
    impl_->session_id = s.session_id;
    impl_->seq = s.seq;
    impl_->resume_url = s.resume_url;
    impl_->kept_session_pending = true;
}

std::optional<kept_session> shard::session_to_keep() const
{
    if (impl_->session_id.empty() || impl_->resume_url.empty()) return std::nullopt;
    kept_session k;
    k.session_id = impl_->session_id;
    k.seq = impl_->seq;
    k.resume_url = impl_->resume_url;
    return k;
}

void shard::start()
{
    impl_->life.supervise("gateway", [i = impl_, host = impl_->host_weak.lock()] { return i->run(); });
}
void shard::stop() { impl_->stop(); }
std::uint32_t shard::id() const noexcept { return impl_->id; }
bool shard::running() const noexcept { return impl_->is_running; }
const std::string& shard::session_id() const noexcept { return impl_->session_id; }
std::int64_t shard::sequence() const noexcept { return impl_->seq; }

}  // namespace nudgebot::discord
