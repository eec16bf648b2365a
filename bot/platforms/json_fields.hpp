// Safe field access on untrusted platform JSON, shared by the platform normalisers and adapters.
//
// Contract: never throws; a missing field, a non-object parent or a value of another type reads
// as "absent" (nullptr / empty string). Used only inside bot/platforms/.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace nudgebot::platforms {

inline const nlohmann::json* field(const nlohmann::json& j, std::string_view key)
{
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

inline std::string text_of(const nlohmann::json& j, std::string_view key)
{
    const nlohmann::json* f = field(j, key);
    return f && f->is_string() ? f->get<std::string>() : std::string{};
}

}  // namespace nudgebot::platforms
