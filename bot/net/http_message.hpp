// The request and response of net::http_server's handlers, as plain values: no Beast, no
// sockets, so code that answers requests (the sandbox's page API and REST router, the ops
// endpoints) can be built and fuzzed without the server.
//
// Contract: plain data; the functions are pure and thread-safe.
#pragma once

#include "net/http_client.hpp"   // http_header

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::net {

// The value of the first header called `name` (ASCII case-insensitive); empty when absent.
std::string_view find_header(const std::vector<http_header>& headers, std::string_view name) noexcept;

struct server_request {
    std::string method;                 // "GET", "POST", ...
    std::string target;                 // path and query as sent: /api/v10/gateway/bot?x=1
    std::vector<http_header> headers;
    std::string body;
    std::string remote;                 // peer address, e.g. 127.0.0.1

    std::string_view header(std::string_view name) const noexcept;   // case-insensitive, empty when absent
    std::string_view path() const noexcept;                          // target without the query
    std::string query(std::string_view key) const;                   // percent-decoded, empty when absent
};

struct server_response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::vector<http_header> headers;
    std::string body;
    // Held this long before it is written (the connection waits, the server's thread does not).
    // A test hook: the sandbox uses it to slow one answer on purpose; zero everywhere else.
    std::chrono::milliseconds delay{0};

    static server_response text(int status, std::string body);
    static server_response json(int status, std::string body);   // application/json
};

}  // namespace nudgebot::net
