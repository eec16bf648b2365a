// HTTP/1.1 client for REST APIs (Discord, Slack, Mattermost): TLS with peer and host-name
// verification and SNI, keep-alive with a bounded pool of idle connections per host, a timeout on
// every request.
//
// Contract: one http_client per io_context, used from the thread that runs that io_context (the
// adapter's strand). `request` never throws for network or protocol failures: it returns a
// response with status 0 and `error` set. http:// is accepted only for loopback hosts. Request and
// response bodies are never logged here. The client may be destroyed while requests are in
// flight: they complete with an error.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace nudgebot::net {

struct http_header {
    std::string name;
    std::string value;
};

struct http_request {
    std::string method = "GET";
    std::string url;                        // absolute: https://host[:port]/path?query
    std::vector<http_header> headers;
    std::string body;
    std::chrono::milliseconds timeout{10000};   // whole request, connect included
};

struct http_response {
    int status = 0;                         // 0 when the transport failed
    std::vector<http_header> headers;
    std::string body;
    std::string error;                      // transport failure, empty on any HTTP answer

    // Case-insensitive header lookup; empty when absent.
    std::string_view header(std::string_view name) const noexcept;
};

struct http_client_options {
    std::size_t max_idle_per_host = 8;
    std::size_t max_body_bytes = 8 * 1024 * 1024;
    std::string user_agent = "nudgebot";
};

class http_client {
public:
    explicit http_client(boost::asio::io_context& ioc, http_client_options options = {});
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    boost::asio::awaitable<http_response> request(http_request req);

    // For tests and metrics: connections opened so far, and idle ones now pooled.
    std::uint64_t connections_opened() const noexcept;
    std::size_t idle_connections() const noexcept;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::net
