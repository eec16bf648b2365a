#include "platforms/discord/kept_session.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace nudgebot::discord {

std::string kept_session::to_text() const
{
    const auto saved = std::chrono::duration_cast<std::chrono::seconds>(saved_at.time_since_epoch()).count();
    nlohmann::json j{{"session_id", session_id}, {"seq", seq}, {"resume_url", resume_url}, {"saved_at", saved}};
    j["locales"] = nlohmann::json::object();
    for (const auto& [server, locale] : locales) j["locales"][server] = locale;
    return j.dump();
}

std::optional<kept_session> kept_session::parse(std::string_view text)
{
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    auto string_of = [&](const char* key) -> const std::string* {
        auto it = j.find(key);
        return it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty()
                   ? &it->get_ref<const std::string&>()
                   : nullptr;
    };
    auto number_of = [&](const char* key) -> std::optional<std::int64_t> {
        auto it = j.find(key);
        if (it == j.end() || !it->is_number_integer()) return std::nullopt;
        return it->get<std::int64_t>();
    };
    const auto* id = string_of("session_id");
    const auto* url = string_of("resume_url");
    auto seq = number_of("seq");
    auto saved = number_of("saved_at");
    // Times past 2200 would overflow the clock's nanoseconds.
    constexpr std::int64_t latest_saved_at = 7258118400;
    if (!id || !url || !seq || *seq < 0 || !saved || *saved < 0 || *saved > latest_saved_at) return std::nullopt;
    kept_session s;
    s.session_id = *id;
    s.resume_url = *url;
    s.seq = *seq;
    s.saved_at = std::chrono::system_clock::time_point{std::chrono::seconds{*saved}};
    if (auto l = j.find("locales"); l != j.end() && l->is_object())
        for (const auto& [server, locale] : l->items()) {
            if (s.locales.size() >= max_locales) break;
            if (!server.empty() && locale.is_string()) s.locales.emplace(server, locale.get<std::string>());
        }
    return s;
}

std::string kept_identity::to_text() const
{
    return nlohmann::json{{"bot_user_id", bot_user_id}, {"application_id", application_id}}.dump();
}

std::optional<kept_identity> kept_identity::parse(std::string_view text)
{
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    auto user = j.find("bot_user_id");
    auto app = j.find("application_id");
    if (user == j.end() || !user->is_string() || user->get_ref<const std::string&>().empty() || app == j.end() ||
        !app->is_string() || app->get_ref<const std::string&>().empty())
        return std::nullopt;
    return kept_identity{user->get<std::string>(), app->get<std::string>()};
}

std::optional<std::uint32_t> shard_of(std::string_view server_id, std::uint32_t shard_count)
{
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(server_id.data(), server_id.data() + server_id.size(), id);
    if (ec != std::errc{} || end != server_id.data() + server_id.size() || shard_count == 0) return std::nullopt;
    return static_cast<std::uint32_t>((id >> 22) % shard_count);
}

std::string kept_session_name(std::uint32_t shard, std::uint32_t count)
{
    return "gateway_session." + std::to_string(shard) + "." + std::to_string(count);
}

}  // namespace nudgebot::discord
