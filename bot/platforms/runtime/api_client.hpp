// The retrying HTTP client every platform's REST / Web API calls go through: one place for 429
// (Retry-After and the X-RateLimit-* bucket headers), 5xx and transport failures (exponential
// backoff with jitter), timeouts, and a circuit breaker for 401/403.
//
// Contract: one api_client per adapter, used only on the thread that runs its io_context; it runs
// under the adapter's lifecycle (sleeps end at stop()). `send` never throws for network or HTTP
// failures and returns the last answer:
// - 429: waits for Retry-After (seconds), else X-RateLimit-Reset-After / X-RateLimit-Reset
//   (seconds), else 1 s, and blocks every request with the same `limit_key` meanwhile; an answer
//   with X-RateLimit-Remaining: 0 blocks the key until its reset the same way. A wait longer than
//   max_retry_after is not waited out: the 429 is returned at once.
// - 5xx or no answer (status 0, including the per-request timeout): retried up to max_attempts
//   with retry_base * 2^(attempt-1), jittered over the upper half.
// - 401 on a request that carries the adapter's credential opens the breaker for good (a revoked
//   token must not produce a storm); breaker_limit 401/403 answers within 10 minutes open it
//   until that window clears. While it is open `send` answers status 0, error "circuit open",
//   without a request. Requests with `credential = false` (a response_url) never count.
// - any other answer is returned as it is.
// Metrics: <prefix>_rate_limited_total, <prefix>_errors_total{kind=transport|5xx},
// <prefix>_breaker_open_total, with the caller's labels; each attempt's round trip in
// nudgebot_rest_seconds{platform} (created with the client). Bodies and headers are never logged.
#pragma once

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "net/http_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::runtime {

class lifecycle;

struct retry_settings {
    std::chrono::milliseconds timeout{10000};
    int max_attempts = 4;
    std::chrono::milliseconds retry_base{500};
    std::chrono::milliseconds max_retry_after{120000};
    std::size_t breaker_limit = 1000;   // 401/403 answers per 10 minutes
};

struct api_request {
    net::http_request http;
    std::string limit_key;             // requests that share a rate limit (e.g. the method)
    core::metric_labels labels;        // added to this request's metrics
    bool credential = true;            // carries the adapter's token (counts for the breaker)
};

class api_client {
public:
    api_client(lifecycle& life, const core::clock& clock, std::string metric_prefix, retry_settings s,
               net::http_client_options options = {});
    ~api_client();
    api_client(const api_client&) = delete;
    api_client& operator=(const api_client&) = delete;

    boost::asio::awaitable<net::http_response> send(api_request request);

    bool breaker_open() const noexcept;
    bool token_rejected() const noexcept;   // a 401 was answered
    const retry_settings& settings() const noexcept;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

// POSTs a JSON answer to a response_url the platform handed out with a command (Slack,
// Mattermost): without the adapter's credential (so it never counts for the breaker), rate-limited
// under the key "response_url". True on a 2xx answer; another 4xx means the URL expired or was
// used up. The caller has checked that the URL is the platform's.
boost::asio::awaitable<bool> post_response_url(api_client& http, std::string url, std::string json_body,
                                               std::string content_type, core::metric_labels labels = {});

// The REST round-trip histogram of a platform, nudgebot_rest_seconds{platform}, with its HELP
// line (Discord's own REST client observes into it too).
core::metric_histogram& rest_round_trip_histogram(const std::string& platform);

// "1.5" → 1.5 s; nullopt for anything that is not a non-negative number of seconds below a day.
std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text);

}  // namespace nudgebot::runtime
