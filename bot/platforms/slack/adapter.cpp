#include "platforms/slack/adapter.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/metrics.hpp"
#include "platforms/json_fields.hpp"
#include "platforms/runtime/bounded_cache.hpp"
#include "platforms/runtime/lifecycle.hpp"
#include "platforms/slack/api.hpp"
#include "platforms/slack/connection.hpp"
#include "platforms/slack/normalise.hpp"
#include "platforms/slack/workspace_locale.hpp"

#include <unordered_set>

namespace nudgebot::slack {

using namespace runtime::short_names;
using platforms::field;
using platforms::text_of;

namespace {

// What `nudgebot run` says when the platform refused the bot (names no secret).
constexpr std::string_view refusal_advice_text =
    "Slack refused the tokens (auth.test or apps.connections.open failed with invalid_auth, not_authed, "
    "token_revoked or similar) — check the bot token (xoxb-) and the app-level token (xapp-) with "
    "connections:write";

constexpr std::size_t dm_channel_cache_limit = 10000;

bool bool_field(const json& j, const char* key)
{
    const json* f = field(j, key);
    return f && f->is_boolean() && f->get<bool>();
}

}  // namespace

struct impl : runtime::reporting_core<adapter_status>, std::enable_shared_from_this<impl> {
    settings cfg;
    const core::clock& clock;
    runtime::lifecycle life;
    web_api api;
    std::string bot_user;
    std::string team;
    socket_mode socket;
    std::shared_ptr<spdlog::logger> log = life.log();
    bool ready_emitted = false;

    runtime::bounded_cache<bool> moderators{cfg.moderator_cache_limit};
    std::unordered_set<std::string> group_members;
    steady::time_point group_expires{};
    runtime::bounded_cache<std::string> dm_channels{dm_channel_cache_limit};

    impl(asio::io_context& c, settings s, event_sink k, const core::clock& cl)
        : cfg(std::move(s)), clock(cl), life(c, "slack", std::move(k), cfg.supervision), api(life, cfg, cl),
          socket(life, cfg, cl, api, bot_user,
                 socket_handler{[this] { on_hello(); }, [this](normalised n) { on_envelope(std::move(n)); },
                                [this](std::string why) { refuse(why); }})
    {}

    void refuse(std::string_view why) { runtime::refuse(life, *this, why); }

    void report(adapter_status& s) const override
    {
        socket.report(s);
        s.team_id = team;
    }

    // ------------------------------------------------------------------------------ start-up
    asio::awaitable<void> boot() override
    {
        auto self = shared_from_this();
        if (!cfg.app_token.starts_with("xapp-"))
            log->warn("the app-level token does not start with xapp-; Socket Mode needs an app-level token");
        if (!cfg.bot_token.starts_with("xoxb-"))
            log->warn("the bot token does not start with xoxb-; the Web API needs the bot token");
        runtime::reconnect_policy wait(cfg.reconnect);
        while (!life.stopping()) {
            life.checkpoint("boot");
            std::string method = "auth.test";
            auto r = co_await api.call(method, json::object());
            if (r.ok) {
                bot_user = text_of(r.body, "user_id");
                team = text_of(r.body, "team_id");
                log->info("bot user {} in workspace {}", bot_user, team);
                break;
            }
            if (fatal_auth_error(r.error)) {
                refuse("Slack rejected the bot token (auth.test: " + r.error + ")");
                co_return;
            }
            auto w = wait.next_delay(clock.steady_now());
            log->warn("auth.test failed ({}); retrying in {} ms", r.error, w.count());
            co_await life.sleep_for(w);
        }
        if (life.stopping()) co_return;
        socket.start(weak_from_this());
    }

    void on_hello()
    {
        life.healthy();
        if (ready_emitted) return;
        ready_emitted = true;
        core::session_ready ready{core::platform::slack, core::user_id(bot_user), {}};
        if (!team.empty()) ready.servers.emplace_back(team);
        life.emit(std::move(ready));
        if (!team.empty() && cfg.locale_pages > 0)
            life.spawn("workspace_locale", [self = shared_from_this()] { return self->announce_locale(); });
    }

