#include "net/url.hpp"

#include <algorithm>
#include <cctype>

namespace nudgebot::net {

std::optional<url> parse_url(std::string_view text)
{
    url out;
    auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0) return std::nullopt;
    out.scheme = std::string(text.substr(0, scheme_end));
    std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (out.scheme != "http" && out.scheme != "https" && out.scheme != "ws" && out.scheme != "wss")
        return std::nullopt;

    std::string_view rest = text.substr(scheme_end + 3);
    auto path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    std::string_view target = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

    std::string_view host = authority;
    std::string_view port;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') return std::nullopt;
            port = authority.substr(close + 2);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return std::nullopt;
    if (!port.empty() && (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) {
                              return c >= '0' && c <= '9';
                          })))
        return std::nullopt;
    if (!port.empty()) {
        unsigned long value = 0;
        for (char c : port) value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value == 0 || value > 65535) return std::nullopt;
    }
    out.host = std::string(host);
    out.port = port.empty() ? (out.tls() ? "443" : "80") : std::string(port);
    if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
    out.target = target.empty() ? "/" : std::string(target);
    if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
    return out;
}

bool is_loopback_host(std::string_view host) noexcept
{
    if (host == "localhost" || host == "::1") return true;
    return host.size() >= 4 && host.substr(0, 4) == "127.";
}

std::string with_query(std::string base, std::string_view key, std::string_view value)
{
    base += base.find('?') == std::string::npos ? '?' : '&';
    base += key;
    base += '=';
    base += value;
    return base;
}

}  // namespace nudgebot::net
