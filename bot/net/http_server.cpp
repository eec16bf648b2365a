// The HTTP/websocket server (see http_server.hpp). One coroutine per connection on the server's
// one thread, so no locks: the thread is the strand.
#include "net/http_server.hpp"

#include "net/beast_units.hpp"

#include "net/backoff.hpp"
#include "net/task_failure.hpp"

#include <deque>
#include <set>

namespace nudgebot::net {

// ------------------------------------------------------------------------------------ websocket

struct ws_peer::impl {
    websocket::stream<beast::tcp_stream> ws;
    asio::steady_timer wake;
    std::deque<std::pair<std::string, bool>> queue;   // data, binary
    std::size_t max_queue = 1024;
    bool open = true;          // reads and writes allowed
    bool closing = false;      // close requested: the writer sends the close frame when done
    std::uint16_t close_code = 1000;
    std::string close_reason;
    std::uint64_t id = 0;
    std::string target;

    impl(tcp::socket s, asio::io_context& ioc) : ws(std::move(s)), wake(ioc) {}

    asio::awaitable<void> writer(std::shared_ptr<impl> self)
    {
        while (open) {
            if (queue.empty()) {
                if (closing) {
                    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(2));
                    websocket::close_reason why(close_code);
                    why.reason = close_reason.substr(0, 120);
                    co_await ws.async_close(why, tuple_awaitable);
                    open = false;
                    break;
                }
                wake.expires_at(asio::steady_timer::time_point::max());
                co_await wake.async_wait(tuple_awaitable);
                continue;
            }
            fault_point(task::http_ws_writer);
            auto [text, binary] = std::move(queue.front());
            queue.pop_front();
            ws.binary(binary);
            auto [ec, n] = co_await ws.async_write(asio::buffer(text), tuple_awaitable);
            if (ec) {
                open = false;
                beast::error_code ignored;
                beast::get_lowest_layer(ws).socket().close(ignored);
                break;
            }
        }
    }

    void abort()
    {
        open = false;
        beast::error_code ignored;
        beast::get_lowest_layer(ws).socket().close(ignored);
        wake.cancel();
    }
};

bool ws_peer::send(std::string data, bool binary)
{
    if (!impl_ || !impl_->open || impl_->closing || impl_->queue.size() >= impl_->max_queue) return false;
    impl_->queue.emplace_back(std::move(data), binary);
    impl_->wake.cancel();
    return true;
}

void ws_peer::close(std::uint16_t code, std::string reason)
{
    if (!impl_ || !impl_->open || impl_->closing) return;
    impl_->closing = true;
    impl_->close_code = code;
    impl_->close_reason = std::move(reason);
    impl_->wake.cancel();
}

bool ws_peer::is_open() const noexcept { return impl_ && impl_->open && !impl_->closing; }
std::uint64_t ws_peer::id() const noexcept { return impl_ ? impl_->id : 0; }
std::string ws_peer::target() const { return impl_ ? impl_->target : std::string(); }
std::size_t ws_peer::queued() const noexcept { return impl_ ? impl_->queue.size() : 0; }

// --------------------------------------------------------------------------------------- server

struct http_server::impl : std::enable_shared_from_this<http_server::impl> {
    asio::io_context& ioc;
    http_server_options options;
    http_handler handler;
    ws_router router;
    tcp::acceptor acceptor;
    asio::steady_timer accept_restart;   // waits before the accept loop is started again after an exception
    backoff accept_backoff{std::chrono::milliseconds(50), std::chrono::milliseconds(2000)};
    bool stopping = false;
    bool started = false;
    std::uint16_t bound_port = 0;
    std::string bound_address;
    http_server_stats counters;
    std::uint64_t next_ws_id = 0;
    std::set<beast::tcp_stream*> streams;                    // HTTP connections, to close on stop
    std::set<std::shared_ptr<ws_peer::impl>> peers;          // open websockets, to close on stop

    impl(asio::io_context& c, http_server_options o, http_handler h, ws_router r)
        : ioc(c), options(std::move(o)), handler(std::move(h)), router(std::move(r)), acceptor(c), accept_restart(c)
    {
        declare_task_failure_metrics();
    }

    void shutdown()
    {
        stopping = true;
        beast::error_code ec;
        acceptor.close(ec);
        accept_restart.cancel();
        for (auto* s : streams) s->socket().close(ec);
        for (const auto& p : peers) p->abort();
        peers.clear();
        // Callbacks may refer to the owner, which may be going away: drop them now.
        handler = {};
        router = {};
    }

    static server_request to_request(const http::request<http::string_body>& req, const std::string& remote)
    {
        server_request r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        for (const auto& f : req) r.headers.push_back({std::string(f.name_string()), std::string(f.value())});
        r.body = req.body();
        r.remote = remote;
        return r;
    }

