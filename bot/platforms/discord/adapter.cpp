#include "platforms/discord/adapter.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "core/command_spec.hpp"
#include "core/metrics.hpp"
#include "platforms/discord/commands_json.hpp"
#include "platforms/discord/gateway.hpp"
#include "platforms/discord/kept_session.hpp"
#include "platforms/discord/normalise.hpp"
#include "platforms/discord/protocol.hpp"
#include "platforms/discord/rest.hpp"
#include "platforms/runtime/bounded_cache.hpp"
#include "platforms/runtime/lifecycle.hpp"
#include "platforms/runtime/reconnect_policy.hpp"
#include "platforms/text_limit.hpp"

#include <map>
#include <set>
#include <unordered_set>

namespace nudgebot::discord {

using namespace runtime::short_names;
using platforms::truncate_utf8;

namespace {

// What `nudgebot run` says when the platform refused the bot (names no secret).
constexpr std::string_view refusal_advice_text =
    "the platform refused the bot (token rejected, intents not allowed, or every shard closed fatally) — fix "
    "the bot's settings in the Discord Developer Portal or the token";

constexpr int error_cannot_dm = protocol::error_code::cannot_send_to_user;
constexpr std::size_t max_message_chars = 2000;
constexpr std::size_t dm_channel_cache_limit = 10000;
constexpr std::size_t dm_closed_limit = 100000;
constexpr std::size_t deferred_limit = 4096;

int button_style_code(core::button_style s)
{
    switch (s) {
    case core::button_style::primary: return protocol::button_style::primary;
    case core::button_style::secondary: return protocol::button_style::secondary;
    case core::button_style::danger: return protocol::button_style::danger;
    }
    return protocol::button_style::secondary;
}

json message_body(const core::private_message& m, bool ephemeral)
{
    json body{{"content", truncate_utf8(m.text, max_message_chars)}, {"allowed_mentions", {{"parse", json::array()}}}};
    if (!m.buttons.empty()) {
        json rows = json::array();
        json row = json::array();
        for (const auto& b : m.buttons) {
            if (row.size() == 5) {
                rows.push_back({{"type", protocol::component_type::action_row}, {"components", std::move(row)}});
                row = json::array();
            }
            if (rows.size() == 5) break;
            row.push_back({{"type", protocol::component_type::button},
                           {"style", button_style_code(b.style)},
                           {"label", truncate_utf8(b.label, 80)},
                           {"custom_id", b.custom_id.substr(0, 100)}});
        }
        if (!row.empty() && rows.size() < 5)
            rows.push_back({{"type", protocol::component_type::action_row}, {"components", std::move(row)}});
        body["components"] = std::move(rows);
    }
    if (ephemeral) body["flags"] = protocol::message_flag::ephemeral;
    return body;
}

// Built outside co_await expressions: GCC 12 mishandles string-literal temporaries that live
// across a suspension point ("array used as initializer").
rest_call make_call(std::string method, std::string route, std::string major, std::string path, std::string body,
                    bool interaction)
{
    return rest_call{std::move(method), std::move(route), std::move(major), std::move(path), std::move(body),
                     interaction};
}

}  // namespace

struct impl : shard_host, runtime::reporting_core<adapter_status>, std::enable_shared_from_this<impl> {
    asio::io_context& ioc;
    settings cfg;
    const core::clock& clock;
    runtime::lifecycle life;
    rest_client rest;
    identity self_identity;
    std::shared_ptr<spdlog::logger> log = life.log();

    std::vector<std::unique_ptr<shard>> shards;
    std::uint32_t shard_total = 0;   // the shard count in use (sessions are kept per shard and count)
    std::map<std::string, std::string> guild_locales;   // server id -> locale, kept across restarts
    std::size_t running = 0;
    std::size_t fatal = 0;
    bool stop_requested = false;

    // GET /gateway/bot
    std::string gateway_url;
    int max_concurrency = 1;
    long identify_total = 1000;
    long identify_remaining = 1000;
    steady::time_point identify_reset_at{};
    std::vector<steady::time_point> next_identify;
    bool warned_budget = false;

    std::optional<json> commands;
    bool commands_registered = false;
    bool registering = false;
    bool warned_no_content = false;

