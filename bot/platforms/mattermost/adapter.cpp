#include "platforms/mattermost/adapter.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/metrics.hpp"
#include "platforms/json_fields.hpp"
#include "platforms/mattermost/api.hpp"
#include "platforms/mattermost/connection.hpp"
#include "platforms/mattermost/endpoints.hpp"
#include "platforms/runtime/bounded_cache.hpp"
#include "platforms/runtime/lifecycle.hpp"
#include "platforms/runtime/reconnect_policy.hpp"
#include "platforms/text_limit.hpp"


namespace nudgebot::mattermost {

using namespace runtime::short_names;
using platforms::text_of;
using platforms::truncate_utf8;

namespace {

// What `nudgebot run` says when the platform refused the bot (names no secret).
constexpr std::string_view refusal_advice_text =
    "the Mattermost server rejected the bot's access token — check the token and that the bot account is "
    "active";

constexpr std::size_t max_message_chars = 4000;
constexpr std::size_t dm_channel_cache_limit = 10000;

bool has_word(std::string_view words, std::string_view word)
{
    std::size_t at = 0;
    while (at < words.size()) {
        auto end = words.find(' ', at);
        if (end == std::string_view::npos) end = words.size();
        if (words.substr(at, end - at) == word) return true;
        at = end + 1;
    }
    return false;
}

settings trimmed(settings s)
{
    while (!s.server_url.empty() && s.server_url.back() == '/') s.server_url.pop_back();
    while (!s.http_prefix.empty() && s.http_prefix.back() == '/') s.http_prefix.pop_back();
    return s;
}

}  // namespace

struct impl : runtime::reporting_core<adapter_status>, std::enable_shared_from_this<impl> {
    settings cfg;
    const core::clock& clock;
    runtime::lifecycle life;
    rest_api rest;
    std::string bot_user;
    event_stream stream;
    std::shared_ptr<spdlog::logger> log = life.log();
    endpoints http_endpoints;
    bool ephemeral_allowed = false;
    bool ready_emitted = false;

    runtime::bounded_cache<bool> moderators{cfg.moderator_cache_limit};   // "<team>:<user>"
    runtime::bounded_cache<std::string> dm_channels{dm_channel_cache_limit};

    impl(asio::io_context& c, settings s, event_sink k, const core::clock& cl)
        : cfg(std::move(s)), clock(cl), life(c, "mattermost", std::move(k), cfg.supervision),
          rest(life, cfg, cl),
          stream(life, cfg, cl, rest, bot_user,
                 stream_handler{[this] { on_hello(); }, [this](core::event e, std::chrono::steady_clock::time_point arrived) {
                                   life.emit(std::move(e), arrived);
                               },
                                [this](std::string why) { refuse(why); }}),
          http_endpoints(cfg, cl, log,
                         endpoint_handler{[this](core::command_invocation inv, bool mod) { on_command(std::move(inv), mod); },
                                          [this](core::button_press p) { life.emit(std::move(p)); }})
    {}

    void refuse(std::string_view why) { runtime::refuse(life, *this, why); }

    // ------------------------------------------------------------------------------ start-up
    asio::awaitable<void> boot() override
    {
        auto self = shared_from_this();
        runtime::reconnect_policy wait(cfg.reconnect);
        std::string roles;
        while (!life.stopping()) {
            life.checkpoint("boot");
            std::string method = "GET", path = "/users/me";
            auto r = co_await rest.call(method, path);
            if (r.ok()) {
                bot_user = text_of(r.body, "id");
                roles = text_of(r.body, "roles");
                break;
            }
            if (r.status == 401 || r.status == 403) {
                refuse("Mattermost rejected the bot token (GET /users/me answered " + std::to_string(r.status) + ")");
                co_return;
            }
            auto w = wait.next_delay(clock.steady_now());
            log->warn("GET /users/me failed ({}); retrying in {} ms", r.error, w.count());
            co_await life.sleep_for(w);
        }
        if (life.stopping()) co_return;
        co_await discover_ephemeral(roles);
        stream.start(weak_from_this());
    }