    http::response<http::string_body> build(const server_response& res, unsigned version, bool keep_alive) const
    {
        http::response<http::string_body> out;
        out.version(version);
        out.result(static_cast<unsigned>(res.status));
        out.set(http::field::server, options.server_name);
        if (!res.content_type.empty()) out.set(http::field::content_type, res.content_type);
        for (const auto& h : res.headers) out.set(h.name, h.value);
        out.body() = res.body;
        out.keep_alive(keep_alive);
        out.prepare_payload();
        return out;
    }

    // An answer from the server itself (limits, malformed input), then the connection closes.
    asio::awaitable<void> reject(beast::tcp_stream& stream, int status, std::string why)
    {
        ++counters.rejected;
        auto res = server_response::text(status, std::move(why) + "\n");
        auto out = build(res, 11, false);
        stream.expires_after(std::chrono::seconds(5));
        co_await http::async_write(stream, out, tuple_awaitable);
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    }

    server_response call_handler(const server_request& r)
    {
        if (!handler) return server_response::text(503, "the server is stopping\n");
        try {
            ++counters.requests;
            return handler(r);
        } catch (const std::exception&) {
            return server_response::text(500, "internal error\n");
        } catch (...) {
            return server_response::text(500, "internal error\n");
        }
    }

    asio::awaitable<void> serve_websocket(tcp::socket socket, http::request<http::string_body> req,
                                          ws_callbacks callbacks)
    {
        auto self = shared_from_this();
        auto peer = std::make_shared<ws_peer::impl>(std::move(socket), ioc);
        peer->id = ++next_ws_id;
        peer->target = std::string(req.target());
        peer->max_queue = options.ws_max_queue;
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeouts.handshake_timeout = options.read_timeout;
        timeouts.idle_timeout = options.ws_idle_timeout;
        timeouts.keep_alive_pings = true;
        peer->ws.set_option(timeouts);
        peer->ws.read_message_max(options.ws_max_message_bytes);
        peer->ws.set_option(websocket::stream_base::decorator(
            [name = options.server_name](websocket::response_type& res) { res.set(http::field::server, name); }));
        auto [aec] = co_await peer->ws.async_accept(req, tuple_awaitable);
        if (aec || stopping) co_return;
        peers.insert(peer);
        ++counters.open_websockets;
        ++counters.open_connections;
        asio::co_spawn(ioc, peer->writer(peer), on_task_end{task::http_ws_writer, [peer] { peer->abort(); }});
        // An exception from a callback ends this connection only: the peer is dropped and
        // unregistered, on_close still runs, and the exception goes on to serve()'s completion
        // handler, which reports it.
        int code = 1006;
        std::exception_ptr failure;
        try {
            if (callbacks.on_open) callbacks.on_open(ws_peer(peer));
            beast::flat_buffer buffer;
            while (peer->open && !stopping) {
                buffer.clear();
                auto [ec, n] = co_await peer->ws.async_read(buffer, tuple_awaitable);
                if (ec) {
                    if (ec == websocket::error::closed) code = peer->ws.reason().code;
                    else if (ec == websocket::error::message_too_big) code = 1009;
                    else ++counters.aborted;
                    break;
                }
                if (stopping) break;
                if (callbacks.on_message)
                    callbacks.on_message(ws_peer(peer), beast::buffers_to_string(buffer.data()), !peer->ws.got_text());
            }
        } catch (...) {
            failure = std::current_exception();
            code = 1011;   // internal error
            peer->abort();
        }
        peer->open = false;
        peer->wake.cancel();
        peers.erase(peer);
        --counters.open_websockets;
        --counters.open_connections;
        if (!stopping && callbacks.on_close) callbacks.on_close(ws_peer(peer), code);
        if (failure) std::rethrow_exception(failure);
    }

