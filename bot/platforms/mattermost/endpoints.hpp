// The HTTP endpoints Mattermost calls on nudgebot: slash commands (POST <prefix>/command) and
// button presses (POST <prefix>/action), and the signed context every button carries.
//
// Contract: platforms/mattermost internal, used on the adapter's thread. A slash command is
// accepted only with one of settings.command_tokens (compared with CRYPTO_memcmp; 401 otherwise),
// parsed against the command set and handed to `on_command`; the HTTP answer is an empty 200 (the
// real answer follows through response_url) or an ephemeral usage text. A button's context holds
// its custom_id and an HMAC-SHA256 of it under settings.action_secret, never the secret itself, so
// neither a leaked context nor a database export lets anyone press any other button; a press whose
// HMAC does not match is refused with 403 and counted. Tokens and message text are never logged.
#pragma once

#include "core/clock.hpp"
#include "core/event.hpp"
#include "net/http_server.hpp"
#include "platforms/mattermost/settings.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace spdlog {
class logger;
}

namespace nudgebot::mattermost {

struct endpoint_handler {
    std::function<void(core::command_invocation, bool moderator_only)> on_command;
    std::function<void(core::button_press)> on_press;
};

// The integration context of a button: {"custom_id": …, "mac": HMAC(action_secret, custom_id)}.
nlohmann::json button_context(const settings& cfg, const std::string& custom_id);

class endpoints {
public:
    endpoints(const settings& cfg, const core::clock& clock, std::shared_ptr<spdlog::logger> log,
              endpoint_handler handler);

    // nullopt when the path is not under settings.http_prefix.
    std::optional<net::server_response> handle(const net::server_request& request);

private:
    net::server_response command_post(const net::server_request& req);
    net::server_response action_post(const net::server_request& req);

    const settings& cfg_;
    const core::clock& clock_;
    std::shared_ptr<spdlog::logger> log_;
    endpoint_handler handler_;
    std::uint64_t next_handle_ = 0;
};

}  // namespace nudgebot::mattermost
