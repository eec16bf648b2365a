// libFuzzer target: any bytes through the URL module. Checks the module's promises: parse_url
// yields a known scheme, a non-empty host and a target starting with '/'; plain-text transport is
// allowed only when the host is "localhost" or an IP literal asio calls loopback; encoding then
// decoding gives the input back; query and form decoding never throw.
#include "net/url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace nudgebot;

namespace {

// An oracle written independently of the module: dotted-quad 127.x.y.z (decimal, no leading
// zeros), an IPv6 literal that the C library's inet_pton reads as ::1 (also `::0.0.0.1`, the
// same address written with an embedded IPv4 part, which fuzzing found), or exactly "localhost".
bool plausible_loopback(std::string_view h)
{
    if (h == "localhost") return true;
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (h.find(':') != std::string_view::npos) {
        const std::string literal(h);
        in6_addr a{};
        return inet_pton(AF_INET6, literal.c_str(), &a) == 1 && std::memcmp(&a, &in6addr_loopback, sizeof a) == 0;
    }
    int parts = 0;
    while (true) {
        auto dot = h.find('.');
        auto part = h.substr(0, dot);
        if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
        int value = 0;
        for (char c : part) {
            if (c < '0' || c > '9') return false;
            value = value * 10 + (c - '0');
        }
        if (value > 255 || (parts == 0 && value != 127)) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        h.remove_prefix(dot + 1);
    }
    return parts == 4;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto u = net::parse_url(text)) {
        if (u->scheme != "http" && u->scheme != "https" && u->scheme != "ws" && u->scheme != "wss") std::abort();
        if (u->host.empty() || u->target.empty() || u->target.front() != '/') std::abort();
        if (u->host.find('\0') != std::string::npos || u->host.find('@') != std::string::npos) std::abort();
        if (!u->tls() && net::transport_allowed(*u) && !plausible_loopback(u->host)) std::abort();
    }
    if (net::is_loopback_host(text) && !plausible_loopback(text)) std::abort();
    auto encoded = net::encode_query_value(text);
    auto decoded = net::percent_decode(encoded, false);
    if (!decoded || *decoded != text) std::abort();
    (void)net::percent_decode(text);
    (void)net::query_value(text, "as");
    auto form = net::parse_form(text);
    if (form.size() > 64) std::abort();
    (void)net::with_query("https://example.com/x", text, text);
    return 0;
}
