#include "support/fake_discord.hpp"

#include "net/beast_units.hpp"

#include "platforms/discord/protocol.hpp"
#include "sandbox/gateway.hpp"
#include "net/zlib_stream_deflater.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <deque>
#include <future>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace nudgebot::test {

using namespace net;   // asio, beast, http, websocket, tcp, tuple_awaitable (net/beast_units.hpp)
using json = nlohmann::json;
namespace dp = discord::protocol;

namespace {

struct out_item {
    enum kind_t { data, close, drop } kind = data;
    std::string text;
    bool binary = false;
    int code = 0;
};

}  // namespace

struct gw_conn : std::enable_shared_from_this<gw_conn> {
    int index = 0;
    std::string target;
    websocket::stream<beast::tcp_stream> ws;
    std::deque<out_item> queue;
    asio::steady_timer wake;
    bool alive = true;
    bool compress = false;
    std::unique_ptr<net::zlib_stream_deflater> zs;

    gw_conn(tcp::socket socket, asio::io_context& ioc) : ws(std::move(socket)), wake(ioc) {}

    void push(out_item item)
    {
        if (!alive) return;
        queue.push_back(std::move(item));
        wake.cancel();
    }

    // Text frames are compressed on the connection's one deflate context when it asked for it.
    void send_text(const std::string& text, bool split = false)
    {
        if (!compress) {
            push({out_item::data, text, false, 0});
            return;
        }
        auto z = zs->compress(text);
        if (split && z.size() > 8) {
            auto half = z.size() / 2;
            push({out_item::data, z.substr(0, half), true, 0});
            push({out_item::data, z.substr(half), true, 0});
        } else {
            push({out_item::data, std::move(z), true, 0});
        }
    }

    asio::awaitable<void> writer()
    {
        auto self = shared_from_this();
        while (alive) {
            if (queue.empty()) {
                wake.expires_at(asio::steady_timer::time_point::max());
                co_await wake.async_wait(tuple_awaitable);
                continue;
            }
            auto item = std::move(queue.front());
            queue.pop_front();
            if (item.kind == out_item::drop) {
                alive = false;
                beast::error_code ec;
                beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ec);
                beast::get_lowest_layer(ws).close();
                break;
            }
            if (item.kind == out_item::close) {
                auto [cec] = co_await ws.async_close(
                    websocket::close_reason(static_cast<std::uint16_t>(item.code)), tuple_awaitable);
                (void)cec;
                alive = false;
                beast::get_lowest_layer(ws).close();
                break;
            }
            ws.binary(item.binary);
            auto [ec, n] = co_await ws.async_write(asio::buffer(item.text), tuple_awaitable);
            if (ec) {
                alive = false;
                beast::get_lowest_layer(ws).close();
                break;
            }
        }
    }
};

// A gateway connection as the shared emulator sees it. Connections stay known to the emulator
// after their socket is gone, so a test can dispatch into a session while it is disconnected and
// see the event replayed on RESUME.
struct fake_link final : sandbox::gateway_link {
    std::weak_ptr<gw_conn> conn;
    bool split = false;   // options.split_compressed_frames: dispatches as two websocket messages

    fake_link(const std::shared_ptr<gw_conn>& c, bool split_dispatches) : conn(c), split(split_dispatches) {}
    void send(const std::string& frame, bool dispatch) override
    {
        if (auto c = conn.lock()) c->send_text(frame, dispatch && split);
    }
    void close(std::uint16_t code, std::string_view) override
    {
        if (auto c = conn.lock()) c->push({out_item::close, {}, false, code});
    }
    bool is_open() const override
    {
        auto c = conn.lock();
        return c && c->alive;
    }
};

struct fake_discord::impl : std::enable_shared_from_this<fake_discord::impl> {
    fake_discord_options options;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::uint16_t port = 0;
    std::thread thread;
    std::promise<void> finished_promise;
    std::future<void> finished;

    // Guarded by mutex: everything the test thread reads.
    mutable std::mutex mutex;
    rest_hook hook;
    std::vector<fake_request> requests;
    std::vector<fake_frame> frames;
    std::vector<std::string> targets;
    int identify_count = 0;
    int resume_count = 0;
    int open_count = 0;
    std::uint64_t flood_count = 0;

