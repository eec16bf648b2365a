#include "net/url.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>

namespace nudgebot::net {

namespace {

namespace urls = boost::urls;

constexpr std::size_t max_host_name = 253;   // the longest DNS name

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<std::string> port_of(const urls::url_view& u, bool tls)
{
    if (!u.has_port() || u.port().empty()) return std::string(tls ? "443" : "80");
    auto p = u.port();
    if (p.size() > 5) return std::nullopt;
    unsigned long value = 0;
    for (char c : p) value = value * 10 + static_cast<unsigned long>(c - '0');   // the grammar allows digits only
    if (value == 0 || value > 65535) return std::nullopt;
    return std::string(p);
}

// Calls `field(key, value)` for each '&'-separated field of a query or form body; stops when it
// returns false. Raw (still encoded) parts; a field without '=' has an empty value.
template <class Field>
void for_each_field(std::string_view text, Field field)
{
    while (!text.empty()) {
        auto amp = text.find('&');
        auto part = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        auto key = part.substr(0, eq);
        auto value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
        if (!field(key, value)) return;
    }
}

bool name_char(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

// Boost.URL 1.81 reads "http://127.0.0.1.evil.example/" as the IPv4 address 127.0.0.1 followed by
// the path ".evil.example/" (its IPv4 rule does not look at what follows). With an authority, a
// path is empty or starts with '/' (RFC 3986, 3.3), so such a parse is read again here with the
// host as a name: letters, digits, '-', '.', '_', '~' only, an optional decimal port.
std::optional<url> reread_as_name(std::string_view text, std::string scheme, bool tls)
{
    auto rest = text.substr(text.find("://") + 3);
    auto authority = rest.substr(0, rest.find_first_of("/?#"));
    auto target = rest.substr(authority.size());
    target = target.substr(0, target.find('#'));
    auto colon = authority.find(':');
    auto host = authority.substr(0, colon);
    auto port = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon + 1);
    if (host.empty() || host.size() > max_host_name || !std::all_of(host.begin(), host.end(), name_char)) return std::nullopt;
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::nullopt;
    unsigned long value = 0;
    for (char c : port) value = value * 10 + static_cast<unsigned long>(c - '0');
    if (!port.empty() && (value == 0 || value > 65535)) return std::nullopt;
    url out;
    out.scheme = std::move(scheme);
    out.host = lower(host);
    out.port = port.empty() ? std::string(tls ? "443" : "80") : std::string(port);
    out.target = target.empty() ? std::string("/") : std::string(target);
    if (out.target.front() == '?') out.target.insert(out.target.begin(), '/');
    return out;
}

}  // namespace

std::optional<url> parse_url(std::string_view text)
{
    auto parsed = urls::parse_uri(urls::string_view(text.data(), text.size()));
    if (!parsed) return std::nullopt;
    const urls::url_view& u = *parsed;

    url out;
    switch (u.scheme_id()) {
    case urls::scheme::http: out.scheme = "http"; break;
    case urls::scheme::https: out.scheme = "https"; break;
    case urls::scheme::ws: out.scheme = "ws"; break;
    case urls::scheme::wss: out.scheme = "wss"; break;
    default: return std::nullopt;
    }
    if (!u.has_authority() || u.has_userinfo()) return std::nullopt;

    switch (u.host_type()) {
    case urls::host_type::ipv4: out.host = u.host_ipv4_address().to_string(); break;
    case urls::host_type::ipv6: out.host = u.host_ipv6_address().to_string(); break;
    case urls::host_type::name: {
        auto host = u.encoded_host();
        // A percent-encoded name would be decoded into something else than what was checked.
        if (host.empty() || host.size() > max_host_name || host.find('%') != urls::string_view::npos)
            return std::nullopt;
        out.host = lower(std::string_view(host.data(), host.size()));
        break;
    }
    default: return std::nullopt;   // none, IPvFuture
    }

    auto port = port_of(u, out.tls());
    if (!port) return std::nullopt;
    out.port = std::move(*port);

    auto path = u.encoded_path();
    if (!path.empty() && path.front() != '/') {
        if (u.host_type() != urls::host_type::ipv4) return std::nullopt;
        return reread_as_name(text, std::move(out.scheme), out.tls());
    }
    out.target = path.empty() ? std::string("/") : std::string(path.data(), path.size());
    if (u.has_query()) {
        auto q = u.encoded_query();
        out.target += '?';
        out.target.append(q.data(), q.size());
    }
    return out;
}

bool is_loopback_host(std::string_view host) noexcept
{
    if (host == "localhost") return true;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    // IP literals only: digits, hex digits, dots and colons. This keeps out names, zone ids ('%'),
    // NULs (make_address would stop reading at one) and overlong input before asio sees it.
    if (host.empty() || host.size() > 45) return false;
    if (!std::all_of(host.begin(), host.end(), [](unsigned char c) { return std::isxdigit(c) || c == '.' || c == ':'; }))
        return false;
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(host), ec);
    return !ec && address.is_loopback();
}

std::string encode_query_value(std::string_view value)
{
    return urls::encode(urls::string_view(value.data(), value.size()), urls::unreserved_chars);
}

std::string with_query(std::string base, std::string_view key, std::string_view value)
{
    base += base.find('?') == std::string::npos ? '?' : '&';
    base += encode_query_value(key);
    base += '=';
    base += encode_query_value(value);
    return base;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space)
{
    auto checked = urls::make_pct_string_view(urls::string_view(text.data(), text.size()));
    if (!checked) return std::nullopt;
    urls::encoding_opts opt;
    opt.space_as_plus = plus_is_space;
    return checked->decode(opt);
}

std::optional<std::string> query_value(std::string_view target, std::string_view key)
{
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    target.remove_prefix(q + 1);
    target = target.substr(0, target.find('#'));
    std::optional<std::string> found;
    for_each_field(target, [&](std::string_view k, std::string_view v) {
        auto name = percent_decode(k);
        if (!name || *name != key) return true;
        found = percent_decode(v);
        return false;
    });
    return found;
}

std::map<std::string, std::string> parse_form(std::string_view body, std::size_t max_fields)
{
    std::map<std::string, std::string> out;
    for_each_field(body, [&](std::string_view k, std::string_view v) {
        auto name = percent_decode(k);
        auto value = percent_decode(v);
        if (name && value) out[std::move(*name)] = std::move(*value);
        return out.size() < max_fields;
    });
    return out;
}

}  // namespace nudgebot::net
