// The only Beast translation unit of net/: TLS context, HTTP client and websocket connection.
// Kept in one file on purpose: each Beast TU costs about a minute on the build machines.
#include "net/http_client.hpp"

#include "net/beast_units.hpp"

#include "net/websocket.hpp"
#include "net/http_message.hpp"
#include "net/tls.hpp"
#include "net/rate_limiter.hpp"
#include "net/task_failure.hpp"
#include "net/url.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <variant>

namespace nudgebot::net {

namespace ssl = asio::ssl;
using asio::use_awaitable;

// ---------------------------------------------------------------------------------------------
// TLS

ssl::context& client_tls_context()
{
    static ssl::context* ctx = [] {
        auto* c = new ssl::context(ssl::context::tls_client);
        c->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        boost::system::error_code ec;
        c->set_default_verify_paths(ec);   // an empty store only makes every handshake fail
        c->set_verify_mode(ssl::verify_peer);
        return c;
    }();
    return *ctx;
}

namespace {

// Host-name verification and SNI for one TLS stream. Returns an error text or empty.
template <class SslStream>
std::string prepare_tls(SslStream& stream, const std::string& host)
{
    if (!SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
        return "cannot set TLS server name";
    stream.set_verify_callback(ssl::host_name_verification(host));
    return {};
}

// Resolve and connect the TCP layer within the stream's current expiry.
asio::awaitable<beast::error_code> connect_tcp(beast::tcp_stream& stream, const url& u)
{
    tcp::resolver resolver(stream.get_executor());
    auto [rec, results] = co_await resolver.async_resolve(u.host, u.port, tuple_awaitable);
    if (rec) co_return rec;
    auto [cec, ep] = co_await stream.async_connect(results, tuple_awaitable);
    if (!cec) stream.socket().set_option(tcp::no_delay(true));
    co_return cec;
}

}  // namespace

std::string_view http_response::header(std::string_view name) const noexcept { return find_header(headers, name); }

// ---------------------------------------------------------------------------------------------
// HTTP client

namespace {

struct http_connection {
    using plain_stream = beast::tcp_stream;
    using tls_stream = beast::ssl_stream<beast::tcp_stream>;
    std::unique_ptr<plain_stream> plain;
    std::unique_ptr<tls_stream> secure;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

template <class Stream>
asio::awaitable<beast::error_code> exchange(Stream& s, beast::flat_buffer& buffer,
                                            http::request<http::string_body>& req,
                                            http::response_parser<http::string_body>& parser)
{
    auto [wec, wn] = co_await http::async_write(s, req, tuple_awaitable);
    if (wec) co_return wec;
    auto [rec, rn] = co_await http::async_read(s, buffer, parser, tuple_awaitable);
    co_return rec;
}

}  // namespace

struct http_client::impl : std::enable_shared_from_this<http_client::impl> {
    asio::io_context& ioc;
    http_client_options options;
    std::map<std::string, std::vector<std::unique_ptr<http_connection>>> idle;
    std::uint64_t opened = 0;

    impl(asio::io_context& c, http_client_options o) : ioc(c), options(std::move(o)) {}

    static std::string pool_key(const url& u) { return u.scheme + "://" + u.host + ":" + u.port; }

    asio::awaitable<std::string> open(http_connection& conn, const url& u,
                                      std::chrono::steady_clock::time_point deadline)
    {
        if (u.tls())
            conn.secure = std::make_unique<http_connection::tls_stream>(ioc.get_executor(),
                                                                        client_tls_context());
        else
            conn.plain = std::make_unique<http_connection::plain_stream>(ioc.get_executor());
        ++opened;
        conn.lowest().expires_at(deadline);
        if (auto ec = co_await connect_tcp(conn.lowest(), u)) co_return "connect: " + ec.message();
        if (conn.secure) {
            if (auto err = prepare_tls(*conn.secure, u.host); !err.empty()) co_return err;
            auto [hec] = co_await conn.secure->async_handshake(ssl::stream_base::client, tuple_awaitable);
            if (hec) co_return "tls: " + hec.message();
        }
        co_return std::string{};
    }