    runtime::bounded_cache<std::string> dm_channels{dm_channel_cache_limit};   // user → DM channel
    std::unordered_set<std::string> dm_closed;                   // users with DMs closed (50007)
    struct deferral {
        bool done = false;
        bool ok = false;
        steady::time_point at;
    };
    std::map<std::string, deferral> deferred;                    // interaction id → state

    impl(asio::io_context& c, settings s, event_sink k, const core::clock& cl)
        : ioc(c), cfg(std::move(s)), clock(cl), life(c, "discord", std::move(k), cfg.supervision), rest(life, cfg, cl)
    {}

    void end(int code) { life.finish(code); }

    runtime::lifecycle& tasks() override { return life; }

    asio::awaitable<bool> token_rejected() override
    {
        auto call = make_call("GET", "/users/@me", "", "/users/@me", "", false);
        auto r = co_await rest.call(std::move(call));
        co_return r.status == 401;
    }

    // ------------------------------------------------------------------------------ start-up
    asio::awaitable<void> boot() override
    {
        auto self = shared_from_this();
        runtime::reconnect_policy wait(cfg.reconnect);
        std::optional<std::uint32_t> recommended;
        for (int attempt = 1; !stop_requested; ++attempt) {
            life.checkpoint("boot");
            auto call = make_call("GET", "/gateway/bot", "", "/gateway/bot", "", false);
            auto r = co_await rest.call(std::move(call));
            if (r.ok()) {
                auto j = json::parse(r.body, nullptr, false);
                if (j.is_object()) {
                    if (j.contains("url") && j["url"].is_string()) gateway_url = j["url"].get<std::string>();
                    if (j.contains("shards") && j["shards"].is_number_integer() && j["shards"].get<int>() > 0)
                        recommended = j["shards"].get<std::uint32_t>();
                    if (auto it = j.find("session_start_limit"); it != j.end() && it->is_object()) {
                        auto num = [&](const char* key, long fallback) {
                            auto f = it->find(key);
                            return f != it->end() && f->is_number_integer() ? f->get<long>() : fallback;
                        };
                        identify_total = num("total", 1000);
                        identify_remaining = num("remaining", identify_total);
                        identify_reset_at = clock.steady_now() + std::chrono::milliseconds(num("reset_after", 0));
                        max_concurrency = static_cast<int>(std::clamp<long>(num("max_concurrency", 1), 1, 1024));
                    }
                }
                break;
            }
            if (r.status == 401 || rest.breaker_open()) {
                log->error("cannot start: Discord rejected the bot token (GET /gateway/bot answered {})", r.status);
                end(1);
                co_return;
            }
            if (cfg.gateway_url && attempt >= 3) break;   // the configured URL is enough to go on
            auto w = wait.next_delay(clock.steady_now());
            log->warn("GET /gateway/bot failed (status {}{}{}); retrying in {} ms", r.status,
                      r.error.empty() ? "" : ", ", r.error, w.count());
            co_await life.sleep_for(w);
        }
        if (stop_requested) {
            end(0);
            co_return;
        }
        if (cfg.gateway_url) gateway_url = *cfg.gateway_url;
        if (gateway_url.empty()) gateway_url = "wss://gateway.discord.gg";
        std::uint32_t count = cfg.shard_count.value_or(recommended.value_or(1));
        if (count == 0) count = 1;
        shard_total = count;
        std::vector<std::uint32_t> ids = cfg.shard_ids;
        if (ids.empty())
            for (std::uint32_t i = 0; i < count; ++i) ids.push_back(i);
        next_identify.assign(static_cast<std::size_t>(max_concurrency), clock.steady_now());
        log->info("starting {} of {} shard(s); identify budget {}/{}, max_concurrency {}", ids.size(), count,
                  identify_remaining, identify_total, max_concurrency);
        if (!cfg.state_file && !cfg.kept.keeps())
            log->warn("no state kept: the command set is registered again at every start");
        restore_kept_identity();
        for (auto id : ids) {
            if (id >= count) {
                log->error("shard id {} is not below the shard count {}; skipped", id, count);
                continue;
            }
            shards.push_back(std::make_unique<shard>(ioc, cfg, self, id, count, gateway_url));
            restore_kept_session(*shards.back(), id, count);
            ++running;
        }
        if (shards.empty()) {
            log->error("no shard to run");
            end(1);
            co_return;
        }
        for (auto& s : shards) s->start();
    }