    // Fake-thread only.
    std::vector<std::shared_ptr<gw_conn>> conns;
    // The gateway protocol itself is the sandbox's emulator, the one implementation of it.
    std::unique_ptr<sandbox::gateway_emulator> gateway;
    bool kill_after_hello = false;   // set_kill_after_hello (reconnect-policy tests)
    int session_counter = 0;
    std::uint64_t message_counter = 0;
    bool stopping = false;
    std::set<beast::tcp_stream*> http_streams;
    std::set<asio::steady_timer*> delay_timers;

    // Closes every socket and timer so that every coroutine ends and the thread's run() returns.
    void shutdown()
    {
        stopping = true;
        beast::error_code ec;
        acceptor.close(ec);
        for (auto& c : conns) {
            c->alive = false;
            beast::get_lowest_layer(c->ws).socket().close(ec);
            c->wake.cancel();
        }
        for (auto* s : http_streams) s->socket().close(ec);
        for (auto* t : delay_timers) t->cancel();
    }

    std::string base() const { return "127.0.0.1:" + std::to_string(port); }

    std::shared_ptr<gw_conn> pick(int connection)
    {
        if (conns.empty()) return nullptr;
        if (connection < 0) return conns.back();
        if (static_cast<std::size_t>(connection) >= conns.size()) return nullptr;
        return conns[static_cast<std::size_t>(connection)];
    }

    // ---------------------------------------------------------------------------------- REST
    fake_response canned(const fake_request& r)
    {
        static const std::regex dm_channels(R"(^/api/v10/users/@me/channels$)");
        static const std::regex messages(R"(^/api/v10/channels/(\d+|dm-\d+)/messages$)");
        static const std::regex callback(R"(^/api/v10/interactions/[^/]+/[^/]+/callback.*$)");
        static const std::regex original(R"(^/api/v10/webhooks/[^/]+/[^/]+/messages/@original$)");
        static const std::regex commands(R"(^/api/v10/applications/[^/]+(/guilds/[^/]+)?/commands$)");
        fake_response out;
        std::string path = r.target.substr(0, r.target.find('?'));
        if (r.method == "GET" && path == "/api/v10/gateway/bot") {
            out.body = json{{"url", "ws://" + base() + "/gateway"},
                            {"shards", options.shards},
                            {"session_start_limit",
                             {{"total", 1000},
                              {"remaining", options.identify_remaining},
                              {"reset_after", 14400000},
                              {"max_concurrency", options.max_concurrency}}}}
                           .dump();
        } else if (r.method == "POST" && std::regex_match(path, dm_channels)) {
            auto body = json::parse(r.body, nullptr, false);
            std::string to = body.is_object() && body.contains("recipient_id") && body["recipient_id"].is_string()
                                 ? body["recipient_id"].get<std::string>()
                                 : std::string("0");
            out.body = json{{"id", "dm-" + to}, {"type", dp::channel_type::dm}, {"recipients", json::array({{{"id", to}}})}}.dump();
        } else if (r.method == "POST" && std::regex_match(path, messages)) {
            auto channel = path.substr(18, path.size() - 18 - 9);
            out.body = json{{"id", std::to_string(800000000000000000ULL + ++message_counter)},
                            {"channel_id", channel}}
                           .dump();
        } else if (r.method == "POST" && std::regex_match(path, callback)) {
            out.status = 204;
        } else if (r.method == "PATCH" && std::regex_match(path, original)) {
            out.body = R"({"id":"1"})";
        } else if (r.method == "PUT" && std::regex_match(path, commands)) {
            out.body = r.body.empty() ? "[]" : r.body;
        } else {
            out.status = 404;
            out.body = R"({"message":"404: Not Found","code":0})";
        }
        return out;
    }

