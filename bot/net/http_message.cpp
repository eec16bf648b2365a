#include "net/http_message.hpp"

#include "net/url.hpp"

#include <cctype>

namespace nudgebot::net {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

}  // namespace

std::string_view find_header(const std::vector<http_header>& headers, std::string_view name) noexcept
{
    for (const auto& h : headers)
        if (iequals(h.name, name)) return h.value;
    return {};
}

std::string_view server_request::header(std::string_view name) const noexcept { return find_header(headers, name); }

std::string_view server_request::path() const noexcept
{
    std::string_view t(target);
    return t.substr(0, t.find('?'));
}

std::string server_request::query(std::string_view key) const
{
    return query_value(target, key).value_or(std::string());
}

server_response server_response::text(int status, std::string body)
{
    server_response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

server_response server_response::json(int status, std::string body)
{
    server_response r;
    r.status = status;
    r.content_type = "application/json";
    r.body = std::move(body);
    return r;
}

}  // namespace nudgebot::net
