// The sandbox: a local chat server that speaks the subset of Discord's gateway and REST API that
// nudgebot uses, plus a web page (and its small JSON API) where a visitor plays a handful of people
// in one server and watches the bot react — with no Discord account and no token.
//
// Contract: owned by app/ (`nudgebot sandbox`) and by tests. Everything runs on the io_context
// given to the constructor, driven by ONE thread; all state lives in RAM on that thread, bounded
// (messages per channel, private items per person). start() listens on options.address:port (port
// 0 picks a free port) and returns an error text instead of throwing. The Discord side follows
// Discord's documented shapes (HELLO/IDENTIFY/READY/RESUME, heartbeats, MESSAGE_CREATE/UPDATE/
// DELETE, INTERACTION_CREATE for slash commands, the message command and buttons; DM channels,
// messages, interaction callbacks 4/5/6/7 with flags 64, @original edits, follow-ups, bulk command
// registration, optional zlib-stream) so an unmodified Discord client library can log in: the
// token it must present is options.bot_token. The page's API is under /sandbox/api/, the page at
// /. Message text stays in RAM (it is the chat itself) and is never logged. Bad input from the
// page or the bot (unknown person, text over 2000 characters, malformed JSON, oversized bodies) is
// answered with a clear 4xx error and counted; nothing a browser does can stop the server.
// Its parts, one concern each: world (people, channels, messages, private items), discord_shapes
// (Discord's JSON), gateway (the gateway emulator, shared with the tests' fake Discord), rest (the
// Discord REST routes), page_api (the page's JSON API) and page/ (the page's HTML, CSS and
// JavaScript, embedded at build time); this class wires them to one net::http_server.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace nudgebot::sandbox {

// The sandbox's own view of a message for the side panel: which cues fired and why (the engine's
// explanation, as /nudge-admin explain gives it). Returns a JSON object; may be empty.
using explain_fn = std::function<nlohmann::json(std::string_view text)>;

struct server_options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    std::string bot_token = "sandbox-token";      // what IDENTIFY and Authorization must carry
    int heartbeat_interval_ms = 41250;
    std::size_t max_message_chars = 2000;         // Discord's limit for content
    std::size_t max_body_bytes = 64 * 1024;       // any HTTP body, page or bot
    std::size_t max_messages_per_channel = 500;
    std::size_t max_private_items = 200;          // per person
    std::chrono::milliseconds interaction_deadline{3000};   // Discord's first-answer window
    explain_fn explain;                           // empty: the panel says the engine is not attached
    // Test hooks for the browser tests: POST /sandbox/api/test/slow-state {"as", "ms"} holds every
    // state answer for that person back by ms (at most 5000; 0 ends it) without blocking the
    // server. Off by default: the endpoint answers 404.
    bool test_hooks = false;
};

// Fixed ids of the sandbox's world (Discord snowflake-shaped strings).
inline constexpr std::string_view guild_id = "1100000000000000001";
inline constexpr std::string_view bot_user_id = "1100000000000000900";
inline constexpr std::string_view application_id = "1100000000000000901";

class server {
public:
    server(boost::asio::io_context& ioc, server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    std::string start();   // empty on success
    void stop();

    std::uint16_t port() const noexcept;
    std::string api_base() const;      // http://127.0.0.1:<port>/api/v10
    std::string gateway_url() const;   // ws://127.0.0.1:<port>/gateway
    std::string page_url() const;      // http://127.0.0.1:<port>/

    // For tests and /healthz-like checks (server thread only).
    bool bot_ready() const noexcept;               // a gateway session has identified
    bool commands_registered() const noexcept;
    std::size_t gateway_sessions() const noexcept;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::sandbox