    // Ephemeral posts need create_post_ephemeral, which by default only system admins have.
    asio::awaitable<void> discover_ephemeral(std::string roles)
    {
        json names = json::array();
        std::size_t at = 0;
        while (at < roles.size()) {
            auto end = roles.find(' ', at);
            if (end == std::string::npos) end = roles.size();
            if (end > at) names.push_back(roles.substr(at, end - at));
            at = end + 1;
        }
        if (has_word(roles, "system_admin")) {
            ephemeral_allowed = true;
        } else if (!names.empty()) {
            std::string method = "POST", path = "/roles/names";
            auto r = co_await rest.call(method, path, std::move(names));
            if (r.ok() && r.body.is_array())
                for (const auto& role : r.body)
                    if (role.is_object() && role.contains("permissions") && role["permissions"].is_array())
                        for (const auto& p : role["permissions"])
                            if (p.is_string() && p.get_ref<const std::string&>() == "create_post_ephemeral")
                                ephemeral_allowed = true;
        }
        if (ephemeral_allowed)
            log->info("the bot may post ephemeral messages: nudges appear privately in the channel");
        else
            log->info("the bot may not post ephemeral messages (create_post_ephemeral): nudges are sent as DMs");
    }

    void on_hello()
    {
        life.healthy();
        if (ready_emitted) return;
        ready_emitted = true;
        life.emit(core::session_ready{core::platform::mattermost, core::user_id(bot_user), {}});
    }

    void report(adapter_status& s) const override
    {
        stream.report(s);
        s.ephemeral_allowed = ephemeral_allowed;   // as discovered at start, or lost since
    }

    // ------------------------------------------------------------------------------ commands
    void on_command(core::command_invocation inv, bool check_moderator)
    {
        life.spawn("command", [self = shared_from_this(), inv = std::move(inv), check_moderator]() mutable {
            return self->prepare_and_emit(std::move(inv), check_moderator);
        });
    }

    // Resolves ~channel names to ids and decides moderator rights, then emits the command.
    asio::awaitable<void> prepare_and_emit(core::command_invocation inv, bool check_moderator)
    {
        for (auto& [key, value] : inv.options) {
            if (!value.starts_with("~")) continue;
            std::string method = "GET";
            auto path = "/teams/" + inv.server.str() + "/channels/name/" + value.substr(1);
            auto r = co_await rest.call(method, path);
            auto id = r.ok() ? text_of(r.body, "id") : std::string{};
            if (id.empty()) {
                core::private_message m{"I could not find the channel " + value + " in this team.", {}};
                co_await answer_privately(inv.reply, std::move(m), {});
                co_return;
            }
            value = id;
        }
        if (check_moderator) inv.invoker_is_moderator = co_await is_moderator(inv.invoker.str(), inv.server.str());
        if (!life.stopping()) life.emit(std::move(inv));
    }

    asio::awaitable<bool> is_moderator(std::string user, std::string team)
    {
        auto key = team + ":" + user;
        auto now = clock.steady_now();
        if (const auto* cached = moderators.find(key, now)) co_return *cached;
        bool mod = false;
        bool known = false;
        std::string method = "GET";
        auto path = "/users/" + user;
        auto u = co_await rest.call(method, path);
        if (u.ok()) {
            known = true;
            mod = has_word(text_of(u.body, "roles"), "system_admin");
        }
        if (!mod && !team.empty()) {
            auto mpath = "/teams/" + team + "/members/" + user;
            auto m = co_await rest.call(method, mpath);
            if (m.ok()) {
                known = true;
                mod = has_word(text_of(m.body, "roles"), "team_admin") ||
                      (m.body.is_object() && m.body.contains("scheme_admin") && m.body["scheme_admin"].is_boolean() &&
                       m.body["scheme_admin"].get<bool>());
            }
        }
        if (!known) log->warn("could not look up the rights of user {}; not a moderator for now", user);
        else moderators.put(key, mod, clock.steady_now() + cfg.moderator_cache_ttl);
        co_return mod;
    }

    // ------------------------------------------------------------------------------ delivery
    json post_json(const std::string& channel, const core::private_message& m)
    {
        json post;
        post["channel_id"] = channel;
        post["message"] = truncate_utf8(m.text, max_message_chars);
        if (!m.buttons.empty() && !cfg.actions_url.empty()) {
            json actions = json::array();
            int n = 0;
            for (const auto& b : m.buttons) {
                json a;
                a["id"] = "nb" + std::to_string(n++);
                a["name"] = truncate_utf8(b.label, 80);
                a["type"] = "button";
                a["style"] = b.style == core::button_style::primary ? "primary"
                             : b.style == core::button_style::danger ? "danger"
                                                                     : "default";
                a["integration"]["url"] = cfg.actions_url;
                a["integration"]["context"] = button_context(cfg, b.custom_id);
                actions.push_back(std::move(a));
            }
            json attachment;
            attachment["actions"] = std::move(actions);
            post["props"]["attachments"] = json::array({std::move(attachment)});
        }
        return post;
    }