    asio::awaitable<void> serve_http(beast::tcp_stream stream, beast::flat_buffer buffer,
                                     http::request<http::string_body> req)
    {
        auto self = shared_from_this();
        http_streams.insert(&stream);
        struct unregister {
            impl* i;
            beast::tcp_stream* s;
            ~unregister() { i->http_streams.erase(s); }
        } guard{this, &stream};
        for (;;) {
            if (stopping) co_return;
            fake_request r;
            r.method = std::string(req.method_string());
            r.target = std::string(req.target());
            for (const auto& f : req) {
                std::string name(f.name_string());
                for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                r.headers[name] = std::string(f.value());
            }
            r.body = req.body();
            r.at = std::chrono::steady_clock::now();
            rest_hook h;
            {
                std::lock_guard lock(mutex);
                requests.push_back(r);
                h = hook;
            }
            std::optional<fake_response> scripted;
            if (h) scripted = h(r);
            fake_response res = scripted ? *scripted : canned(r);
            if (res.delay.count() > 0) {
                asio::steady_timer t(ioc, res.delay);
                delay_timers.insert(&t);
                co_await t.async_wait(tuple_awaitable);
                delay_timers.erase(&t);
                if (stopping) co_return;
            }
            if (res.drop) {
                stream.close();
                co_return;
            }
            http::response<http::string_body> out{static_cast<http::status>(res.status), 11};
            out.set(http::field::server, "fake-discord");
            if (!res.body.empty()) out.set(http::field::content_type, "application/json");
            for (const auto& [k, v] : res.headers) out.set(k, v);
            out.body() = res.body;
            out.keep_alive(req.keep_alive());
            out.prepare_payload();
            auto [wec, wn] = co_await http::async_write(stream, out, tuple_awaitable);
            if (wec || !req.keep_alive()) break;
            req = {};
            http::request_parser<http::string_body> parser;
            parser.body_limit(4 * 1024 * 1024);
            stream.expires_after(std::chrono::seconds(60));
            auto [rec, rn] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
            if (rec) break;
            req = parser.release();
        }
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    }

    // -------------------------------------------------------------------------------- Gateway
    void record(int connection, int op, json payload)
    {
        std::lock_guard lock(mutex);
        frames.push_back({connection, op, std::move(payload), std::chrono::steady_clock::now()});
    }

    void send_dispatch(const std::shared_ptr<gw_conn>& c, const std::string& type, const json& d)
    {
        if (c) gateway->dispatch_to(static_cast<std::uint64_t>(c->index), type, d);
    }

    void on_client_frame(const std::shared_ptr<gw_conn>& c, const std::string& text)
    {
        auto j = json::parse(text, nullptr, false);
        int op = (j.is_object() && j.contains("op") && j["op"].is_number_integer()) ? j["op"].get<int>() : -1;
        record(c->index, op, j.is_discarded() ? json() : j);
        if (op == dp::op::identify || op == dp::op::resume) {
            std::lock_guard lock(mutex);
            ++(op == dp::op::identify ? identify_count : resume_count);
        }
        gateway->receive(static_cast<std::uint64_t>(c->index), text, false);
    }

    asio::awaitable<void> serve_gateway(std::shared_ptr<gw_conn> c, http::request<http::string_body> req)
    {
        auto self = shared_from_this();
        c->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        c->ws.read_message_max(1024 * 1024);
        c->ws.auto_fragment(false);
        auto [aec] = co_await c->ws.async_accept(req, tuple_awaitable);
        if (aec) co_return;
        asio::co_spawn(ioc, c->writer(), asio::detached);
        gateway->open(static_cast<std::uint64_t>(c->index), std::make_shared<fake_link>(c, options.split_compressed_frames),
                      c->target);
        if (kill_after_hello) c->push({out_item::close, {}, false, dp::close_code::unknown_error});
        beast::flat_buffer buffer;
        for (;;) {
            buffer.clear();
            auto [ec, n] = co_await c->ws.async_read(buffer, tuple_awaitable);
            if (ec) {
                if (ec == websocket::error::closed)
                    gateway->client_closed(static_cast<std::uint64_t>(c->index), c->ws.reason().code);
                break;
            }
            on_client_frame(c, beast::buffers_to_string(buffer.data()));
        }
        c->alive = false;
        c->wake.cancel();
        std::lock_guard lock(mutex);
        --open_count;
    }

    asio::awaitable<void> serve(tcp::socket socket)
    {
        auto self = shared_from_this();
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.body_limit(4 * 1024 * 1024);
        stream.expires_after(std::chrono::seconds(30));
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
        if (ec) co_return;
        auto req = parser.release();
        stream.expires_never();
        if (websocket::is_upgrade(req)) {
            if (stopping) co_return;
            auto c = std::make_shared<gw_conn>(stream.release_socket(), ioc);
            c->target = std::string(req.target());
            c->compress = c->target.find("compress=zlib-stream") != std::string::npos;
            if (c->compress) c->zs = std::make_unique<net::zlib_stream_deflater>();
            c->index = static_cast<int>(conns.size());
            conns.push_back(c);
            {
                std::lock_guard lock(mutex);
                targets.push_back(c->target);
                ++open_count;
            }
            co_await serve_gateway(c, std::move(req));
        } else {
            co_await serve_http(std::move(stream), std::move(buffer), std::move(req));
        }
    }