    asio::awaitable<void> serve(tcp::socket socket)
    {
        auto self = shared_from_this();
        std::string remote;
        {
            beast::error_code ec;
            auto ep = socket.remote_endpoint(ec);
            if (!ec) remote = ep.address().to_string();
        }
        beast::tcp_stream stream(std::move(socket));
        streams.insert(&stream);
        ++counters.open_connections;
        struct unregister {
            impl* i;
            beast::tcp_stream* s;
            bool active = true;
            void release()
            {
                if (!active) return;
                active = false;
                i->streams.erase(s);
                --i->counters.open_connections;
            }
            ~unregister() { release(); }
        } guard{this, &stream};

        if (counters.open_connections > options.max_connections) {
            co_await reject(stream, 503, "too many connections; try again shortly");
            co_return;
        }
        beast::flat_buffer buffer;
        bool first = true;
        while (!stopping) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
            parser.body_limit(options.max_body_bytes);
            // The first request gets the request deadline; later ones may idle on keep-alive first.
            stream.expires_after(first ? options.read_timeout : options.idle_timeout);
            first = false;
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
            if (stopping) co_return;
            if (ec == http::error::body_limit) {
                co_await reject(stream, 413,
                                "request body too large: the limit is " + std::to_string(options.max_body_bytes) +
                                    " bytes");
                co_return;
            }
            if (ec == http::error::header_limit) {
                co_await reject(stream, 431,
                                "request headers too large: the limit is " +
                                    std::to_string(options.max_header_bytes) + " bytes");
                co_return;
            }
            if (ec == http::error::end_of_stream) co_return;   // keep-alive peer closed: normal
            if (ec == beast::error::timeout || ec == asio::error::connection_reset ||
                ec == asio::error::eof || ec == http::error::partial_message || ec == asio::error::operation_aborted) {
                if (n > 0 || ec == http::error::partial_message) ++counters.aborted;
                co_return;
            }
            if (ec) {
                co_await reject(stream, 400, "malformed HTTP request");
                co_return;
            }
            auto req = parser.release();
            fault_point(task::http_connection);
            auto request = to_request(req, remote);
            if (websocket::is_upgrade(req)) {
                std::optional<ws_callbacks> callbacks;
                if (router) {
                    try {
                        callbacks = router(request);
                    } catch (...) {
                        callbacks.reset();
                    }
                }
                if (!callbacks) {
                    co_await reject(stream, 404, "no websocket endpoint at this path");
                    co_return;
                }
                stream.expires_never();
                guard.release();
                co_await serve_websocket(stream.release_socket(), std::move(req), std::move(*callbacks));
                co_return;
            }
            auto res = call_handler(request);
            if (stopping) co_return;
            if (res.delay.count() > 0) {
                asio::steady_timer hold(ioc, res.delay);
                co_await hold.async_wait(tuple_awaitable);
                if (stopping) co_return;
            }
            bool keep = req.keep_alive();
            auto out = build(res, req.version(), keep);
            stream.expires_after(options.read_timeout);
            auto [wec, wn] = co_await http::async_write(stream, out, tuple_awaitable);
            if (wec) {
                ++counters.aborted;
                co_return;
            }
            if (!keep) break;
        }
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    asio::awaitable<void> accept_loop()
    {
        auto self = shared_from_this();
        while (!stopping) {
            auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
            if (stopping || ec == asio::error::operation_aborted) break;
            if (ec) {
                // EMFILE and friends: wait a little instead of spinning.
                asio::steady_timer t(ioc, std::chrono::milliseconds(50));
                co_await t.async_wait(tuple_awaitable);
                continue;
            }
            fault_point(task::http_accept);
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            // An exception from one connection closes that connection (its socket goes with the
            // coroutine's frame) and is reported; the server serves on.
            asio::co_spawn(ioc, serve(std::move(socket)), on_task_end{task::http_connection, {}});
            accept_backoff.reset();
        }
    }

    // The accept loop, restarted after a short backoff (50 ms doubling to 2 s) if it ends with an
    // exception, so that the server never silently stops accepting.
    void start_accepting()
    {
        asio::co_spawn(ioc, accept_loop(), on_task_end{task::http_accept, [self = shared_from_this()] {
                           self->restart_accepting();
                       }});
    }

    void restart_accepting()
    {
        if (stopping) return;
        accept_restart.expires_after(accept_backoff.next());
        accept_restart.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec && !self->stopping) self->start_accepting();
        });
    }
};

http_server::http_server(boost::asio::io_context& ioc, http_server_options options, http_handler handler,
                         ws_router router)
    : impl_(std::make_shared<impl>(ioc, std::move(options), std::move(handler), std::move(router)))
{}

http_server::~http_server() { stop(); }

std::string http_server::start()
{
    if (impl_->started) return "already started";
    beast::error_code ec;
    auto address = asio::ip::make_address(impl_->options.address, ec);
    if (ec) return "not an IP address: " + impl_->options.address;
    tcp::endpoint ep(address, impl_->options.port);
    impl_->acceptor.open(ep.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(ep, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
        return "cannot listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port) + ": " +
               ec.message();
    }
    auto local = impl_->acceptor.local_endpoint(ec);
    impl_->bound_port = local.port();
    impl_->bound_address = local.address().to_string();
    impl_->started = true;
    impl_->start_accepting();
    return {};
}

void http_server::stop()
{
    if (impl_ && !impl_->stopping) impl_->shutdown();
}

std::uint16_t http_server::port() const noexcept { return impl_->bound_port; }
std::string http_server::address() const { return impl_->bound_address; }
http_server_stats http_server::stats() const noexcept { return impl_->counters; }

}  // namespace nudgebot::net
