// The sandbox world in Discord's JSON shapes (API v10): users, members, channels, the guild,
// messages as REST returns them and as the gateway dispatches them, private items, error bodies.
// The only sandbox code that knows Discord's field names besides the gateway and REST router.
//
// Contract: pure functions of the world, server thread only (the world is not locked).
#pragma once

#include "net/http_message.hpp"
#include "sandbox/world.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace nudgebot::sandbox::shapes {

// What a member may do: VIEW_CHANNEL, SEND_MESSAGES, READ_MESSAGE_HISTORY, USE_APPLICATION_COMMANDS;
// moderators also MANAGE_GUILD and MANAGE_MESSAGES.
std::uint64_t member_permissions();
std::uint64_t moderator_permissions();

nlohmann::json bot_user();
nlohmann::json user(const world& w, const std::string& id);
nlohmann::json member(const world& w, const person& p, bool with_user, bool with_permissions);
nlohmann::json guild_channel(const channel& c, int position);
nlohmann::json dm_channel(const world& w, const person& p);
nlohmann::json guild(const world& w);   // GUILD_CREATE's d
// A message; `gateway` adds guild_id and member as dispatches carry them.
nlohmann::json message(const world& w, const sandbox::message& m, bool gateway, bool with_reference = true);
nlohmann::json private_message(const private_item& item);
// A message's buttons as the page draws them: custom_id, label, style, disabled.
nlohmann::json buttons(const nlohmann::json& components);

// Discord's error body {"message", "code"} with an HTTP status.
net::server_response error(int status, std::string_view message, int code);

}  // namespace nudgebot::sandbox::shapes
