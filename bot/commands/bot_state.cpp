#include "commands/bot_state.hpp"

#include "engine/analyzer.hpp"

#include <algorithm>

namespace nudgebot::commands {

namespace {

std::string key_of(core::platform where, const std::string& id)
{
    std::string k(core::to_string(where));
    k += ':';
    k += id;
    return k;
}

}  // namespace

analyze_fn analyze_with(std::shared_ptr<const engine::analyzer> analyzer)
{
    return [analyzer = std::move(analyzer)](std::string_view text, engine::sensitivity s,
                                            engine::message_context context) {
        return analyzer->analyze(text, s, context);
    };
}

std::optional<nudge::calmer_draft> bot_snapshot::calmer_draft_of(std::string_view text, const engine::analysis& a,
                                                                  engine::sensitivity s) const
{
    return nudge::calmer_rewrite(
        text, a, [this, s, context = engine::message_context{a.features.reply}](std::string_view t, engine::analysis& out) {
            out = analyze(t, s, context);   // a draft is read where the message stood
        },
        composer->library().restatements);
}

bot_state::bot_state(analyze_fn analyze, nudge::composer& composer, storage::async_store& store,
                     core::delivery& delivery, const core::clock& clock, bot_options options, core::metrics& metrics)
    : store(store),
      delivery(delivery),
      clock(clock),
      metrics(metrics),
      context(options.context),
      policy(options.policy),
      default_settings_(options.server_defaults)
{
    snapshot_ = std::make_shared<const bot_snapshot>(
        bot_snapshot{std::move(analyze), &composer, std::make_shared<const bot_options>(std::move(options))});
    composers_.push_back(&composer);
    if (store.shared()) store.on_changes([this](std::vector<storage::refreshed_row> rows) { apply_changes(std::move(rows)); });
}

void bot_state::load(core::platform where)
{
    auto consents = store.call([where](storage::store& s) { return s.load_consents(where); });
    for (auto& [user, c] : consents) consents_[key_of(where, user.str())] = std::move(c);
    auto settings = store.call([where](storage::store& s) { return s.load_settings(where); });
    for (auto& [server, s] : settings) settings_[key_of(where, server.str())] = std::move(s);
    metrics.gauge("nudgebot_known_users").set(static_cast<double>(consents_.size()));
    if (std::find(loaded_.begin(), loaded_.end(), where) == loaded_.end()) loaded_.push_back(where);
}

void bot_state::reload(analyze_fn analyze, nudge::composer& composer, bot_options options)
{
    // On the strand, between two events: nothing reads the old snapshot's parts after this except
    // work that holds that snapshot itself.
    policy.set_limits(options.policy);
    context.set_limits(options.context);
    default_settings_ = options.server_defaults;
    snapshot_ = std::make_shared<const bot_snapshot>(
        bot_snapshot{std::move(analyze), &composer, std::make_shared<const bot_options>(std::move(options))});
    if (std::find(composers_.begin(), composers_.end(), &composer) == composers_.end()) composers_.push_back(&composer);
}

void bot_state::apply_changes(std::vector<storage::refreshed_row> rows)
{
    for (auto& r : rows) {
        if (r.what.id.empty()) {
            // The feed was interrupted: read every row of this kind again.
            for (auto where : loaded_) {
                if (r.what.what == storage::change::kind::consent) {
                    store.submit([where](storage::store& s) { return s.load_consents(where); },
                                 [this, where](std::vector<std::pair<core::user_id, storage::consent>> all) {
                                     std::erase_if(consents_, [&](const auto& e) {
                                         return e.first.rfind(key_of(where, ""), 0) == 0;
                                     });
                                     for (auto& [user, c] : all) consents_[key_of(where, user.str())] = std::move(c);
                                 });
                } else {
                    store.submit([where](storage::store& s) { return s.load_settings(where); },
                                 [this, where](std::vector<std::pair<core::server_id, storage::server_settings>> all) {
                                     std::erase_if(settings_, [&](const auto& e) {
                                         return e.first.rfind(key_of(where, ""), 0) == 0;
                                     });
                                     for (auto& [server, s] : all) settings_[key_of(where, server.str())] = std::move(s);
                                 });
                }
            }
            continue;
        }
        // Another platform's rows belong to that platform's router.
        if (std::find(loaded_.begin(), loaded_.end(), r.what.where) == loaded_.end()) continue;
        auto key = key_of(r.what.where, r.what.id);
        if (r.what.what == storage::change::kind::consent) {
            if (r.consent_now) consents_[key] = std::move(*r.consent_now);
            else forget(r.what.where, core::user_id{r.what.id});   // forget-me in some process: here too
        } else {
            if (r.settings_now) settings_[key] = std::move(*r.settings_now);
            else settings_.erase(key);
        }
        metrics.counter("nudgebot_store_changes_applied_total").add();
    }
    metrics.gauge("nudgebot_known_users").set(static_cast<double>(consents_.size()));
}

const storage::consent* bot_state::consent_of(core::platform where, const core::user_id& user) const
{
    auto it = consents_.find(key_of(where, user.str()));
    return it == consents_.end() ? nullptr : &it->second;
}

storage::consent& bot_state::consent_to_change(core::platform where, const core::user_id& user)
{
    return consents_[key_of(where, user.str())];
}

void bot_state::set_consent(core::platform where, const core::user_id& user, storage::consent c)
{
    consents_[key_of(where, user.str())] = std::move(c);
}

void bot_state::forget(core::platform where, const core::user_id& user)
{
    consents_.erase(key_of(where, user.str()));
    policy.forget(user);
    context.forget_user(user);
    // Earlier composers too: a reload keeps them for work in flight, and they remember wording.
    for (auto* c : composers_) c->forget(user);
}

const storage::server_settings& bot_state::settings_of(core::platform where, const core::server_id& server) const
{
    auto it = settings_.find(key_of(where, server.str()));
    return it == settings_.end() ? default_settings_ : it->second;
}

storage::server_settings& bot_state::settings_to_change(core::platform where, const core::server_id& server)
{
    return settings_.try_emplace(key_of(where, server.str()), default_settings_).first->second;
}

void bot_state::set_locale(core::platform where, const core::server_id& server, std::string locale)
{
    if (!locale.empty()) locales_[key_of(where, server.str())] = std::move(locale);
}

engine::sensitivity bot_state::sensitivity_of(const storage::server_settings& s) const
{
    return engine::parse_sensitivity(s.sensitivity).value_or(engine::sensitivity::medium);
}

nudge::crisis_choice bot_state::crisis_choice_of(core::platform where, const core::server_id& server) const
{
    nudge::crisis_choice choice;
    const auto& settings = settings_of(where, server);
    choice.workplace = settings.crisis_text;
    choice.country = settings.crisis_country;
    if (choice.country.empty()) {
        auto it = locales_.find(key_of(where, server.str()));
        if (it != locales_.end()) choice.country = composer().crisis_resources().country_of_locale(it->second);
    }
    if (choice.country.empty() || !composer().crisis_resources().find(choice.country))
        choice.country = options().default_crisis_country;
    return choice;
}

std::int32_t bot_state::today() const { return nudge::utc_day(clock.wall_now()); }

void bot_state::count(core::platform where, const std::string& server, engine::category c, std::string_view rule,
                      std::string outcome)
{
    store.count({today(), where, server, std::string(engine::to_string(c)), std::string(rule), std::move(outcome)});
}

}  // namespace nudgebot::commands
