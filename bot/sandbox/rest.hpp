// The sandbox's Discord REST subset (/api/v10/...), as the bot calls it: gateway discovery, the
// bot's user and application, DM channels, channel messages, interaction callbacks (types 4, 5, 6
// and 7), the @original answer (GET, PATCH, DELETE), follow-ups, and bulk command registration.
// Routes are matched segment by segment (no regular expressions).
//
// Contract: server thread only. Every answer has Discord's status and error body ({"message",
// "code"}); a malformed body is a 400 and counted in world::bad_requests, never an exception.
// Interaction routes authenticate with the interaction token, the others with "Bot <token>".
// Messages the bot posts are added to the world and dispatched on the gateway like Discord does.
#pragma once

#include "net/http_message.hpp"
#include "sandbox/gateway.hpp"
#include "sandbox/world.hpp"

#include <functional>
#include <string>

namespace nudgebot::sandbox {

class discord_rest {
public:
    // `gateway_url` names the websocket URL /gateway and /gateway/bot announce.
    discord_rest(world& w, gateway_emulator& gateway, std::function<std::string()> gateway_url);

    // `r.path()` starts with /api/v10/.
    net::server_response handle(const net::server_request& r);

private:
    net::server_response bot_message(const std::string& channel_id, const nlohmann::json& body);
    std::string answer_item(interaction& in, const nlohmann::json& data, bool pending);
    net::server_response interaction_callback(const std::string& id, const std::string& token,
                                              const nlohmann::json& body);
    void update_source(interaction& in, const nlohmann::json& data);
    net::server_response edit_original(const std::string& token, const nlohmann::json& body);
    net::server_response follow_up(const std::string& token, const nlohmann::json& body);
    net::server_response delete_original(const std::string& token);
    net::server_response put_commands(const nlohmann::json& body, bool guild_scope);
    std::optional<net::server_response> check_message_body(const nlohmann::json& body) const;

    world& world_;
    gateway_emulator& gateway_;
    std::function<std::string()> gateway_url_;
};

}  // namespace nudgebot::sandbox