    // A session the last process kept for this shard is resumed once, then forgotten in the store:
    // if this process crashed, its successor must not resume at a sequence number this one has
    // already handled past (the replay would repeat nudges). stop() keeps the session again.
    void restore_kept_session(shard& s, std::uint32_t id, std::uint32_t count)
    {
        if (!cfg.kept.keeps()) return;
        const auto name = kept_session_name(id, count);
        const auto* text = cfg.kept.find(name);
        if (!text) return;
        cfg.kept.save(name, "");
        auto kept = kept_session::parse(*text);
        if (!kept) {
            log->warn("shard {}: the kept gateway session is unreadable; identifying", id);
            return;
        }
        const auto age = clock.wall_now() - kept->saved_at;
        if (age > cfg.kept_session_max_age || age < -std::chrono::minutes(1)) {
            log->info("shard {}: the kept gateway session is {} s old; identifying", id,
                      std::chrono::duration_cast<std::chrono::seconds>(age).count());
            return;
        }
        log->info("shard {}: resuming the gateway session kept by the last process (seq {})", id, kept->seq);
        // GUILD_CREATE does not come again after a RESUME: the locales come from the kept session.
        for (const auto& [server, locale] : kept->locales) {
            if (shard_of(server, count) != id) continue;
            guild_locales[server] = locale;
            emit(core::server_available{core::platform::discord, core::server_id(server), {}, locale});
        }
        s.resume_kept(*kept);
    }

    // What READY and GUILD_CREATE told the last process, which a RESUME does not repeat.
    void restore_kept_identity()
    {
        const auto* text = cfg.kept.find(kept_identity_name);
        if (!text) return;
        auto kept = kept_identity::parse(*text);
        if (!kept) {
            log->warn("the kept bot identity is unreadable; waiting for READY");
            return;
        }
        if (self_identity.bot_user_id.empty()) self_identity.bot_user_id = kept->bot_user_id;
        if (self_identity.application_id.empty()) self_identity.application_id = kept->application_id;
    }

    void keep_identity()
    {
        if (!cfg.kept.keeps() || self_identity.bot_user_id.empty() || self_identity.application_id.empty()) return;
        kept_identity k{self_identity.bot_user_id, self_identity.application_id};
        cfg.kept.save(kept_identity_name, k.to_text());
    }

    // At stop: the shard's session and the last sequence number handled, for the next process.
    void keep_session(const shard& s)
    {
        if (!cfg.kept.keeps()) return;
        auto kept = s.session_to_keep();
        const auto name = kept_session_name(s.id(), shard_total);
        if (!kept) {
            cfg.kept.save(name, "");
            return;
        }
        kept->saved_at = clock.wall_now();
        for (const auto& [server, locale] : guild_locales)
            if (shard_of(server, shard_total) == s.id()) kept->locales.emplace(server, locale);
        cfg.kept.save(name, kept->to_text());
        log->info("shard {}: gateway session kept for the next start (seq {})", s.id(), kept->seq);
    }

    // ------------------------------------------------------------------------------ shard_host
    asio::awaitable<bool> identify_slot(std::uint32_t shard_id) override
    {
        auto self = shared_from_this();
        if (stop_requested) co_return false;
        auto now = clock.steady_now();
        if (identify_remaining <= 0) {
            auto wait = identify_reset_at > now ? identify_reset_at - now : steady::duration(std::chrono::minutes(1));
            log->error("daily IDENTIFY budget exhausted; shard {} waits {} s for the reset", shard_id,
                       std::chrono::duration_cast<std::chrono::seconds>(wait).count());
            co_await life.sleep_for(wait);
            if (stop_requested) co_return false;
            identify_remaining = identify_total;
            now = clock.steady_now();
        }
        // Reserve a slot in this shard's max_concurrency bucket; slots are 5 s apart.
        auto bucket = static_cast<std::size_t>(shard_id % static_cast<std::uint32_t>(max_concurrency));
        if (next_identify.size() <= bucket) next_identify.resize(bucket + 1, now);
        auto slot = std::max(now, next_identify[bucket]);
        next_identify[bucket] = slot + cfg.identify_interval + cfg.identify_interval / 10;
        --identify_remaining;
        if (!warned_budget && identify_remaining < identify_total / 10) {
            warned_budget = true;
            log->warn("only {} of {} daily IDENTIFY calls left", identify_remaining, identify_total);
        }
        if (slot > now) co_await life.sleep_for(slot - now);
        co_return !stop_requested;
    }

