#include "platforms/slack/api.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "net/rate_limiter.hpp"
#include "net/url.hpp"
#include "platforms/runtime/lifecycle.hpp"
#include "platforms/slack/normalise.hpp"
#include "platforms/text_limit.hpp"

#include <cctype>
#include <unordered_map>

namespace nudgebot::slack {

using namespace runtime::short_names;
using platforms::truncate_utf8;

namespace {

constexpr std::size_t max_text_chars = 3000;   // a section block's limit

// Per-minute budgets of the Web API tiers nudgebot uses (chat.* are per channel).
double tier_per_minute(std::string_view method)
{
    if (method == "users.info" || method == "auth.test") return 100;
    if (method == "conversations.open") return 50;
    if (method == "usergroups.users.list") return 20;
    if (method.starts_with("chat.")) return 60;
    return 20;
}

runtime::retry_settings retry_of(const settings& s)
{
    runtime::retry_settings r;
    r.timeout = s.web_timeout;
    r.max_attempts = s.web_max_attempts;
    r.retry_base = s.web_retry_base;
    r.max_retry_after = s.max_retry_after;
    return r;
}

}  // namespace

bool fatal_auth_error(std::string_view error) noexcept
{
    return error == "invalid_auth" || error == "not_authed" || error == "account_inactive" ||
           error == "token_revoked" || error == "not_allowed_token_type" || error == "missing_scope";
}

bool dm_can_help(std::string_view error) noexcept
{
    return error == "user_not_in_channel" || error == "channel_not_found" || error == "not_in_channel" ||
           error == "is_archived" || error == "restricted_action";
}

json message_json(const core::private_message& m)
{
    auto text = truncate_utf8(to_mrkdwn(m.text), max_text_chars);
    json body{{"text", text}};
    if (!m.buttons.empty()) {
        json blocks = json::array();
        blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}});
        json elements = json::array();
        for (const auto& b : m.buttons) {
            if (elements.size() == 25) break;
            json e{{"type", "button"},
                   {"text", {{"type", "plain_text"}, {"text", truncate_utf8(b.label, 75)}}},
                   {"action_id", b.custom_id.substr(0, 255)},
                   {"value", b.custom_id.substr(0, 2000)}};
            if (b.style == core::button_style::primary) e["style"] = "primary";
            if (b.style == core::button_style::danger) e["style"] = "danger";
            elements.push_back(std::move(e));
        }
        blocks.push_back({{"type", "actions"}, {"elements", std::move(elements)}});
        body["blocks"] = std::move(blocks);
    }
    return body;
}

struct web_api::impl {
    runtime::lifecycle& life;
    const settings& cfg;
    const core::clock& clock;
    runtime::api_client http;
    std::unordered_map<std::string, net::token_bucket> buckets;

    impl(runtime::lifecycle& l, const settings& s, const core::clock& c)
        : life(l), cfg(s), clock(c), http(l, c, "slack_web", retry_of(s))
    {}

    // Waits for the method's tier budget (bounded: forgets idle channels beyond 10,000 keys).
    asio::awaitable<void> admit(const std::string& method, const std::string& key)
    {
        auto it = buckets.find(key);
        if (it == buckets.end()) {
            if (buckets.size() >= 10000) buckets.clear();
            it = buckets.emplace(key, net::token_bucket(tier_per_minute(method), std::chrono::minutes(1),
                                                        clock.steady_now())).first;
        }
        while (!life.stopping() && !it->second.try_acquire(clock.steady_now()))
            co_await life.sleep_for(it->second.wait_time(clock.steady_now()));
    }

    asio::awaitable<web_result> call(std::string method, json args, call_options o)
    {
        web_result out;
        if (o.bucket_key.empty()) o.bucket_key = method;
        if (!o.app_token) co_await admit(method, o.bucket_key);
        runtime::api_request req;
        req.limit_key = method;
        req.labels = {{"method", method}};
        req.http.method = o.get ? "GET" : "POST";
        req.http.url = cfg.api_base + "/" + method;
        if (o.get) {
            for (auto& [k, v] : args.items())
                req.http.url = net::with_query(req.http.url, k,
                                               v.is_string() ? v.get<std::string>() : v.dump());
        } else if (!args.is_null()) {
            req.http.body = args.dump();
            req.http.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
        }
        req.http.headers.push_back({"Authorization", "Bearer " + (o.app_token ? cfg.app_token : cfg.bot_token)});
        auto r = co_await http.send(std::move(req));
        out.status = r.status;
        if (r.status == 429) {
            out.error = "ratelimited";
            co_return out;
        }
        if (r.status == 0 || r.status >= 500) {
            out.error = r.status == 0 ? (life.stopping() ? std::string("stopping") : r.error)
                                      : "http_" + std::to_string(r.status);
            co_return out;
        }
        out.body = json::parse(r.body, nullptr, false);
        if (!out.body.is_object()) {
            out.error = r.status >= 200 && r.status < 300 ? "invalid_response" : "http_" + std::to_string(r.status);
            co_return out;
        }
        auto ok = out.body.find("ok");
        out.ok = r.status >= 200 && r.status < 300 && ok != out.body.end() && ok->is_boolean() && ok->get<bool>();
        if (!out.ok) {
            auto e = out.body.find("error");
            out.error = e != out.body.end() && e->is_string() ? e->get<std::string>() : "http_" + std::to_string(r.status);
            core::metrics::global().counter("slack_web_errors_total", {{"method", method}, {"kind", "api"}}).add();
        }
        co_return out;
    }

    asio::awaitable<bool> post_response_url(std::string url, json body)
    {
        if (url.empty() || !url.starts_with(cfg.response_url_prefix)) {
            core::metrics::global()
                .counter("slack_web_errors_total", {{"method", "response_url"}, {"kind", "refused_url"}})
                .add();
            life.log()->warn("refusing to answer through a response_url outside {}", cfg.response_url_prefix);
            co_return false;
        }
        // Arguments built outside the co_await: GCC 12 mishandles string-literal temporaries there.
        std::string content_type = "application/json; charset=utf-8";
        core::metric_labels labels{{"method", "response_url"}};
        co_return co_await runtime::post_response_url(http, std::move(url), body.dump(), std::move(content_type),
                                                      std::move(labels));
    }
};

web_api::web_api(runtime::lifecycle& life, const settings& cfg, const core::clock& clock)
    : impl_(std::make_unique<impl>(life, cfg, clock))
{}

web_api::~web_api() = default;

asio::awaitable<web_result> web_api::call(std::string method, json args, call_options options)
{
    return impl_->call(std::move(method), std::move(args), std::move(options));
}

asio::awaitable<bool> web_api::post_response_url(std::string url, json body)
{
    return impl_->post_response_url(std::move(url), std::move(body));
}

}  // namespace nudgebot::slack
