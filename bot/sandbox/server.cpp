// The sandbox server (see server.hpp): one net::http_server that routes /api/v10/ to the Discord
// REST subset, websocket upgrades to the gateway emulator, /sandbox/api/ to the page's API and
// everything else to the page's files. The parts live in world, discord_shapes, gateway, rest and
// page_api; this file only wires them to the transport. Everything on the server's one thread.
#include "sandbox/server.hpp"

#include "net/http_server.hpp"
#include "net/url.hpp"
#include "net/zlib_stream_deflater.hpp"
#include "platforms/discord/protocol.hpp"
#include "sandbox/assets.hpp"
#include "sandbox/discord_shapes.hpp"
#include "sandbox/gateway.hpp"
#include "sandbox/page_api.hpp"
#include "sandbox/rest.hpp"
#include "sandbox/world.hpp"

#include <charconv>

namespace nudgebot::sandbox {

namespace {

// A websocket peer of the sandbox's http_server, compressed when it asked for zlib-stream.
class peer_link final : public gateway_link {
public:
    explicit peer_link(net::ws_peer peer) : peer_(std::move(peer))
    {
        if (peer_.target().find("compress=zlib-stream") != std::string::npos)
            zlib_ = std::make_unique<net::zlib_stream_deflater>();
    }
    void send(const std::string& frame, bool) override
    {
        if (zlib_) peer_.send(zlib_->compress(frame), true);
        else peer_.send(frame);
    }
    void close(std::uint16_t code, std::string_view reason) override { peer_.close(code, std::string(reason)); }
    bool is_open() const override { return peer_.is_open(); }

private:
    net::ws_peer peer_;
    std::unique_ptr<net::zlib_stream_deflater> zlib_;
};

}  // namespace

struct server::impl {
    server_options options;
    world state;
    std::unique_ptr<net::http_server> http;
    gateway_emulator gateway;
    discord_rest rest;
    page_api page;

    explicit impl(server_options o)
        : options(std::move(o)),
          state(options),
          gateway(gateway_options{options.bot_token,
                                  options.heartbeat_interval_ms,
                                  std::string(guild_id),
                                  shapes::bot_user(),
                                  std::string(application_id),
                                  [this] { return gateway_url(); },
                                  [this] { return state.new_session_id(); },
                                  [this] { return shapes::guild(state); },
                                  1000}),
          rest(state, gateway, [this] { return gateway_url(); }),
          page(state, gateway)
    {
    }

    std::string gateway_url() const { return "ws://127.0.0.1:" + std::to_string(http->port()) + "/gateway"; }

    // Only requests addressed to this loopback server: guards against DNS rebinding.
    bool host_allowed(const net::server_request& r) const
    {
        if (!net::is_loopback_host(options.address)) return true;   // deliberately exposed
        std::string_view host = r.header("host");
        auto colon = host.rfind(':');
        if (colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) {
            std::uint16_t port = 0;
            auto digits = host.substr(colon + 1);
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
            if (ec != std::errc() || end != digits.data() + digits.size() || port != http->port()) return false;
            host = host.substr(0, colon);
        }
        return net::is_loopback_host(host);
    }

    net::server_response handle(const net::server_request& r)
    {
        auto path = r.path();
        if (path.rfind("/api/v10/", 0) == 0) return rest.handle(r);
        if (!host_allowed(r)) return net::server_response::json(421, R"({"error":"this sandbox answers on 127.0.0.1 only"})");
        if (path.rfind("/sandbox/api/", 0) == 0) return page.handle(r);
        if (r.method == "GET" || r.method == "HEAD") {
            if (auto asset = find_asset(path)) {
                net::server_response res;
                res.content_type = std::string(asset->content_type);
                res.body = std::string(asset->body);
                res.headers.push_back({"Cache-Control", "no-cache"});
                res.headers.push_back({"X-Content-Type-Options", "nosniff"});
                res.headers.push_back({"Content-Security-Policy",
                                       "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                       "connect-src 'self'; frame-ancestors 'none'"});
                return res;
            }
            if (path == "/healthz") return net::server_response::text(200, "ok\n");
        }
        return net::server_response::text(404, "not found\n");
    }
};

server::server(boost::asio::io_context& ioc, server_options options) : impl_(std::make_shared<impl>(std::move(options)))
{
    net::http_server_options o;
    o.address = impl_->options.address;
    o.port = impl_->options.port;
    o.max_body_bytes = impl_->options.max_body_bytes;
    o.ws_max_message_bytes = std::max<std::size_t>(impl_->options.max_body_bytes, 4096);
    o.server_name = "nudgebot-sandbox";
    std::weak_ptr<impl> weak = impl_;
    auto handler = [weak](const net::server_request& r) {
        auto i = weak.lock();
        return i ? i->handle(r) : net::server_response::text(503, "stopping\n");
    };
    net::ws_router router = [weak](const net::server_request& r) -> std::optional<net::ws_callbacks> {
        auto path = r.path();
        if (!weak.lock() || (path != "/gateway" && path != "/" && path != "/gateway/")) return std::nullopt;
        net::ws_callbacks cb;
        cb.on_open = [weak](net::ws_peer p) {
            if (auto s = weak.lock()) s->gateway.open(p.id(), std::make_shared<peer_link>(p), p.target());
        };
        cb.on_message = [weak](net::ws_peer p, std::string text, bool binary) {
            auto s = weak.lock();
            if (!s) return;
            const int op = s->gateway.receive(p.id(), text, binary);
            // The page shows whether the bot is connected.
            if (op == discord::protocol::op::identify || op == discord::protocol::op::resume) s->state.changed();
        };
        cb.on_close = [weak](net::ws_peer p, int code) {
            if (auto s = weak.lock()) {
                s->gateway.closed(p.id(), code);
                s->state.changed();
            }
        };
        return cb;
    };
    impl_->http = std::make_unique<net::http_server>(ioc, o, handler, router);
}

server::~server() { stop(); }

std::string server::start() { return impl_->http->start(); }
void server::stop()
{
    if (impl_->http) impl_->http->stop();
}

std::uint16_t server::port() const noexcept { return impl_->http->port(); }
std::string server::api_base() const { return "http://127.0.0.1:" + std::to_string(port()) + "/api/v10"; }
std::string server::gateway_url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/gateway"; }
std::string server::page_url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/"; }

bool server::bot_ready() const noexcept { return impl_->gateway.ever_ready(); }
bool server::commands_registered() const noexcept { return !impl_->state.registered_commands.empty(); }
std::size_t server::gateway_sessions() const noexcept { return impl_->gateway.identified_connections(); }

}  // namespace nudgebot::sandbox
