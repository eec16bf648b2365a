// URL splitting for the network clients (http, https, ws, wss).
//
// Contract: pure functions, no I/O, thread-safe. `parse_url` accepts absolute URLs only and never
// throws; it returns nullopt for anything it does not understand. Plain-text schemes (http, ws)
// are allowed by the clients only for loopback hosts (`is_loopback_host`): everything that leaves
// the machine uses TLS.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::net {

struct url {
    std::string scheme;   // lower case: http, https, ws, wss
    std::string host;     // without brackets for IPv6 literals
    std::string port;     // always set (defaults 80 / 443)
    std::string target;   // path + query, at least "/"

    bool tls() const noexcept { return scheme == "https" || scheme == "wss"; }
};

std::optional<url> parse_url(std::string_view text);

// True for "localhost", 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host) noexcept;

// Plain-text allowed only on loopback; TLS always allowed.
inline bool transport_allowed(const url& u) noexcept { return u.tls() || is_loopback_host(u.host); }

// Appends a query parameter, choosing '?' or '&'.
std::string with_query(std::string base, std::string_view key, std::string_view value);

}  // namespace nudgebot::net
