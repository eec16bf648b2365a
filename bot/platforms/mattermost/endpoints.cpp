#include "platforms/mattermost/endpoints.hpp"

#include "core/command_spec.hpp"
#include "core/command_text.hpp"
#include "core/metrics.hpp"
#include "platforms/event_heads.hpp"
#include "platforms/json_fields.hpp"
#include "platforms/mattermost/normalise.hpp"
#include "platforms/runtime/secrets.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace nudgebot::mattermost {

using json = nlohmann::json;
using platforms::text_of;

namespace {

// What the HMAC covers: a fixed label, so the MAC cannot be reused for another purpose.
std::string signed_text(const std::string& custom_id) { return "nudgebot-button:" + custom_id; }

void rejected(std::string_view kind)
{
    core::metrics::global().counter("mattermost_http_rejected_total", {{"kind", std::string(kind)}}).add();
}

net::server_response ephemeral_answer(const std::string& text)
{
    json j;
    j["response_type"] = "ephemeral";
    j["text"] = text;
    return net::server_response::json(200, j.dump());
}

}  // namespace

json button_context(const settings& cfg, const std::string& custom_id)
{
    return {{"custom_id", custom_id}, {"mac", runtime::sign(cfg.action_secret, signed_text(custom_id))}};
}

endpoints::endpoints(const settings& cfg, const core::clock& clock, std::shared_ptr<spdlog::logger> log,
                     endpoint_handler handler)
    : cfg_(cfg), clock_(clock), log_(std::move(log)), handler_(std::move(handler))
{}

std::optional<net::server_response> endpoints::handle(const net::server_request& req)
{
    auto path = req.path();
    if (path == cfg_.http_prefix + "/command") return command_post(req);
    if (path == cfg_.http_prefix + "/action") return action_post(req);
    return std::nullopt;
}

net::server_response endpoints::command_post(const net::server_request& req)
{
    if (req.method != "POST") return net::server_response::text(405, "POST only");
    auto form = parse_form(req.body);
    std::string token(req.header("Authorization"));
    if (token.starts_with("Token ")) token.erase(0, 6);
    else token = form["token"];
    bool ok = false;
    for (const auto& t : cfg_.command_tokens) ok = runtime::same_secret(token, t) || ok;
    if (!ok) {
        rejected("command_token");
        log_->warn("refused a slash-command POST from {} with a wrong or missing token", req.remote);
        return net::server_response::text(401, "unknown command token");
    }
    auto name = form["command"];
    if (!name.empty() && name.front() == '/') name.erase(0, 1);
    const auto* spec = core::find_command(name);
    if (!spec || spec->kind != core::command_kind::slash || form["user_id"].empty() || form["channel_id"].empty())
        return ephemeral_answer("nudgebot does not know that command. Try /nudge help.");
    auto parsed = core::parse_command_text(*spec, form["text"], channel_ref);
    if (!parsed.ok) return ephemeral_answer(parsed.error);
    auto inv = platforms::invocation_head(core::platform::mattermost, form["team_id"], form["channel_id"],
                                          form["user_id"], form["user_name"]);
    inv.name = spec->name;
    inv.path = std::move(parsed.path);
    inv.options = std::move(parsed.options);
    auto handle = form["trigger_id"];
    if (handle.empty()) handle = "cmd-" + std::to_string(++next_handle_);
    inv.reply = core::reply_handle{core::platform::mattermost, handle, form["response_url"], clock_.steady_now()};
    core::metrics::global().counter("mattermost_commands_total", {{"command", spec->name}}).add();
    if (handler_.on_command) handler_.on_command(std::move(inv), spec->moderator_only);
    // The answer follows through response_url; an empty 200 shows nothing now.
    return net::server_response::text(200, "");
}

net::server_response endpoints::action_post(const net::server_request& req)
{
    if (req.method != "POST") return net::server_response::text(405, "POST only");
    auto j = json::parse(req.body, nullptr, false);
    const json* ctx = j.is_object() && j.contains("context") && j["context"].is_object() ? &j["context"] : nullptr;
    auto custom_id = ctx ? text_of(*ctx, "custom_id") : std::string{};
    if (!ctx || cfg_.action_secret.empty() ||
        !runtime::signature_matches(cfg_.action_secret, signed_text(custom_id), text_of(*ctx, "mac"))) {
        rejected("action");
        log_->warn("refused an action POST from {} without a valid context", req.remote);
        return net::server_response::json(403, R"({"error":"invalid action"})");
    }
    auto user = text_of(j, "user_id");
    if (user.empty() || custom_id.empty() || custom_id.size() > 255) {
        rejected("action");
        return net::server_response::json(400, R"({"error":"incomplete action"})");
    }
    auto channel = text_of(j, "channel_id");
    auto handle = text_of(j, "trigger_id");
    if (handle.empty()) handle = "act-" + std::to_string(++next_handle_);
    core::button_press press{core::platform::mattermost,
                             core::server_id(text_of(j, "team_id")),
                             core::channel_id(channel),
                             core::user_id(user),
                             custom_id,
                             {core::platform::mattermost, handle, "to:" + user + ":" + channel, clock_.steady_now()}};
    core::metrics::global().counter("mattermost_button_presses_total").add();
    if (handler_.on_press) handler_.on_press(std::move(press));
    return net::server_response::json(200, "{}");
}

}  // namespace nudgebot::mattermost
