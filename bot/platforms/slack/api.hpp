// Slack's Web API as nudgebot uses it: one method call with the tier budgets Slack documents,
// answers to a response_url, and the Block Kit shape of a nudgebot message.
//
// Contract: platforms/slack internal. One web_api per adapter, used on the adapter's thread and
// under its lifecycle. Transport, 429, 5xx, timeouts and the breaker are the runtime api_client's
// (platforms/runtime/api_client.hpp); this file adds what is Slack's: per-method tier budgets
// (chat.* per channel), the bot token or the app-level token in the Authorization header, and the
// "ok"/"error" body every method answers. `call` never throws; `error` carries Slack's error code
// or why no answer arrived ("ratelimited", "http_503", a transport error). Tokens and bodies are
// never logged.
#pragma once

#include "core/clock.hpp"
#include "core/delivery.hpp"
#include "core/event.hpp"
#include "platforms/runtime/api_client.hpp"
#include "platforms/slack/settings.hpp"

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace nudgebot::runtime {
class lifecycle;
}

namespace nudgebot::slack {

struct web_result {
    int status = 0;
    bool ok = false;            // HTTP 2xx and "ok": true
    std::string error;          // Slack's error code, or why no answer arrived
    nlohmann::json body;
};

struct call_options {
    bool get = false;           // args as a query string (methods that take no JSON body)
    bool app_token = false;     // apps.connections.open: the xapp- token, outside the tier budgets
    std::string bucket_key;     // default: the method; chat.* use method:channel
};

// The token cannot work: auth.test or apps.connections.open will keep failing.
bool fatal_auth_error(std::string_view error) noexcept;
// An ephemeral message failed in a way a DM can fix (the person is not in the channel).
bool dm_can_help(std::string_view error) noexcept;
// Text plus Block Kit: the text as a mrkdwn section, the buttons in one actions block.
nlohmann::json message_json(const core::private_message& m);

class web_api {
public:
    web_api(runtime::lifecycle& life, const settings& cfg, const core::clock& clock);
    ~web_api();

    // (No default arguments on coroutines: GCC 12 destroys such a temporary twice.)
    boost::asio::awaitable<web_result> call(std::string method, nlohmann::json args, call_options options);
    boost::asio::awaitable<web_result> call(std::string method, nlohmann::json args)
    {
        return call(std::move(method), std::move(args), call_options{});
    }
    // POSTs an answer to a response_url (no token: the URL itself is the credential). Only URLs
    // under settings.response_url_prefix are called. True when Slack took it.
    boost::asio::awaitable<bool> post_response_url(std::string url, nlohmann::json body);

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace nudgebot::slack