    asio::awaitable<http_response> run(http_request req)
    {
        auto self = shared_from_this();
        http_response out;
        auto u = parse_url(req.url);
        if (!u || (u->scheme != "http" && u->scheme != "https")) {
            out.error = "invalid url";
            co_return out;
        }
        if (!transport_allowed(*u)) {
            out.error = "plain http is allowed only for loopback hosts";
            co_return out;
        }
        http::request<http::string_body> hreq{http::string_to_verb(req.method), u->target, 11};
        if (hreq.method() == http::verb::unknown) {
            out.error = "invalid method";
            co_return out;
        }
        hreq.set(http::field::host, u->host);
        hreq.set(http::field::user_agent, options.user_agent);
        for (const auto& h : req.headers) hreq.set(h.name, h.value);
        hreq.keep_alive(true);
        if (!req.body.empty() || hreq.method() == http::verb::post || hreq.method() == http::verb::put ||
            hreq.method() == http::verb::patch) {
            hreq.body() = std::move(req.body);
            hreq.prepare_payload();
        }

        const auto key = pool_key(*u);
        const auto deadline = std::chrono::steady_clock::now() + req.timeout;
        // A pooled connection may have been closed by the server while idle. That shows up as an
        // error before any response byte; then one fresh connection is tried.
        for (int attempt = 0; attempt < 2; ++attempt) {
            std::unique_ptr<http_connection> conn;
            bool reused = false;
            if (auto it = idle.find(key); it != idle.end() && !it->second.empty()) {
                conn = std::move(it->second.back());
                it->second.pop_back();
                reused = true;
            } else {
                conn = std::make_unique<http_connection>();
                if (auto err = co_await open(*conn, *u, deadline); !err.empty()) {
                    out.error = std::move(err);
                    co_return out;
                }
            }
            conn->lowest().expires_at(deadline);
            http::response_parser<http::string_body> parser;
            parser.body_limit(options.max_body_bytes);
            parser.header_limit(64 * 1024);
            beast::error_code ec;
            if (conn->secure)
                ec = co_await exchange(*conn->secure, conn->buffer, hreq, parser);
            else
                ec = co_await exchange(*conn->plain, conn->buffer, hreq, parser);
            if (ec) {
                if (reused && attempt == 0 && !parser.got_some()) continue;
                out.error = ec == beast::error::timeout ? std::string("timeout") : ec.message();
                co_return out;
            }
            auto& res = parser.get();
            out.status = static_cast<int>(res.result_int());
            for (const auto& field : res)
                out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
            out.body = std::move(res.body());
            if (res.keep_alive()) {
                conn->lowest().expires_never();
                auto& pool = idle[key];
                if (pool.size() < options.max_idle_per_host) pool.push_back(std::move(conn));
            }
            co_return out;
        }
        out.error = "connection closed";
        co_return out;
    }
};

http_client::http_client(asio::io_context& ioc, http_client_options options)
    : impl_(std::make_shared<impl>(ioc, std::move(options)))
{}

http_client::~http_client() = default;

asio::awaitable<http_response> http_client::request(http_request req)
{
    auto keep = impl_;
    co_return co_await keep->run(std::move(req));
}

std::uint64_t http_client::connections_opened() const noexcept { return impl_->opened; }

std::size_t http_client::idle_connections() const noexcept
{
    std::size_t n = 0;
    for (const auto& [k, v] : impl_->idle) n += v.size();
    return n;
}

// ---------------------------------------------------------------------------------------------
// Websocket connection

struct ws_connection::impl : std::enable_shared_from_this<ws_connection::impl> {
    using plain_ws = websocket::stream<beast::tcp_stream>;
    using tls_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

    asio::io_context& ioc;
    ws_options options;
    std::unique_ptr<plain_ws> plain;
    std::unique_ptr<tls_ws> secure;
    beast::flat_buffer read_buffer;
    std::deque<std::string> normal;
    std::deque<std::string> priority;
    std::optional<std::uint16_t> close_code;
    bool open = false;
    bool aborted = false;
    asio::steady_timer wake;
    std::optional<token_bucket> limiter;
    std::uint64_t sent_count = 0;
    std::uint64_t dropped_count = 0;

