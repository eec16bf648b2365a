#include "platforms/discord/rest.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/metrics.hpp"
#include "net/http_client.hpp"
#include "net/rate_limiter.hpp"
#include "platforms/runtime/api_client.hpp"
#include "platforms/runtime/lifecycle.hpp"

#include <charconv>
#include <deque>
#include <map>

namespace nudgebot::discord {

using namespace runtime::short_names;

namespace {

using runtime::parse_seconds;

std::optional<long> parse_int(std::string_view text)
{
    long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || text.empty()) return std::nullopt;
    return v;
}

struct bucket {
    bool known = false;          // learned from headers at least once
    long limit = 1;
    long remaining = 1;
    steady::time_point reset_at{};
    bool probing = false;        // a request is learning an unknown bucket: others wait
};

}  // namespace

struct rest_client::impl : std::enable_shared_from_this<rest_client::impl> {
    runtime::lifecycle& life;
    const settings& cfg;
    const core::clock& clock;
    net::http_client http;
    net::token_bucket global;
    std::map<std::string, std::string> route_to_hash;   // "METHOD route" → X-RateLimit-Bucket
    std::map<std::string, bucket> buckets;              // "hash-or-route:major" → state
    steady::time_point global_block_until{};
    std::deque<steady::time_point> invalid;              // 401/403/429 within the last 10 min
    steady::time_point breaker_until{};
    bool token_rejected = false;
    std::uint64_t invalid_total = 0;
    std::shared_ptr<spdlog::logger> log = life.log();
    core::metric_histogram& round_trip = runtime::rest_round_trip_histogram("discord");

    impl(runtime::lifecycle& l, const settings& s, const core::clock& k)
        : life(l), cfg(s), clock(k),
          http(l.context(), net::http_client_options{8, 8 * 1024 * 1024,
                                           "DiscordBot (" + s.user_agent_url + ", " + s.user_agent_version + ")"}),
          global(std::max(1.0, s.rest_global_per_second), std::chrono::seconds(1), k.steady_now())
    {}

    std::string bucket_key(const rest_call& c) const
    {
        auto route_key = c.method + " " + c.route;
        auto it = route_to_hash.find(route_key);
        return (it == route_to_hash.end() ? route_key : it->second) + ":" + c.major;
    }

    bool breaker() const { return token_rejected || clock.steady_now() < breaker_until; }

    void count_invalid(int status)
    {
        ++invalid_total;
        core::metrics::global().counter("discord_rest_invalid_total").add();
        auto now = clock.steady_now();
        invalid.push_back(now);
        while (!invalid.empty() && now - invalid.front() > std::chrono::minutes(10)) invalid.pop_front();
        if (invalid.size() >= cfg.invalid_request_limit && now >= breaker_until) {
            breaker_until = invalid.front() + std::chrono::minutes(10);
            log->error("REST circuit breaker open: {} responses with status 401/403/429 in 10 minutes; "
                       "REST calls fail fast until the window clears",
                       invalid.size());
            core::metrics::global().counter("discord_rest_breaker_open_total").add();
        }
    }

    // Waits until the bucket and the global limits allow one request, then takes it.
    asio::awaitable<void> admit(const rest_call& c)
    {
        for (;;) {
            if (life.stopping()) co_return;   // the caller's request fails fast from here
            auto now = clock.steady_now();
            if (global_block_until > now) {
                co_await life.sleep_for(global_block_until - now);
                continue;
            }
            auto& b = buckets[bucket_key(c)];
            if (b.known && b.remaining <= 0) {
                if (b.reset_at == steady::time_point::max()) {
                    // A new window was opened by a request still in flight: its answer says when
                    // the window ends.
                    co_await life.sleep_for(std::chrono::milliseconds(5));
                    continue;
                }
                if (b.reset_at > now) {
                    co_await life.sleep_for(b.reset_at - now);
                    continue;
                }
                // The window Discord advertised has passed; the next answer tells the new one.
                b.remaining = b.limit;
                b.reset_at = steady::time_point::max();
            }
            if (!b.known) {
                // Until the first answer tells us the limit, one request at a time learns it.
                if (b.probing) {
                    co_await life.sleep_for(std::chrono::milliseconds(5));
                    continue;
                }
                b.probing = true;
            } else {
                --b.remaining;
            }
            if (!c.interaction) {
                if (auto w = global.wait_time(now); w > steady::duration::zero()) {
                    if (!b.known) b.probing = false;
                    else ++b.remaining;
                    co_await life.sleep_for(w);
                    continue;
                }
                global.try_acquire(now);
            }
            co_return;
        }
    }

