// The sandbox page's JSON API (/sandbox/api/...): GET state?as=<person>&since=<version> (the world
// as that person sees it: public channels plus only their own private items; "unchanged" when
// nothing moved since `since`), and one POST per action: send (a message or a slash command),
// edit, delete, suggest (the message command), press (a button), dismiss (an ephemeral answer).
// Actions reach the bot the way Discord would deliver them (gateway dispatches, interactions).
//
// Contract: server thread only. Every answer says whom it is for ("me") so that the page can drop
// an answer for someone it no longer shows. Bad input (unknown person or channel, text over the
// limit, a body that is not a JSON object, a missing button) is a 4xx with {"error": why}, counted
// in world::bad_requests; nothing a browser sends can throw. POSTs must be application/json (a
// CORS preflight that this server never grants). The test hook (server_options::test_hooks)
// holds one person's state answers back to let the browser test catch a switch mid-poll.
#pragma once

#include "net/http_message.hpp"
#include "sandbox/gateway.hpp"
#include "sandbox/world.hpp"

#include <chrono>
#include <map>
#include <string>

namespace nudgebot::sandbox {

class page_api {
public:
    page_api(world& w, gateway_emulator& gateway);

    // `r.path()` starts with /sandbox/api/.
    net::server_response handle(const net::server_request& r);

private:
    nlohmann::json state_for(const person& me, std::uint64_t since) const;
    net::server_response send(const person& me, const nlohmann::json& body);
    net::server_response press(const person& me, const nlohmann::json& body);
    std::optional<std::string> post(const person& p, const channel& c, const std::string& text,
                                    std::optional<std::string> reply_to, std::string& id_out);
    std::string start_interaction(const person& p, const std::string& channel_id, bool in_guild, nlohmann::json data,
                                  int type, std::string about, nlohmann::json source = nullptr);

    world& world_;
    gateway_emulator& gateway_;
    std::map<std::string, std::chrono::milliseconds> slow_state_;   // test hook: person → delay
};

}  // namespace nudgebot::sandbox