    void emit(core::event e) { life.emit(std::move(e)); }

    void on_dispatch(std::uint32_t shard_id, std::string_view type, const json& d, steady::time_point received) override
    {
        core::metrics::global().counter("discord_dispatches_total", {{"type", std::string(type)}}).add();
        if (type == "READY") {
            if (d.is_object()) {
                if (auto u = d.find("user"); u != d.end() && u->is_object() && u->contains("id") && (*u)["id"].is_string())
                    self_identity.bot_user_id = (*u)["id"].get<std::string>();
                if (auto a = d.find("application"); a != d.end() && a->is_object() && a->contains("id") &&
                                                    (*a)["id"].is_string())
                    self_identity.application_id = (*a)["id"].get<std::string>();
            }
            core::session_ready ready{core::platform::discord, core::user_id(self_identity.bot_user_id), {}};
            if (auto g = d.find("guilds"); d.is_object() && g != d.end() && g->is_array())
                for (const auto& guild : *g)
                    if (guild.is_object() && guild.contains("id") && guild["id"].is_string())
                        ready.servers.emplace_back(guild["id"].get<std::string>());
            emit(std::move(ready));
            maybe_register_commands();
            return;
        }
        if (type == "RESUMED") {
            // The first RESUME of a kept session: registration would have followed READY.
            maybe_register_commands();
            return;
        }
        // Interaction deadlines are judged with the injected clock, so stamp arrival with it too.
        auto n = normalise_dispatch(type, d, self_identity, clock.steady_now());
        if (n.guild_message_without_content && !warned_no_content) {
            warned_no_content = true;
            log->warn("guild messages arrive with empty content: the MESSAGE_CONTENT privileged intent is not "
                      "enabled for this bot (Developer Portal → Bot → Privileged Gateway Intents); nudgebot "
                      "cannot read channel messages without it");
        }
        if (n.event && cfg.kept.keeps())
            if (const auto* guild = std::get_if<core::server_available>(&*n.event))
                if (guild_locales.size() < kept_session::max_locales || guild_locales.count(guild->server.str()))
                    guild_locales[guild->server.str()] = guild->locale;
        if (!n.event) {
            if (n.skipped == skip_reason::malformed)
                core::metrics::global().counter("discord_gateway_errors_total", {{"kind", "malformed_event"}}).add();
            return;
        }
        life.emit(std::move(*n.event), received);
    }

    void on_stopped(std::uint32_t shard_id, int close_code) override
    {
        if (running > 0) --running;
        if (close_code != 0) ++fatal;
        if (running == 0) {
            if (fatal > 0) log->error("no Discord shard is left running");
            end(fatal > 0 && !stop_requested ? 1 : 0);
        }
    }

    // ------------------------------------------------------------------------------ commands
    void maybe_register_commands()
    {
        if (!commands || commands_registered || registering || self_identity.application_id.empty()) return;
        registering = true;
        life.spawn("register_commands", [self = shared_from_this()] { return self->register_commands(); });
    }

