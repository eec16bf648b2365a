// Discord REST client: rate-limit buckets learned from headers, a global limiter, 429 handling,
// and a circuit breaker on invalid responses so that the process can never approach Cloudflare's
// 10,000 invalid requests / 10 min ban.
//
// Contract: platforms/discord internal. One rest_client per adapter, used only from the thread
// running the adapter's io_context. `call` never throws; it waits as the limits require (so the
// client never exceeds a limit Discord advertised), retries 429, 5xx and transport failures up to
// settings.rest_max_attempts, and gives up at once on 401 (the breaker opens for good: a revoked
// token must not produce a storm) and on other 4xx. Bodies and the token are never logged.
#pragma once

#include "core/clock.hpp"
#include "platforms/discord/settings.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace nudgebot::runtime {
class lifecycle;
}

namespace nudgebot::discord {

struct rest_call {
    std::string method;
    std::string route;        // bucket route with ids normalised, e.g. "/channels/{id}/messages"
    std::string major;        // the major parameter value (channel, guild or webhook id), may be empty
    std::string path;         // the real path under api_base, e.g. "/channels/123/messages"
    std::string body;         // JSON, may be empty
    bool interaction = false; // interaction callbacks are outside the global limit
};

struct rest_result {
    int status = 0;           // 0 when no HTTP answer arrived
    std::string body;
    int code = 0;             // Discord's JSON error code (e.g. 50007), 0 when absent
    std::string error;        // why it failed without an HTTP answer ("circuit open", "timeout")

    bool ok() const noexcept { return status >= 200 && status < 300; }
};

class rest_client {
public:
    // Runs under the adapter's lifecycle: its waits end at stop().
    rest_client(runtime::lifecycle& life, const settings& s, const core::clock& clock);
    ~rest_client();

    boost::asio::awaitable<rest_result> call(rest_call c);

    bool breaker_open() const noexcept;
    std::uint64_t invalid_responses() const noexcept;   // 401/403/429 (scope shared excluded)

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::discord
