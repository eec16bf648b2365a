#include "storage/store.hpp"
#include "storage/postgres_store.hpp"
#include "storage/sqlite_store.hpp"

#include <stdexcept>

namespace nudgebot::storage {

std::string join_muted(const std::set<std::string>& muted)
{
    std::string out;
    for (const auto& m : muted) {
        if (!out.empty()) out += ',';
        out += m;
    }
    return out;
}

std::set<std::string> split_muted(std::string_view text)
{
    std::set<std::string> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        auto part = text.substr(0, comma);
        if (!part.empty()) out.emplace(part);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

std::unique_ptr<store> make_store(const std::string& url)
{
    constexpr std::string_view sqlite_scheme = "sqlite:";
    if (url.rfind(sqlite_scheme, 0) == 0) {
        auto path = url.substr(sqlite_scheme.size());
        if (path.empty()) throw std::runtime_error("storage.url \"sqlite:\" needs a path");
        return std::make_unique<sqlite_store>(path);
    }
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
        return std::make_unique<postgres_store>(url);
    throw std::runtime_error("storage.url: unknown scheme (expected \"sqlite:PATH\" or \"postgresql://...\")");
}

std::vector<std::unique_ptr<store>> make_store_pool(const std::string& url)
{
    std::vector<std::unique_ptr<store>> pool;
    pool.push_back(make_store(url));
    if (pool.front()->shared())
        while (pool.size() < postgres_store::pool_connections)
            pool.push_back(std::make_unique<postgres_store>(url, postgres_store::role::helper));
    return pool;
}

}  // namespace nudgebot::storage
