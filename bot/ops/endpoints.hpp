// The ops endpoints: GET /metrics (Prometheus text), GET /livez (the process and its event loop
// are alive: always 200 when it answers), GET /readyz (JSON: 200 when every enabled platform is
// connected and the store reachable, else 503) and GET /healthz (the same as /readyz, kept for
// existing probes), served on config.ops.listen (loopback by default) by net::http_server.
//
// Contract: owned by bot/ops (the run helper). `answer()` is pure apart from reading the metrics
// registry and /proc: it builds the response to one request, so tests call it without a socket.
// /metrics is core::metrics::global() (or the given registry) plus process metrics (resident
// memory, CPU seconds, open file descriptors, start time) and nudgebot_build_info. /readyz is
// 200 with {"status":"ok",...} when the health function says healthy, else 503 with
// {"status":"unavailable",...}; its fields are ids and counts only. /metrics calls the health function first, so gauges
// it sets are current. Other paths are 404, other methods 405. `server` runs on the caller's io_context (one thread, the bot's strand), so the
// health function is called on that thread. Bodies of requests are never read or logged.
#pragma once

#include "core/metrics.hpp"
#include "net/http_server.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace nudgebot::ops {

struct health_report {
    bool healthy = false;
    std::vector<std::pair<std::string, std::uint64_t>> fields;   // counts and flags, no text
};
using health_fn = std::function<health_report()>;

// Prometheus text: the registry, then the process metrics.
std::string render_metrics(const core::metrics& registry);

// The answer to one request.
net::server_response answer(const net::server_request& request, const health_fn& health,
                            const core::metrics& registry = core::metrics::global());

class server {
public:
    // Listens on host:port (port 0: any free port). nullptr with `problem` set when it cannot.
    static std::unique_ptr<server> start(boost::asio::io_context& ioc, const std::string& host, std::uint16_t port,
                                         health_fn health, std::string& problem);
    ~server();
    void stop();
    std::uint16_t port() const noexcept;

private:
    server() = default;
    std::unique_ptr<net::http_server> http_;
    health_fn health_;
};

}  // namespace nudgebot::ops