    asio::awaitable<void> send_private(core::user_id to_user, core::server_id, core::channel_id in_channel,
                                       core::private_message m, core::delivery_callback done) override
    {
        const auto& to = to_user.str();
        const auto& channel = in_channel.str();
        if (ephemeral_allowed && !channel.empty()) {
            json body;
            body["user_id"] = to;
            body["post"] = post_json(channel, m);
            std::string method = "POST", path = "/posts/ephemeral";
            auto r = co_await rest.call(method, path, std::move(body));
            if (r.ok()) {
                life.complete(done, core::delivery_outcome::delivered, "ephemeral");
                co_return;
            }
            if (r.status == 403 && r.error.find("permission") != std::string::npos) {
                ephemeral_allowed = false;
                log->warn("the bot lost the permission to post ephemeral messages; nudges go as DMs from now on");
            }
            core::metrics::global().counter("mattermost_dm_fallbacks_total").add();
        }
        auto dm = co_await dm_channel(to);
        if (!dm) {
            life.complete(done, core::delivery_outcome::undeliverable, "dm");
            co_return;
        }
        std::string method = "POST", path = "/posts";
        auto r = co_await rest.call(method, path, post_json(*dm, m));
        life.complete(done,
                      r.ok() ? core::delivery_outcome::delivered
                             : (r.status == 403 ? core::delivery_outcome::undeliverable : core::delivery_outcome::failed),
                      "dm");
    }

    asio::awaitable<std::optional<std::string>> dm_channel(std::string user)
    {
        if (const auto* cached = dm_channels.find(user)) co_return *cached;
        json members = json::array();
        members.push_back(bot_user);
        members.push_back(user);
        std::string method = "POST", path = "/channels/direct";
        auto r = co_await rest.call(method, path, std::move(members));
        auto id = r.ok() ? text_of(r.body, "id") : std::string{};
        if (id.empty()) {
            log->info("cannot open a DM with user {} ({})", user, r.error);
            co_return std::nullopt;
        }
        dm_channels.put(user, id);
        co_return id;
    }

    asio::awaitable<void> answer_privately(core::reply_handle reply, core::private_message m,
                                           core::delivery_callback done) override
    {
        if (reply.token.starts_with("to:")) {
            auto rest_of = reply.token.substr(3);
            auto colon = rest_of.find(':');
            auto user = rest_of.substr(0, colon);
            auto channel = colon == std::string::npos ? std::string{} : rest_of.substr(colon + 1);
            co_await send_private(core::user_id(user), {}, core::channel_id(channel), std::move(m), std::move(done));
            co_return;
        }
        json body = post_json("", m);
        body.erase("channel_id");
        body["response_type"] = "ephemeral";
        body["text"] = body["message"];
        body.erase("message");
        bool ok = co_await rest.post_response_url(reply.token, std::move(body));
        life.complete(done, ok ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "answer");
    }

    // defer(): the runtime's (the slash-command POST was answered at once).

    asio::awaitable<void> post_to_channel(core::server_id, core::channel_id channel, core::private_message m,
                                          core::delivery_callback done) override
    {
        std::string method = "POST", path = "/posts";
        auto r = co_await rest.call(method, path, post_json(channel.str(), m));
        runtime::finish_channel_post(life, done, channel, r.ok(), r.error);
    }

    void halt() override
    {
        runtime::wind_down(life);
        stream.stop();
    }
};

adapter::adapter(asio::io_context& ioc, settings s, event_sink sink, const core::clock& clock)
    : adapter_with_status(core::platform::mattermost, refusal_advice_text)
{
    make_core<impl>(ioc, trimmed(std::move(s)), std::move(sink), clock);
}

std::optional<net::server_response> adapter::handle_http(const net::server_request& request)
{
    try {
        return core_as<impl>().http_endpoints.handle(request);
    } catch (const std::exception&) {
        core::metrics::global().counter("mattermost_http_rejected_total", {{"kind", "error"}}).add();
        core_as<impl>().log->error("HTTP handler failed");
        return net::server_response::text(500, "internal error");
    }
}

std::string adapter::message_link(const core::server_id&, const core::channel_id&, const core::message_id& message) const
{
    return core_as<impl>().cfg.server_url + "/_redirect/pl/" + message.str();
}

}  // namespace nudgebot::mattermost
