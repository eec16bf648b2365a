// /metrics and /healthz (see endpoints.hpp).
#include "ops/endpoints.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <sys/resource.h>
#include <unistd.h>

namespace nudgebot::ops {

namespace {

// Seconds since the epoch when this process started: taken at static initialisation, which is
// close enough for Prometheus' process_start_time_seconds.
const double process_start_seconds =
    std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

double resident_bytes()
{
    std::ifstream in("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    if (!(in >> pages_total >> pages_resident)) return 0;
    return static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double virtual_bytes()
{
    std::ifstream in("/proc/self/statm");
    long pages_total = 0;
    if (!(in >> pages_total)) return 0;
    return static_cast<double>(pages_total) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double cpu_seconds()
{
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double open_fds()
{
    std::error_code ec;
    double n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
}

// One metric family of one sample, in the Prometheus text format: HELP, TYPE, the sample.
template <class Value>
void write_family(std::ostream& out, std::string_view name, std::string_view help, std::string_view type,
                  const Value& value)
{
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n' << name << ' ' << value
        << '\n';
}

}  // namespace

std::string render_metrics(const core::metrics& registry)
{
    std::ostringstream out;
    out << registry.render_prometheus();
    out.precision(15);
    write_family(out, "process_cpu_seconds_total", "User and system CPU time spent in seconds.", "counter",
                 cpu_seconds());
    write_family(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", resident_bytes());
    write_family(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", virtual_bytes());
    write_family(out, "process_open_fds", "Number of open file descriptors.", "gauge", open_fds());
    write_family(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge",
                 process_start_seconds);
    out << "# HELP nudgebot_build_info The running version.\n"
           "# TYPE nudgebot_build_info gauge\n"
        << "nudgebot_build_info{version=\"" << NUDGEBOT_VERSION << "\"} 1\n";
    return out.str();
}

net::server_response answer(const net::server_request& request, const health_fn& health,
                            const core::metrics& registry)
{
    const auto path = request.path();
    if (path != "/metrics" && path != "/healthz" && path != "/livez" && path != "/readyz")
        return net::server_response::text(404, "not found\n");
    if (request.method != "GET" && request.method != "HEAD") {
        auto r = net::server_response::text(405, "only GET\n");
        r.headers.push_back({"Allow", "GET, HEAD"});
        return r;
    }
    if (path == "/metrics") {
        // The health function also sets the state gauges (platforms, shards, store): current now.
        if (health) health();
        net::server_response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = render_metrics(registry);
        return r;
    }
    // Liveness: this answer comes from the bot's own event loop, so getting it at all means the
    // process is alive and its loop turns. Restarting for anything else would not help.
    if (path == "/livez") return net::server_response::json(200, "{\"status\":\"alive\"}\n");
    // Readiness (and /healthz, kept for existing probes): platforms connected, store reachable.
    health_report h = health ? health() : health_report{};
    nlohmann::json body;
    body["status"] = h.healthy ? "ok" : "unavailable";
    for (const auto& [name, value] : h.fields) body[name] = value;
    return net::server_response::json(h.healthy ? 200 : 503, body.dump() + "\n");
}

std::unique_ptr<server> server::start(boost::asio::io_context& ioc, const std::string& host, std::uint16_t port,
                                      health_fn health, std::string& problem)
{
    std::unique_ptr<server> s(new server());
    s->health_ = std::move(health);
    net::http_server_options options;
    options.address = host;
    options.port = port;
    options.max_body_bytes = 4096;      // nothing here takes a body
    options.max_connections = 32;
    options.read_timeout = std::chrono::milliseconds(5000);
    options.idle_timeout = std::chrono::milliseconds(30000);
    auto* raw = s.get();
    s->http_ = std::make_unique<net::http_server>(
        ioc, options, [raw](const net::server_request& r) { return answer(r, raw->health_); });
    problem = s->http_->start();
    if (!problem.empty()) return nullptr;
    return s;
}

server::~server() = default;

void server::stop()
{
    if (http_) http_->stop();
}

std::uint16_t server::port() const noexcept { return http_ ? http_->port() : 0; }

}  // namespace nudgebot::ops