    // The workspace's locale, once per process, as a server_available event (the dispatcher keeps
    // it per server for the crisis card). Without it (users.list refused, no member with a
    // locale) the moderators' choice or the config default applies.
    asio::awaitable<void> announce_locale()
    {
        workspace_locale tally;
        std::string cursor;
        call_options get;
        get.get = true;
        for (int page = 0; page < cfg.locale_pages && !life.stopping(); ++page) {
            std::string method = "users.list";
            json args{{"limit", 200}, {"include_locale", true}};
            // On Enterprise Grid users.list needs the workspace (else it lists the organisation or
            // refuses an org-wide install); elsewhere the workspace's own id changes nothing.
            args["team_id"] = team;
            if (!cursor.empty()) args["cursor"] = cursor;
            auto r = co_await api.call(method, std::move(args), get);
            if (!r.ok) {
                log->warn("users.list failed ({}); the crisis card's country comes from the moderators or the config",
                          r.error);
                break;
            }
            cursor = tally.add_page(r.body);
            if (cursor.empty()) break;
        }
        auto locale = tally.result();
        if (life.stopping() || locale.empty()) co_return;
        log->info("workspace {} locale {} (from {} members)", team, locale, tally.members_counted());
        life.emit(core::server_available{core::platform::slack, core::server_id(team), {}, std::move(locale)});
    }

    void on_envelope(normalised n)
    {
        if (n.needs_moderator_check) {
            life.spawn("moderator_check", [self = shared_from_this(), e = std::move(*n.event)]() mutable {
                return self->with_moderator_flag(std::move(e));
            });
            return;
        }
        life.emit(std::move(*n.event), n.arrived);
    }

    // ------------------------------------------------------------------------------ moderators
    asio::awaitable<void> with_moderator_flag(core::event e)
    {
        auto& inv = std::get<core::command_invocation>(e);
        inv.invoker_is_moderator = co_await is_moderator(inv.invoker.str());
        if (!life.stopping()) life.emit(std::move(e));
    }

    asio::awaitable<bool> is_moderator(std::string user)
    {
        auto now = clock.steady_now();
        if (const auto* cached = moderators.find(user, now)) co_return *cached;
        bool mod = false;
        bool known = false;
        call_options get;
        get.get = true;
        if (cfg.admins_are_moderators) {
            std::string method = "users.info";
            json args;
            args["user"] = user;
            auto r = co_await api.call(method, std::move(args), get);
            if (r.ok) {
                known = true;
                auto u = r.body.find("user");
                if (u != r.body.end() && u->is_object())
                    mod = bool_field(*u, "is_admin") || bool_field(*u, "is_owner") ||
                          bool_field(*u, "is_primary_owner");
            } else {
                log->warn("users.info failed ({}); treating the user as not a moderator for now", r.error);
            }
        }
        if (!mod && cfg.moderator_group) {
            if (clock.steady_now() >= group_expires) {
                std::string method = "usergroups.users.list";
                json args;
                args["usergroup"] = *cfg.moderator_group;
                auto r = co_await api.call(method, std::move(args), get);
                if (r.ok) {
                    group_members.clear();
                    if (auto us = r.body.find("users"); us != r.body.end() && us->is_array())
                        for (const auto& m : *us)
                            if (m.is_string() && group_members.size() < cfg.moderator_cache_limit)
                                group_members.insert(m.get<std::string>());
                    group_expires = clock.steady_now() + cfg.moderator_cache_ttl;
                    known = true;
                } else {
                    log->warn("usergroups.users.list failed ({})", r.error);
                }
            } else {
                known = true;
            }
            if (group_members.count(user)) mod = true;
        }
        if (known) moderators.put(user, mod, clock.steady_now() + cfg.moderator_cache_ttl);
        co_return mod;
    }

