// Configuration of the Slack (Socket Mode) adapter, a plain struct filled by app/ from
// `platforms.slack`.
//
// Contract: the caller reads both tokens from the environment variables named in the config. The
// app-level token (xapp-…) is sent only in the Authorization header of apps.connections.open, the
// bot token (xoxb-…) only in the Authorization header of Web API calls; neither is ever logged.
// `api_base` and `response_url_prefix` may use http:// only for loopback hosts (tests). The
// timing fields exist so tests can shrink real waits; production uses the defaults.
#pragma once

#include "platforms/runtime/supervision.hpp"
#include "platforms/runtime/reconnect_policy.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace nudgebot::slack {

struct settings {
    std::string app_token;                                   // xapp-…, never logged
    std::string bot_token;                                   // xoxb-…, never logged
    std::string api_base = "https://slack.com/api";
    // Slash-command and button answers go to the response_url Slack sends; only URLs under this
    // prefix are called, so a forged payload cannot make the bot POST elsewhere.
    std::string response_url_prefix = "https://hooks.slack.com/";
    std::string workspace_url;                               // https://acme.slack.com, for message links
    bool admins_are_moderators = true;                       // workspace admins and owners
    std::optional<std::string> moderator_group;              // user group id (S…) whose members also are

    // Socket Mode.
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds close_timeout{2000};
    std::chrono::milliseconds keepalive{20000};              // ping after half, reconnect after all of it
    runtime::reconnect_settings reconnect;                   // backoff, healthy period, link_disabled pause
    std::size_t max_frame_bytes = 4 * 1024 * 1024;
    std::chrono::minutes dedupe_window{15};                  // retried envelopes are handled once
    std::size_t dedupe_limit = 200000;

    // Web API.
    std::chrono::milliseconds web_timeout{10000};
    int web_max_attempts = 4;
    std::chrono::milliseconds web_retry_base{500};
    std::chrono::milliseconds max_retry_after{120000};       // a longer Retry-After gives up
    std::chrono::minutes moderator_cache_ttl{10};
    std::size_t moderator_cache_limit = 10000;
    // users.list pages (200 members each) read once after the first hello for the workspace's
    // locale (the crisis card's country when moderators chose none); 0 reads none.
    int locale_pages = 5;

    runtime::supervision supervision;                        // restart backoff of failed tasks
};

}  // namespace nudgebot::slack