    // Learns the bucket from the response headers.
    void learn(const rest_call& c, const net::http_response& r, const std::string& key_used)
    {
        buckets[key_used].probing = false;
        auto hash = r.header("X-RateLimit-Bucket");
        auto limit = parse_int(r.header("X-RateLimit-Limit"));
        auto remaining = parse_int(r.header("X-RateLimit-Remaining"));
        auto reset_after = parse_seconds(r.header("X-RateLimit-Reset-After"));
        std::string key = key_used;
        if (!hash.empty()) {
            route_to_hash[c.method + " " + c.route] = std::string(hash);
            key = std::string(hash) + ":" + c.major;
        }
        auto& b = buckets[key];
        auto& used = buckets[key_used];
        if (!limit || !remaining || !reset_after) {
            // A success without rate-limit headers: the route is not limited per bucket. A 429
            // without them teaches nothing; the 429 handling below blocks the bucket.
            if (!b.known && r.status != 429) {
                b.known = true;
                b.limit = b.remaining = 1'000'000;
            }
            if (b.reset_at == steady::time_point::max()) b.reset_at = clock.steady_now();
            return;
        }
        auto reset_at = clock.steady_now() + *reset_after;
        if (!b.known || b.limit != *limit) {
            b.remaining = *remaining;   // first answer, or our guess of the limit was wrong
            b.reset_at = reset_at;
        } else if (b.reset_at == steady::time_point::max()) {
            // The first answer in a window we opened: our own count covers requests in flight.
            b.remaining = std::min(b.remaining, *remaining);
            b.reset_at = reset_at;
        } else if (reset_at > b.reset_at + std::chrono::milliseconds(50)) {
            b.remaining = *remaining;   // a later window than the one we knew
            b.reset_at = reset_at;
        } else {
            // Answers arrive out of order: within one window keep the lowest count.
            b.remaining = std::min(b.remaining, *remaining);
        }
        b.limit = *limit;
        b.known = true;
        b.probing = false;
        if (key != key_used) {
            used.known = true;
            used.limit = b.limit;
            used.remaining = b.remaining;
            used.reset_at = b.reset_at;
        }
    }

    asio::awaitable<rest_result> call(rest_call c)
    {
        auto self = shared_from_this();
        rest_result out;
        for (int attempt = 1;; ++attempt) {
            if (breaker()) {
                out = {};
                out.error = "circuit open";
                core::metrics::global().counter("discord_rest_rejected_total", {{"reason", "breaker"}}).add();
                co_return out;
            }
            co_await admit(c);
            if (life.stopping()) {
                out = {};
                out.error = "stopping";
                co_return out;
            }
            auto key = bucket_key(c);
            net::http_request req;
            req.method = c.method;
            req.url = cfg.api_base + c.path;
            req.timeout = cfg.rest_timeout;
            req.headers.push_back({"Authorization", "Bot " + cfg.token});
            if (!c.body.empty()) req.headers.push_back({"Content-Type", "application/json"});
            req.body = c.body;
            const auto sent = steady::now();
            auto r = co_await http.request(std::move(req));
            round_trip.observe(std::chrono::duration<double>(steady::now() - sent).count());
            out = {};
            out.status = r.status;
            out.error = r.error;
            if (r.status == 0) {
                auto& b = buckets[key];
                b.probing = false;
                if (b.reset_at == steady::time_point::max()) b.reset_at = clock.steady_now();
                core::metrics::global().counter("discord_rest_responses_total", {{"status", "transport_error"}}).add();
                if (attempt >= cfg.rest_max_attempts) co_return out;
                co_await life.sleep_for(cfg.rest_retry_base * attempt);
                continue;
            }
            core::metrics::global().counter("discord_rest_responses_total", {{"status", std::to_string(r.status)}}).add();
            learn(c, r, key);
            auto body = json::parse(r.body, nullptr, false);
            if (body.is_object()) {
                if (auto it = body.find("code"); it != body.end() && it->is_number_integer()) out.code = it->get<int>();
            }
            out.body = std::move(r.body);

            if (r.status == 429) {
                bool shared = r.header("X-RateLimit-Scope") == "shared";
                if (!shared) count_invalid(429);
                auto wait = parse_seconds(r.header("Retry-After")).value_or(std::chrono::seconds(1));
                bool is_global = r.header("X-RateLimit-Global") == "true";
                if (body.is_object()) {
                    if (auto it = body.find("retry_after"); it != body.end() && it->is_number())
                        wait = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::duration<double>(std::clamp(it->get<double>(), 0.0, 86400.0)));
                    if (auto it = body.find("global"); it != body.end() && it->is_boolean() && it->get<bool>())
                        is_global = true;
                }
                auto until = clock.steady_now() + wait;
                if (is_global) {
                    global_block_until = std::max(global_block_until, until);
                } else {
                    auto& b = buckets[bucket_key(c)];
                    if (!b.known) b.limit = 1;   // learn the real limit with one request after the wait
                    b.known = true;
                    b.remaining = 0;
                    b.reset_at = std::max(b.reset_at, until);
                }
                log->warn("REST 429 on {} {} ({}), retrying after {} ms", c.method, c.route,
                          is_global ? "global" : "route",
                          std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
                if (attempt >= cfg.rest_max_attempts) co_return out;
                continue;
            }
            if (r.status == 401) {
                count_invalid(401);
                if (!token_rejected)
                    log->error("Discord answered 401 Unauthorized on {} {}: the bot token is invalid or "
                               "revoked; no further REST calls will be made",
                               c.method, c.route);
                token_rejected = true;
                co_return out;
            }
            if (r.status == 403) {
                count_invalid(403);
                co_return out;
            }
            if (r.status >= 500 && attempt < cfg.rest_max_attempts) {
                co_await life.sleep_for(cfg.rest_retry_base * attempt);
                continue;
            }
            co_return out;
        }
    }
};

rest_client::rest_client(runtime::lifecycle& life, const settings& s, const core::clock& clock)
    : impl_(std::make_shared<impl>(life, s, clock))
{}

rest_client::~rest_client() = default;

asio::awaitable<rest_result> rest_client::call(rest_call c)
{
    auto keep = impl_;
    co_return co_await keep->call(std::move(c));
}

bool rest_client::breaker_open() const noexcept { return impl_->breaker(); }
std::uint64_t rest_client::invalid_responses() const noexcept { return impl_->invalid_total; }

}  // namespace nudgebot::discord
