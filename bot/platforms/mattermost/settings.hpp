// Configuration of the Mattermost adapter, a plain struct filled by app/ from
// `platforms.mattermost`.
//
// Contract: the caller reads the bot's personal access token and the slash-command tokens from
// the environment variables named in the config. The access token is sent only in the
// Authorization header (or the authentication_challenge); no token is ever logged. `server_url`
// may use http:// only for loopback hosts (tests). `actions_url` is the public URL at which
// Mattermost reaches nudgebot's HTTP listener for button presses (path `<http_prefix>/action`);
// without it nudges carry no buttons. Timing fields exist so that tests can shrink real waits.
#pragma once

#include "platforms/runtime/reconnect_policy.hpp"
#include "platforms/runtime/supervision.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace nudgebot::mattermost {

struct settings {
    std::string server_url;                          // https://chat.example.com
    std::string token;                               // bot personal access token, never logged
    std::vector<std::string> command_tokens;         // one per slash command (/nudge, /nudge-admin)
    std::string actions_url;                         // https://nudgebot.example.com/mattermost/action
    std::string action_secret;                       // signs every button's context (HMAC), checked on press
    std::string http_prefix = "/mattermost";         // POST <prefix>/command and <prefix>/action
    bool authentication_challenge = false;           // authenticate in-band instead of the header

    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds close_timeout{2000};
    std::chrono::milliseconds keepalive{70000};      // the server pings about every 52 s
    runtime::reconnect_settings reconnect;           // backoff and the healthy period that resets it
    std::size_t max_frame_bytes = 4 * 1024 * 1024;

    std::chrono::milliseconds rest_timeout{10000};
    int rest_max_attempts = 4;
    std::chrono::milliseconds rest_retry_base{500};
    std::chrono::minutes moderator_cache_ttl{10};
    std::size_t moderator_cache_limit = 10000;

    runtime::supervision supervision;                // restart backoff of failed tasks
};

}  // namespace nudgebot::mattermost