    asio::awaitable<void> accept_loop()
    {
        auto self = shared_from_this();
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
            if (ec) break;
            socket.set_option(tcp::no_delay(true));
            asio::co_spawn(ioc, serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> run_flood(std::string type, json d, int per_second, std::chrono::milliseconds duration)
    {
        auto self = shared_from_this();
        const auto tick = std::chrono::milliseconds(5);
        const auto start = std::chrono::steady_clock::now();
        double owed = 0;
        std::size_t next = 0;
        asio::steady_timer t(ioc);
        auto due = start;
        while (!stopping && std::chrono::steady_clock::now() - start < duration) {
            due += tick;
            t.expires_at(due);
            co_await t.async_wait(tuple_awaitable);
            owed += per_second * std::chrono::duration<double>(tick).count();
            std::vector<std::shared_ptr<gw_conn>> live;
            for (auto& c : conns)
                if (c->alive && gateway->has_session(static_cast<std::uint64_t>(c->index))) live.push_back(c);
            if (live.empty()) continue;
            while (owed >= 1.0) {
                owed -= 1.0;
                if (options.flood_stamps_ids)
                    d["id"] = std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                 std::chrono::steady_clock::now().time_since_epoch())
                                                 .count());
                send_dispatch(live[next++ % live.size()], type, d);
                std::lock_guard lock(mutex);
                ++flood_count;
            }
        }
    }
};

fake_discord::fake_discord(fake_discord_options options)
    : options_(std::move(options)), impl_(std::make_shared<impl>())
{
    impl_->options = options_;
    sandbox::gateway_options g;
    g.heartbeat_interval_ms = options_.heartbeat_interval_ms;
    g.guild_id = "300000000000000001";
    g.bot_user = json{{"id", options_.bot_user_id}, {"username", "nudgebot"}, {"bot", true}};
    g.application_id = options_.app_id;
    g.resume_url = [i = impl_.get()] { return "ws://" + i->base() + "/resume"; };
    g.new_session_id = [i = impl_.get()] { return "session-" + std::to_string(++i->session_counter); };
    g.replay_log = 2000;
    impl_->gateway = std::make_unique<sandbox::gateway_emulator>(std::move(g));
    impl_->gateway->knobs.replay_overlap = options_.replay_overlap;
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->finished = impl_->finished_promise.get_future();
    impl_->thread = std::thread([i = impl_.get()] {
        i->ioc.run();
        i->finished_promise.set_value();
    });
}

fake_discord::~fake_discord()
{
    asio::post(impl_->ioc, [i = impl_] { i->shutdown(); });
    // Normally run() returns once every coroutine has ended; the deadline only guards a bug.
    if (impl_->finished.wait_for(std::chrono::seconds(3)) != std::future_status::ready) impl_->ioc.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
    impl_->conns.clear();
}

std::uint16_t fake_discord::port() const noexcept { return impl_->port; }
std::string fake_discord::api_base() const { return "http://" + impl_->base() + "/api/v10"; }
std::string fake_discord::gateway_url() const { return "ws://" + impl_->base() + "/gateway"; }

void fake_discord::on_rest(rest_hook hook)
{
    std::lock_guard lock(impl_->mutex);
    impl_->hook = std::move(hook);
}

std::vector<fake_request> fake_discord::rest_requests() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

std::size_t fake_discord::count_rest(std::string_view method, std::string_view target_prefix) const
{
    std::lock_guard lock(impl_->mutex);
    std::size_t n = 0;
    for (const auto& r : impl_->requests)
        if (r.method == method && std::string_view(r.target).substr(0, target_prefix.size()) == target_prefix) ++n;
    return n;
}

std::vector<fake_frame> fake_discord::received() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->frames;
}

std::size_t fake_discord::count_received(int op) const
{
    std::lock_guard lock(impl_->mutex);
    std::size_t n = 0;
    for (const auto& f : impl_->frames)
        if (f.op == op) ++n;
    return n;
}

