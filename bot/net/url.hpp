// URLs for the whole tree, on Boost.URL: parsing of the clients' absolute URLs (http, https, ws,
// wss), percent-encoding of query values, decoding of query strings and form bodies, and the ONE
// loopback rule that decides where plain-text transport (http://, ws://) is allowed.
//
// Contract: pure functions, no I/O, thread-safe, never throw (hostile input yields nullopt or
// false). The loopback rule: a host is loopback when it is exactly "localhost" or an IP literal
// in 127.0.0.0/8 or ::1 (brackets allowed), as asio::ip::make_address(...).is_loopback() decides;
// a DNS name that merely starts with "127." or ends in "localhost", a zone id, a NUL, hexadecimal
// or shortened IPv4 forms ("0x7f.1", "127.1") are not. Every check in the tree (clients, config,
// sandbox) goes through `is_loopback_host`; everything that leaves the machine uses TLS.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::net {

struct url {
    std::string scheme;   // lower case: http, https, ws, wss
    std::string host;     // lower case for names; without brackets for IPv6 literals
    std::string port;     // always set (defaults 80 / 443)
    std::string target;   // path + query as written (percent-encoded), at least "/"

    bool tls() const noexcept { return scheme == "https" || scheme == "wss"; }
};

// An absolute http/https/ws/wss URL with a host and no userinfo; the fragment is dropped.
// Rejected (nullopt): other schemes, userinfo ("user@"), empty or percent-encoded host names,
// names over 253 characters, IPvFuture and zone ids, ports outside 1–65535, anything that is not
// a valid RFC 3986 URI (spaces, NULs, control characters).
std::optional<url> parse_url(std::string_view text);

// The loopback rule (see above).
bool is_loopback_host(std::string_view host) noexcept;

// Plain-text allowed only on loopback; TLS always allowed.
inline bool transport_allowed(const url& u) noexcept { return u.tls() || is_loopback_host(u.host); }

// Percent-encodes everything but RFC 3986 unreserved characters (A–Z a–z 0–9 - . _ ~).
std::string encode_query_value(std::string_view value);

// Appends key=value (both percent-encoded), choosing '?' or '&'.
std::string with_query(std::string base, std::string_view key, std::string_view value);

// Percent-decoding of one query/form component; '+' is a space when plus_is_space. Nullopt when
// an escape is malformed ("%zz", a lone "%").
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = true);

// The decoded value of `key` in a request target's query ("/path?a=1&b=x%20y"), '+' as space.
// Nullopt when the key is absent or the query is malformed; the first occurrence wins.
std::optional<std::string> query_value(std::string_view target, std::string_view key);

// An application/x-www-form-urlencoded body → fields (the last occurrence wins), at most
// `max_fields` of them. Fields with malformed escapes are skipped.
std::map<std::string, std::string> parse_form(std::string_view body, std::size_t max_fields = 64);

}  // namespace nudgebot::net