    asio::awaitable<void> register_commands()
    {
        auto self = shared_from_this();
        auto hash = command_set_hash(*commands, cfg.dev_guild_id);
        const auto* kept_hash = cfg.kept.find(kept_commands_hash_name);
        if ((kept_hash && *kept_hash == hash) || (cfg.state_file && read_command_hash(*cfg.state_file) == hash)) {
            log->info("command set unchanged since the last registration; not registering");
            commands_registered = true;
            registering = false;
            co_return;
        }
        const auto& app = self_identity.application_id;
        std::string path = cfg.dev_guild_id ? "/applications/" + app + "/guilds/" + *cfg.dev_guild_id + "/commands"
                                            : "/applications/" + app + "/commands";
        std::string route = cfg.dev_guild_id ? "/applications/{id}/guilds/{id}/commands" : "/applications/{id}/commands";
        auto call = make_call("PUT", route, cfg.dev_guild_id.value_or(""), path, commands->dump(), false);
        auto r = co_await rest.call(std::move(call));
        registering = false;
        if (!r.ok()) {
            log->warn("command registration failed (status {}{}); will retry at the next READY", r.status,
                      r.error.empty() ? "" : ", " + r.error);
            co_return;
        }
        commands_registered = true;
        core::metrics::global().counter("discord_command_registrations_total").add();
        log->info("registered {} command(s) {}", commands->size(),
                  cfg.dev_guild_id ? "in the development guild " + *cfg.dev_guild_id : std::string("globally"));
        if (cfg.kept.keeps()) cfg.kept.save(kept_commands_hash_name, hash);
        if (cfg.state_file && !write_command_hash(*cfg.state_file, hash))
            log->warn("could not write the command hash to the state file {}", *cfg.state_file);
    }

    // ------------------------------------------------------------------------------ delivery
    asio::awaitable<void> send_private(core::user_id to, core::server_id, core::channel_id, core::private_message message,
                                       core::delivery_callback done) override
    {
        auto self = shared_from_this();
        if (dm_closed.count(to.str())) {
            life.complete(done, core::delivery_outcome::undeliverable, "dm");
            co_return;
        }
        std::string channel;
        if (const auto* cached = dm_channels.find(to.str())) {
            channel = *cached;
        } else {
            auto call = make_call("POST", "/users/@me/channels", "", "/users/@me/channels",
                                         json{{"recipient_id", to.str()}}.dump(), false);
            auto r = co_await rest.call(std::move(call));
            auto j = json::parse(r.body, nullptr, false);
            if (!r.ok() || !j.is_object() || !j.contains("id") || !j["id"].is_string()) {
                bool closed = r.code == error_cannot_dm;
                if (closed) record_dm_closed(to);
                life.complete(done, closed ? core::delivery_outcome::undeliverable : core::delivery_outcome::failed, "dm");
                co_return;
            }
            channel = j["id"].get<std::string>();
            dm_channels.put(to.str(), channel);
        }
        auto call = make_call("POST", "/channels/{id}/messages", channel, "/channels/" + channel + "/messages",
                                     message_body(message, false).dump(), false);
        auto r = co_await rest.call(std::move(call));
        if (r.ok()) {
            life.complete(done, core::delivery_outcome::delivered, "dm");
        } else if (r.code == error_cannot_dm) {
            record_dm_closed(to);
            life.complete(done, core::delivery_outcome::undeliverable, "dm");
        } else {
            life.complete(done, r.status == 403 ? core::delivery_outcome::undeliverable : core::delivery_outcome::failed,
                   "dm");
        }
    }

    void record_dm_closed(const core::user_id& user)
    {
        if (dm_closed.size() >= dm_closed_limit) dm_closed.clear();
        if (dm_closed.insert(user.str()).second) {
            core::metrics::global().counter("discord_dm_closed_total").add();
            log->info("user {} does not accept DMs from the bot (50007); recorded, not retried", user.str());
        }
    }

    asio::awaitable<void> answer_privately(core::reply_handle reply, core::private_message message,
                                           core::delivery_callback done) override
    {
        auto self = shared_from_this();
        auto age = clock.steady_now() - reply.received_at;
        auto it = deferred.find(reply.id);
        if (it != deferred.end()) {
            // Wait for our own defer to be acknowledged before editing its message.
            while (!it->second.done && !life.stopping() &&
                   clock.steady_now() - reply.received_at < cfg.interaction_deadline) {
                co_await life.sleep_for(std::chrono::milliseconds(5));
                it = deferred.find(reply.id);
                if (it == deferred.end()) break;
            }
            if (it == deferred.end() || !it->second.ok || age > std::chrono::minutes(15)) {
                life.complete(done, core::delivery_outcome::failed, "interaction");
                co_return;
            }
            auto path = "/webhooks/" + self_identity.application_id + "/" + reply.token + "/messages/@original";
            auto call = make_call("PATCH", "/webhooks/{id}/{token}/messages/@original",
                                         self_identity.application_id, path, message_body(message, false).dump(), true);
            auto r = co_await rest.call(std::move(call));
            deferred.erase(reply.id);
            life.complete(done, r.ok() ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "interaction");
            co_return;
        }
        if (age > cfg.interaction_deadline) {
            // Discord invalidates the token after 3 s without an answer: a late answer is an error.
            core::metrics::global().counter("discord_interactions_expired_total").add();
            log->warn("interaction {} answered {} ms after it arrived; too late, dropped", reply.id,
                      std::chrono::duration_cast<std::chrono::milliseconds>(age).count());
            life.complete(done, core::delivery_outcome::failed, "interaction");
            co_return;
        }
        json body{{"type", protocol::callback_type::channel_message}, {"data", message_body(message, true)}};
        auto call = make_call("POST", "/interactions/{id}/{token}/callback", "",
                                     "/interactions/" + reply.id + "/" + reply.token + "/callback", body.dump(), true);
        auto r = co_await rest.call(std::move(call));
        life.complete(done, r.ok() ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "interaction");
    }