int fake_discord::connections() const
{
    std::lock_guard lock(impl_->mutex);
    return static_cast<int>(impl_->targets.size());
}

int fake_discord::open_connections() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->open_count;
}

std::string fake_discord::connection_target(int connection) const
{
    std::lock_guard lock(impl_->mutex);
    if (impl_->targets.empty()) return {};
    if (connection < 0) return impl_->targets.back();
    if (static_cast<std::size_t>(connection) >= impl_->targets.size()) return {};
    return impl_->targets[static_cast<std::size_t>(connection)];
}

int fake_discord::identifies() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->identify_count;
}

int fake_discord::resumes() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->resume_count;
}

std::uint64_t fake_discord::flooded() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->flood_count;
}

void fake_discord::set_ack_heartbeats(bool ack)
{
    asio::post(impl_->ioc, [i = impl_, ack] { i->gateway->knobs.ack_heartbeats = ack; });
}

void fake_discord::set_send_hello(bool send)
{
    asio::post(impl_->ioc, [i = impl_, send] { i->gateway->knobs.send_hello = send; });
}

void fake_discord::set_heartbeat_interval(int ms)
{
    asio::post(impl_->ioc, [i = impl_, ms] { i->gateway->set_heartbeat_interval(ms); });
}

void fake_discord::set_identify_close_code(int code)
{
    asio::post(impl_->ioc, [i = impl_, code] { i->gateway->knobs.identify_close_code = code; });
}

void fake_discord::set_kill_after_hello(bool kill)
{
    asio::post(impl_->ioc, [i = impl_, kill] { i->kill_after_hello = kill; });
}

void fake_discord::set_resume_fails(bool fails)
{
    asio::post(impl_->ioc, [i = impl_, fails] { i->gateway->knobs.resume_fails = fails; });
}

void fake_discord::dispatch(std::string type, nlohmann::json d, int connection)
{
    asio::post(impl_->ioc, [i = impl_, type = std::move(type), d = std::move(d), connection]() mutable {
        i->send_dispatch(i->pick(connection), type, std::move(d));
    });
}

void fake_discord::send_op(int op, nlohmann::json d, int connection)
{
    asio::post(impl_->ioc, [i = impl_, op, d = std::move(d), connection] {
        if (auto c = i->pick(connection)) c->send_text(json{{"op", op}, {"d", d}}.dump());
    });
}

void fake_discord::send_raw(std::string text, int connection)
{
    asio::post(impl_->ioc, [i = impl_, text = std::move(text), connection] {
        if (auto c = i->pick(connection)) c->send_text(text);
    });
}

void fake_discord::send_truncated_zlib(int connection)
{
    asio::post(impl_->ioc, [i = impl_, connection] {
        auto c = i->pick(connection);
        if (!c) return;
        std::string frame = json{{"op", dp::op::dispatch}, {"t", "TYPING_START"}, {"s", nullptr},
                                 {"d", {{"channel_id", "1"}, {"padding", std::string(2000, 'x')}}}}
                                .dump();
        if (!c->compress) {
            c->push({out_item::data, frame.substr(0, frame.size() / 2), false, 0});
            return;
        }
        auto z = c->zs->compress(frame);
        // The first half of a deflate block followed by the flush marker: a stream the client
        // cannot inflate, and whose context is unusable afterwards.
        std::string broken = z.substr(0, z.size() / 2);
        broken += std::string("\x00\x00\xff\xff", 4);
        c->push({out_item::data, broken, true, 0});
    });
}

void fake_discord::close(int code, int connection)
{
    asio::post(impl_->ioc, [i = impl_, code, connection] {
        if (auto c = i->pick(connection)) c->push({out_item::close, {}, false, code});
    });
}

void fake_discord::drop(int connection)
{
    asio::post(impl_->ioc, [i = impl_, connection] {
        if (auto c = i->pick(connection)) {
            c->queue.clear();
            c->push({out_item::drop, {}, false, 0});
        }
    });
}

void fake_discord::flood(std::string type, nlohmann::json d, int per_second, std::chrono::milliseconds duration)
{
    asio::post(impl_->ioc, [i = impl_, type = std::move(type), d = std::move(d), per_second, duration]() mutable {
        asio::co_spawn(i->ioc, i->run_flood(std::move(type), std::move(d), per_second, duration), asio::detached);
    });
}

}  // namespace nudgebot::test
