#include "platforms/runtime/api_client.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "platforms/runtime/lifecycle.hpp"

#include <charconv>
#include <deque>
#include <random>
#include <unordered_map>

namespace nudgebot::runtime {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::optional<milliseconds> parse_seconds(std::string_view text)
{
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty()) return std::nullopt;
    double v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || v < 0 || v > 86400) return std::nullopt;
    return std::chrono::duration_cast<milliseconds>(std::chrono::duration<double>(v));
}

core::metric_histogram& rest_round_trip_histogram(const std::string& platform)
{
    auto& m = core::metrics::global();
    m.describe("nudgebot_rest_seconds",
               "One HTTP request to the platform's REST / Web API, from sending it to its answer (each attempt), "
               "by platform.");
    return m.histogram("nudgebot_rest_seconds", {{"platform", platform}});
}

struct api_client::impl {
    lifecycle& life;
    const core::clock& clock;
    std::string prefix;
    retry_settings cfg;
    net::http_client http;
    std::unordered_map<std::string, steady::time_point> blocked_until;
    std::deque<steady::time_point> refusals;   // 401/403 within the last 10 minutes
    steady::time_point breaker_until{};
    bool rejected = false;
    std::mt19937_64 rng{std::random_device{}()};

    core::metric_histogram& round_trip;

    impl(lifecycle& l, const core::clock& c, std::string p, retry_settings s, net::http_client_options o)
        : life(l), clock(c), prefix(std::move(p)), cfg(s), http(l.context(), std::move(o)),
          round_trip(rest_round_trip_histogram(l.platform()))
    {}

    core::metric_counter& counter(const std::string& suffix, core::metric_labels labels) const
    {
        return core::metrics::global().counter(prefix + suffix, labels);
    }

    bool breaker() const { return rejected || clock.steady_now() < breaker_until; }

    void count_refusal(int status, const api_request& r)
    {
        if (!r.credential) return;
        auto now = clock.steady_now();
        if (status == 401 && !rejected) {
            rejected = true;
            counter("_breaker_open_total", {}).add();
            life.log()->error("the platform answered 401: the token is invalid or revoked; no further API calls");
            return;
        }
        refusals.push_back(now);
        while (!refusals.empty() && now - refusals.front() > std::chrono::minutes(10)) refusals.pop_front();
        if (refusals.size() >= cfg.breaker_limit && now >= breaker_until) {
            breaker_until = refusals.front() + std::chrono::minutes(10);
            counter("_breaker_open_total", {}).add();
            life.log()->error("API circuit breaker open: {} answers with status 401/403 in 10 minutes; calls fail "
                              "fast until the window clears",
                              refusals.size());
        }
    }

    milliseconds jittered(milliseconds step)
    {
        auto d = std::max<std::int64_t>(step.count(), 1);
        std::uniform_int_distribution<std::int64_t> upper_half(d - d / 2, d);
        return milliseconds(upper_half(rng));
    }

    static std::optional<milliseconds> reset_wait(const net::http_response& r)
    {
        if (auto w = parse_seconds(r.header("Retry-After"))) return w;
        if (auto w = parse_seconds(r.header("X-RateLimit-Reset-After"))) return w;
        return parse_seconds(r.header("X-RateLimit-Reset"));
    }

    asio::awaitable<net::http_response> send(api_request req)
    {
        net::http_response last;
        req.http.timeout = cfg.timeout;
        for (int attempt = 1; attempt <= cfg.max_attempts && !life.stopping(); ++attempt) {
            if (breaker()) {
                last = {};
                last.error = "circuit open";
                co_return last;
            }
            auto now = clock.steady_now();
            if (auto b = blocked_until.find(req.limit_key); b != blocked_until.end() && b->second > now)
                co_await life.sleep_for(b->second - now);
            const auto sent = steady::now();
            last = co_await http.request(req.http);
            round_trip.observe(std::chrono::duration<double>(steady::now() - sent).count());
            if (last.status == 429) {
                counter("_rate_limited_total", req.labels).add();
                auto wait = reset_wait(last).value_or(std::chrono::seconds(1));
                if (wait > cfg.max_retry_after) co_return last;
                life.log()->warn("{}: rate limited, retrying after {} ms", req.limit_key, wait.count());
                blocked_until[req.limit_key] = clock.steady_now() + wait;
                if (blocked_until.size() > 10000) blocked_until.clear();   // bounded
                continue;
            }
            if (last.status == 0 || last.status >= 500) {
                auto labels = req.labels;
                labels.emplace_back("kind", last.status == 0 ? "transport" : "5xx");
                counter("_errors_total", labels).add();
                if (attempt < cfg.max_attempts) co_await life.sleep_for(jittered(cfg.retry_base * (1 << (attempt - 1))));
                continue;
            }
            if (last.status == 401 || last.status == 403) count_refusal(last.status, req);
            if (last.header("X-RateLimit-Remaining") == "0")
                if (auto w = reset_wait(last); w && *w <= cfg.max_retry_after)
                    blocked_until[req.limit_key] = clock.steady_now() + *w;
            co_return last;
        }
        if (last.status == 0 && last.error.empty()) last.error = life.stopping() ? "stopping" : "gave up";
        co_return last;
    }
};

api_client::api_client(lifecycle& life, const core::clock& clock, std::string metric_prefix, retry_settings s,
                       net::http_client_options options)
    : impl_(std::make_unique<impl>(life, clock, std::move(metric_prefix), s, std::move(options)))
{}

api_client::~api_client() = default;

asio::awaitable<net::http_response> api_client::send(api_request request)
{
    return impl_->send(std::move(request));
}

bool api_client::breaker_open() const noexcept { return impl_->breaker(); }
bool api_client::token_rejected() const noexcept { return impl_->rejected; }
const retry_settings& api_client::settings() const noexcept { return impl_->cfg; }

asio::awaitable<bool> post_response_url(api_client& http, std::string url, std::string json_body,
                                        std::string content_type, core::metric_labels labels)
{
    api_request req;
    req.limit_key = "response_url";
    req.labels = std::move(labels);
    req.credential = false;
    req.http.method = "POST";
    req.http.url = std::move(url);
    req.http.body = std::move(json_body);
    req.http.headers.push_back({"Content-Type", std::move(content_type)});
    auto r = co_await http.send(std::move(req));
    co_return r.status >= 200 && r.status < 300;
}

}  // namespace nudgebot::runtime