    // Posts run in order, so a defer marks the interaction deferred before an answer queued after
    // it looks: that answer edits @original instead of answering a second time.
    asio::awaitable<void> defer(core::reply_handle reply) override
    {
        auto self = shared_from_this();
        if (deferred.size() >= deferred_limit) {
            auto cutoff = clock.steady_now() - std::chrono::minutes(15);
            std::erase_if(deferred, [&](const auto& e) { return e.second.at < cutoff; });
            if (deferred.size() >= deferred_limit) deferred.erase(deferred.begin());
        }
        deferred[reply.id] = deferral{false, false, reply.received_at};
        json body{{"type", protocol::callback_type::deferred_channel_message},
                  {"data", {{"flags", protocol::message_flag::ephemeral}}}};
        auto call = make_call("POST", "/interactions/{id}/{token}/callback", "",
                                     "/interactions/" + reply.id + "/" + reply.token + "/callback", body.dump(), true);
        auto r = co_await rest.call(std::move(call));
        if (auto it = deferred.find(reply.id); it != deferred.end()) it->second = deferral{true, r.ok(), reply.received_at};
    }

    asio::awaitable<void> post_to_channel(core::server_id, core::channel_id channel, core::private_message message,
                                          core::delivery_callback done) override
    {
        auto self = shared_from_this();
        auto call = make_call("POST", "/channels/{id}/messages", channel.str(),
                                     "/channels/" + channel.str() + "/messages", message_body(message, false).dump(),
                                     false);
        auto r = co_await rest.call(std::move(call));
        life.complete(done,
               r.ok()               ? core::delivery_outcome::delivered
               : r.status == 403 || r.status == 404 ? core::delivery_outcome::undeliverable
                                    : core::delivery_outcome::failed,
               "channel");
    }

    void report(adapter_status& s) const override
    {
        s.shards_running = running;
        s.shards_stopped_fatally = fatal;
        s.connected = s.shards_running > 0 && !s.finished;
        s.rest_breaker_open = rest.breaker_open();
        s.commands_registered = commands_registered;
        s.bot_user_id = self_identity.bot_user_id;
        s.application_id = self_identity.application_id;
    }

    void halt() override
    {
        stop_requested = true;
        life.stop();
        keep_identity();
        for (auto& s : shards) {
            keep_session(*s);
            s->stop();
        }
        if (shards.empty() && life.started()) end(0);
    }
};

adapter::adapter(asio::io_context& ioc, settings s, event_sink sink, const core::clock& clock)
    : adapter_with_status(core::platform::discord, refusal_advice_text)
{
    make_core<impl>(ioc, std::move(s), std::move(sink), clock);
}

void adapter::set_commands(const nlohmann::json& discord_commands)
{
    auto i = shared_core<impl>();
    asio::post(i->ioc, [i, c = discord_commands] {
        i->commands = c;
        i->commands_registered = false;
        i->maybe_register_commands();
    });
}

void adapter::use_nudgebot_commands() { set_commands(to_discord_commands(core::nudgebot_commands())); }

std::string adapter::message_link(const core::server_id& server, const core::channel_id& channel,
                                  const core::message_id& message) const
{
    return "https://discord.com/channels/" + (server.empty() ? std::string("@me") : server.str()) + "/" +
           channel.str() + "/" + message.str();
}

}  // namespace nudgebot::discord
