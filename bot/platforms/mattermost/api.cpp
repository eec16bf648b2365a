#include "platforms/mattermost/api.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/metrics.hpp"
#include "platforms/json_fields.hpp"
#include "platforms/runtime/api_client.hpp"
#include "platforms/runtime/lifecycle.hpp"

namespace nudgebot::mattermost {

using namespace runtime::short_names;

struct rest_api::impl {
    runtime::lifecycle& life;
    const settings& cfg;
    runtime::api_client http;

    static runtime::retry_settings retry_of(const settings& s)
    {
        runtime::retry_settings r;
        r.timeout = s.rest_timeout;
        r.max_attempts = s.rest_max_attempts;
        r.retry_base = s.rest_retry_base;
        return r;
    }

    impl(runtime::lifecycle& l, const settings& s, const core::clock& c)
        : life(l), cfg(s), http(l, c, "mattermost_rest", retry_of(s))
    {}

    asio::awaitable<rest_result> call(std::string method, std::string path, json body)
    {
        runtime::api_request req;
        req.limit_key = "rest";   // Mattermost limits per user (the bot), not per route
        req.http.method = std::move(method);
        req.http.url = cfg.server_url + "/api/v4" + path;
        req.http.headers.push_back({"Authorization", "Bearer " + cfg.token});
        req.http.headers.push_back({"X-Requested-With", "XMLHttpRequest"});
        if (!body.is_null()) {
            req.http.body = body.dump();
            req.http.headers.push_back({"Content-Type", "application/json"});
        }
        auto r = co_await http.send(std::move(req));
        rest_result out;
        out.status = r.status;
        if (r.status == 0 || r.status >= 500 || r.status == 429) {
            out.error = r.status == 0 ? (life.stopping() ? std::string("stopping") : r.error)
                        : r.status == 429 ? std::string("rate_limited")
                                          : "http_" + std::to_string(r.status);
            co_return out;
        }
        out.body = json::parse(r.body, nullptr, false);
        if (!out.ok()) {
            out.error = platforms::text_of(out.body, "id");
            if (out.error.empty()) out.error = "http_" + std::to_string(r.status);
            core::metrics::global().counter("mattermost_rest_errors_total", {{"kind", "api"}}).add();
        }
        co_return out;
    }

    asio::awaitable<bool> post_response_url(std::string url, json body)
    {
        if (url.empty() || !url.starts_with(cfg.server_url + "/")) {
            core::metrics::global().counter("mattermost_http_rejected_total", {{"kind", "response_url"}}).add();
            co_return false;
        }
        std::string content_type = "application/json";   // not a literal in the co_await (GCC 12)
        co_return co_await runtime::post_response_url(http, std::move(url), body.dump(), std::move(content_type));
    }
};

rest_api::rest_api(runtime::lifecycle& life, const settings& cfg, const core::clock& clock)
    : impl_(std::make_unique<impl>(life, cfg, clock))
{}

rest_api::~rest_api() = default;

asio::awaitable<rest_result> rest_api::call(std::string method, std::string path, json body)
{
    return impl_->call(std::move(method), std::move(path), std::move(body));
}

asio::awaitable<bool> rest_api::post_response_url(std::string url, json body)
{
    return impl_->post_response_url(std::move(url), std::move(body));
}

bool rest_api::token_rejected() const noexcept { return impl_->http.token_rejected(); }

}  // namespace nudgebot::mattermost
