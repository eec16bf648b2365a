#include "platforms/slack/workspace_locale.hpp"

#include "platforms/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace nudgebot::slack {

using json = nlohmann::json;
using platforms::field;
using platforms::text_of;

namespace {

bool flag(const json& j, const char* key)
{
    const json* f = field(j, key);
    return f && f->is_boolean() && f->get<bool>();
}

bool letter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool alnum(char c) noexcept { return letter(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool plausible_locale(const std::string& locale) noexcept
{
    if (locale.size() < 2 || locale.size() > 16) return false;
    std::size_t part = 0, len = 0;
    for (char c : locale) {
        if (c == '-' || c == '_') {
            if (len == 0) return false;
            ++part;
            len = 0;
            continue;
        }
        // The language is letters only; later parts (script, region) may hold digits ("es-419").
        if (part == 0 ? !letter(c) : !alnum(c)) return false;
        ++len;
    }
    return len > 0;
}

std::string workspace_locale::add_page(const json& body)
{
    const json* members = field(body, "members");
    if (members && members->is_array()) {
        for (const auto& m : *members) {
            if (!m.is_object() || flag(m, "is_bot") || flag(m, "deleted") || text_of(m, "id") == "USLACKBOT") continue;
            auto locale = text_of(m, "locale");
            if (!plausible_locale(locale)) continue;
            if (flag(m, "is_primary_owner") && owner_.empty()) owner_ = locale;
            ++counted_;
            bool seen = false;
            for (auto& [l, n] : counts_)
                if (l == locale) {
                    ++n;
                    seen = true;
                    break;
                }
            // A workspace has a handful of locales; the list stays short however many members there are.
            if (!seen && counts_.size() < 64) counts_.emplace_back(locale, 1);
        }
    }
    const json* meta = field(body, "response_metadata");
    return meta ? text_of(*meta, "next_cursor") : std::string{};
}

std::string workspace_locale::result() const
{
    if (!owner_.empty()) return owner_;
    const std::pair<std::string, std::size_t>* best = nullptr;
    for (const auto& c : counts_)
        if (!best || c.second > best->second) best = &c;
    return best ? best->first : std::string{};
}

}  // namespace nudgebot::slack
