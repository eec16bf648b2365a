// Mattermost's REST API v4 as nudgebot uses it, and answers to a slash command's response_url.
//
// Contract: platforms/mattermost internal. One rest_api per adapter, used on the adapter's thread
// under its lifecycle. Transport, 429 (Retry-After / X-Ratelimit-Reset), 5xx, timeouts and the
// 401/403 breaker are the runtime api_client's; this adds the bot token, the /api/v4 prefix and
// Mattermost's error body ({"id": "…"}). `call` never throws. A response_url must point back at
// the configured server. Tokens and bodies are never logged.
#pragma once

#include "core/clock.hpp"
#include "platforms/mattermost/settings.hpp"

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace nudgebot::runtime {
class lifecycle;
}

namespace nudgebot::mattermost {

struct rest_result {
    int status = 0;
    nlohmann::json body;
    std::string error;          // Mattermost's error id, or why no answer arrived
    bool ok() const noexcept { return status >= 200 && status < 300; }
};

class rest_api {
public:
    rest_api(runtime::lifecycle& life, const settings& cfg, const core::clock& clock);
    ~rest_api();

    // (No default arguments on coroutines: GCC 12 destroys such a temporary twice.)
    boost::asio::awaitable<rest_result> call(std::string method, std::string path, nlohmann::json body);
    boost::asio::awaitable<rest_result> call(std::string method, std::string path)
    {
        return call(std::move(method), std::move(path), nlohmann::json());
    }
    boost::asio::awaitable<bool> post_response_url(std::string url, nlohmann::json body);
    bool token_rejected() const noexcept;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace nudgebot::mattermost