    impl(asio::io_context& c, ws_options o) : ioc(c), options(std::move(o)), wake(c)
    {
        declare_task_failure_metrics();
    }

    beast::tcp_stream* lowest()
    {
        if (secure) return &beast::get_lowest_layer(*secure);
        if (plain) return &beast::get_lowest_layer(*plain);
        return nullptr;
    }

    template <class WS>
    void configure(WS& ws)
    {
        ws.set_option(websocket::stream_base::timeout{options.handshake_timeout,
                                                      websocket::stream_base::none(), false});
        auto ua = options.user_agent;
        auto extra = options.headers;
        ws.set_option(websocket::stream_base::decorator([ua, extra](websocket::request_type& r) {
            r.set(http::field::user_agent, ua);
            for (const auto& h : extra) r.set(h.name, h.value);
        }));
        ws.read_message_max(options.max_message_bytes);
        ws.auto_fragment(false);
    }

    template <class WS>
    asio::awaitable<beast::error_code> handshake(WS& ws, const url& u)
    {
        configure(ws);
        auto [ec] = co_await ws.async_handshake(u.host + ":" + u.port, u.target, tuple_awaitable);
        if (!ec) {
            // From now on the same limit bounds the closing handshake.
            ws.set_option(websocket::stream_base::timeout{
                options.close_timeout,
                options.keepalive.count() > 0 ? std::chrono::steady_clock::duration(options.keepalive)
                                              : websocket::stream_base::none(),
                options.keepalive.count() > 0});
        }
        co_return ec;
    }

    asio::awaitable<std::string> connect(std::string text)
    {
        auto self = shared_from_this();
        auto u = parse_url(text);
        if (!u || (u->scheme != "ws" && u->scheme != "wss")) co_return "invalid websocket url";
        if (!transport_allowed(*u)) co_return "plain ws is allowed only for loopback hosts";
        if (plain || secure) co_return "already connected";
        if (u->tls())
            secure = std::make_unique<tls_ws>(ioc.get_executor(), client_tls_context());
        else
            plain = std::make_unique<plain_ws>(ioc.get_executor());
        auto& tcp = *lowest();
        tcp.expires_after(options.handshake_timeout);
        if (auto ec = co_await connect_tcp(tcp, *u)) co_return "connect: " + ec.message();
        if (aborted) co_return "aborted";
        if (secure) {
            if (auto err = prepare_tls(secure->next_layer(), u->host); !err.empty()) co_return err;
            auto [hec] = co_await secure->next_layer().async_handshake(ssl::stream_base::client,
                                                                       tuple_awaitable);
            if (hec) co_return "tls: " + hec.message();
        }
        tcp.expires_never();   // the websocket layer applies its own timeouts from here
        beast::error_code ec = secure ? co_await handshake(*secure, *u) : co_await handshake(*plain, *u);
        if (ec) co_return "handshake: " + ec.message();
        if (aborted) co_return "aborted";
        open = true;
        if (options.send_limit > 0)
            limiter.emplace(static_cast<double>(options.send_limit), options.send_window,
                            std::chrono::steady_clock::now());
        asio::co_spawn(ioc, writer(), on_task_end{task::ws_writer, [self] { self->do_abort(); }});
        co_return std::string{};
    }

    template <class WS>
    asio::awaitable<ws_read_result> read_on(WS& ws)
    {
        ws_read_result out;
        read_buffer.clear();
        auto [ec, n] = co_await ws.async_read(read_buffer, tuple_awaitable);
        if (ec) {
            if (ec == websocket::error::closed) out.close_code = ws.reason().code;
            out.error = ec.message();
            open = false;
            wake.cancel();
            co_return out;
        }
        out.ok = true;
        out.binary = !ws.got_text();
        out.data = beast::buffers_to_string(read_buffer.data());
        co_return out;
    }

    asio::awaitable<ws_read_result> read()
    {
        auto self = shared_from_this();
        if (secure) co_return co_await read_on(*secure);
        if (plain) co_return co_await read_on(*plain);
        ws_read_result out;
        out.error = "not connected";
        co_return out;
    }