    // ------------------------------------------------------------------------------ delivery
    asio::awaitable<web_result> post_in(std::string method, std::string channel, json args)
    {
        args["channel"] = channel;
        call_options o;
        o.bucket_key = method + ":" + channel;
        co_return co_await api.call(std::move(method), std::move(args), std::move(o));
    }

    asio::awaitable<void> send_private(core::user_id to, core::server_id, core::channel_id channel,
                                       core::private_message m, core::delivery_callback done) override
    {
        auto body = message_json(m);
        if (!channel.empty()) {
            auto args = body;
            args["user"] = to.str();
            auto r = co_await post_in("chat.postEphemeral", channel.str(), std::move(args));
            if (r.ok) {
                life.complete(done, core::delivery_outcome::delivered, "ephemeral");
                co_return;
            }
            if (!dm_can_help(r.error)) {
                log->warn("chat.postEphemeral to user {} failed ({})", to.str(), r.error);
                life.complete(done, core::delivery_outcome::failed, "ephemeral");
                co_return;
            }
            core::metrics::global().counter("slack_dm_fallbacks_total", {{"reason", r.error}}).add();
            log->info("ephemeral message to user {} impossible ({}); sending a DM instead", to.str(), r.error);
        }
        auto dm = co_await dm_channel(to.str());
        if (!dm) {
            life.complete(done, core::delivery_outcome::undeliverable, "dm");
            co_return;
        }
        auto r = co_await post_in("chat.postMessage", *dm, std::move(body));
        life.complete(done,
                      r.ok ? core::delivery_outcome::delivered
                           : (r.error == "cannot_dm_bot" || r.error == "user_disabled"
                                  ? core::delivery_outcome::undeliverable
                                  : core::delivery_outcome::failed),
                      "dm");
    }

    asio::awaitable<std::optional<std::string>> dm_channel(std::string user)
    {
        if (const auto* cached = dm_channels.find(user)) co_return *cached;
        std::string method = "conversations.open";
        json args;
        args["users"] = user;
        auto r = co_await api.call(method, std::move(args));
        if (!r.ok) {
            log->info("cannot open a DM with user {} ({})", user, r.error);
            co_return std::nullopt;
        }
        auto c = r.body.find("channel");
        if (c == r.body.end() || !c->is_object() || !c->contains("id") || !(*c)["id"].is_string()) co_return std::nullopt;
        auto id = (*c)["id"].get<std::string>();
        dm_channels.put(user, id);
        co_return id;
    }

    asio::awaitable<void> answer_privately(core::reply_handle reply, core::private_message m,
                                           core::delivery_callback done) override
    {
        auto body = message_json(m);
        body["response_type"] = "ephemeral";
        body["replace_original"] = false;
        bool ok = co_await api.post_response_url(reply.token, std::move(body));
        life.complete(done, ok ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "answer");
    }

    // defer(): the runtime's (Socket Mode envelopes are acked on arrival; nothing to tell Slack).

    asio::awaitable<void> post_to_channel(core::server_id, core::channel_id channel, core::private_message m,
                                          core::delivery_callback done) override
    {
        auto args = message_json(m);
        args["unfurl_links"] = false;
        auto r = co_await post_in("chat.postMessage", channel.str(), std::move(args));
        runtime::finish_channel_post(life, done, channel, r.ok, r.error);
    }

    void halt() override
    {
        if (life.stopping() && life.finished()) return;
        runtime::wind_down(life);
        socket.stop();
    }
};

adapter::adapter(asio::io_context& ioc, settings s, event_sink sink, const core::clock& clock)
    : adapter_with_status(core::platform::slack, refusal_advice_text)
{
    make_core<impl>(ioc, std::move(s), std::move(sink), clock);
}

std::string adapter::message_link(const core::server_id&, const core::channel_id& channel,
                                  const core::message_id& message) const
{
    std::string ts;
    for (char c : message.str())
        if (c != '.') ts += c;
    const auto& workspace = core_as<impl>().cfg.workspace_url;
    auto base = workspace.empty() ? std::string("https://slack.com") : workspace;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/archives/" + channel.str() + "/p" + ts;
}

}  // namespace nudgebot::slack
