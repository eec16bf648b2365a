#include "storage/store.hpp"
#include "storage/sqlite_store.hpp"

#include <stdexcept>

namespace nudgebot::storage {

std::optional<style> parse_style(std::string_view s) noexcept
{
    if (s == "gentle") return style::gentle;
    if (s == "direct") return style::direct;
    return std::nullopt;
}

std::optional<crisis_scope> parse_crisis_scope(std::string_view s) noexcept
{
    if (s == "opted-in") return crisis_scope::opted_in;
    if (s == "everyone") return crisis_scope::everyone;
    return std::nullopt;
}

bool server_settings::watches(const core::channel_id& channel) const
{
    bool allow_list = false;
    for (const auto& [id, watched] : channels) allow_list = allow_list || watched;
    auto it = channels.find(channel.str());
    if (allow_list) return it != channels.end() && it->second;
    return it == channels.end() || it->second;
}

std::unique_ptr<store> make_store(const std::string& url)
{
    constexpr std::string_view sqlite_scheme = "sqlite:";
    if (url.rfind(sqlite_scheme, 0) == 0) {
        auto path = url.substr(sqlite_scheme.size());
        if (path.empty()) throw std::runtime_error("storage.url \"sqlite:\" needs a path");
        return std::make_unique<sqlite_store>(path);
    }
    throw std::runtime_error("storage.url: unknown scheme (expected \"sqlite:PATH\")");
}

}  // namespace nudgebot::storage