    template <class WS>
    asio::awaitable<beast::error_code> write_on(WS& ws, const std::string& msg)
    {
        ws.text(true);
        auto [ec, n] = co_await ws.async_write(asio::buffer(msg), tuple_awaitable);
        co_return ec;
    }

    template <class WS>
    asio::awaitable<void> close_on(WS& ws, std::uint16_t code)
    {
        auto [ec] = co_await ws.async_close(websocket::close_reason(code), tuple_awaitable);
        (void)ec;
    }

    // The one writer: priority lane first, then the normal lane within the send limit.
    asio::awaitable<void> writer()
    {
        auto self = shared_from_this();
        while (open && !aborted) {
            std::string msg;
            if (!priority.empty()) {
                msg = std::move(priority.front());
                priority.pop_front();
                if (limiter) limiter->try_acquire(std::chrono::steady_clock::now());
            } else if (close_code) {
                auto code = *close_code;
                if (secure) co_await close_on(*secure, code);
                else co_await close_on(*plain, code);
                open = false;
                break;
            } else if (!normal.empty()) {
                if (limiter) {
                    auto now = std::chrono::steady_clock::now();
                    auto reserve = static_cast<double>(options.priority_reserve);
                    if (auto w = limiter->wait_time(now, reserve); w > decltype(w)::zero()) {
                        wake.expires_after(w);
                        co_await wake.async_wait(tuple_awaitable);
                        continue;
                    }
                    limiter->try_acquire(now, reserve);
                }
                msg = std::move(normal.front());
                normal.pop_front();
            } else {
                wake.expires_at(asio::steady_timer::time_point::max());
                co_await wake.async_wait(tuple_awaitable);
                continue;
            }
            fault_point(task::ws_writer);
            auto ec = secure ? co_await write_on(*secure, msg) : co_await write_on(*plain, msg);
            if (ec) {
                do_abort();
                break;
            }
            ++sent_count;
        }
    }

    bool send(std::string text, ws_lane lane)
    {
        if (!open || aborted || close_code) return false;
        auto& q = lane == ws_lane::priority ? priority : normal;
        std::size_t cap = lane == ws_lane::priority ? 8 : options.max_queue;
        if (q.size() >= cap) {
            ++dropped_count;
            return false;
        }
        q.push_back(std::move(text));
        wake.cancel();
        return true;
    }

    void close(std::uint16_t code)
    {
        if (!open || close_code || aborted) {
            do_abort();
            return;
        }
        close_code = code;
        normal.clear();
        priority.clear();
        wake.cancel();
        // Backstop: a peer that never answers the close frame (or never reads) loses the TCP
        // connection after close_timeout, so the reader always finishes.
        auto timer = std::make_shared<asio::steady_timer>(ioc, options.close_timeout * 2);
        timer->async_wait([self = shared_from_this(), timer](beast::error_code) { self->do_abort(); });
    }

    void do_abort()
    {
        aborted = true;
        open = false;
        if (auto* tcp = lowest()) {
            beast::error_code ec;
            tcp->socket().shutdown(tcp::socket::shutdown_both, ec);
            tcp->close();
        }
        wake.cancel();
    }
};

ws_connection::ws_connection(asio::io_context& ioc, ws_options options)
    : impl_(std::make_shared<impl>(ioc, std::move(options)))
{}

ws_connection::~ws_connection() { impl_->do_abort(); }

asio::awaitable<std::string> ws_connection::connect(std::string url)
{
    auto keep = impl_;
    co_return co_await keep->connect(std::move(url));
}

asio::awaitable<ws_read_result> ws_connection::read()
{
    auto keep = impl_;
    co_return co_await keep->read();
}

bool ws_connection::send(std::string text, ws_lane lane) { return impl_->send(std::move(text), lane); }
void ws_connection::close(std::uint16_t code) { impl_->close(code); }
void ws_connection::abort() { impl_->do_abort(); }
bool ws_connection::is_open() const noexcept { return impl_->open; }
std::size_t ws_connection::queued() const noexcept { return impl_->normal.size() + impl_->priority.size(); }
std::uint64_t ws_connection::sent() const noexcept { return impl_->sent_count; }
std::uint64_t ws_connection::dropped() const noexcept { return impl_->dropped_count; }

}  // namespace nudgebot::net
