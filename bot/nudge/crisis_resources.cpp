#include "nudge/crisis_resources.hpp"

#include "core/json_document.hpp"
#include "core/read_file.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace nudgebot::nudge {

using core::json_document;

const crisis_line* crisis_directory::find(std::string_view country) const
{
    auto it = countries.find(std::string(country));
    return it == countries.end() ? nullptr : &it->second;
}

std::optional<std::string> normal_country_code(std::string_view code)
{
    if (code.size() != 2) return std::nullopt;
    std::string out;
    for (char c : code) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c < 'A' || c > 'Z') return std::nullopt;
        out.push_back(c);
    }
    return out;
}

std::string crisis_directory::country_of_locale(std::string_view locale) const
{
    auto sep = locale.find_first_of("-_");
    if (sep != std::string_view::npos) {
        if (auto region = normal_country_code(locale.substr(sep + 1))) return *region;
        return {};   // "es-419": a region of several countries
    }
    std::string lang;
    for (char c : locale) lang.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    auto it = locale_countries.find(lang);
    return it == locale_countries.end() ? std::string() : it->second;
}

std::optional<std::string> clean_workplace_line(std::string_view text, std::size_t limit)
{
    std::string out;
    for (char c : text) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) continue;
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out.push_back(c);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.empty() || out.size() > limit) return std::nullopt;
    // The card reaches one person, but a ping inside it would still notify others.
    for (std::string_view ping : {"@everyone", "@here", "<@", "<!", "<#"})
        if (out.find(ping) != std::string::npos) return std::nullopt;
    return out;
}

std::optional<crisis_directory> parse_crisis_resources(std::string_view text, const std::string& file_name,
                                                       core::diagnostics& diags)
{
    auto doc = json_document::parse(text, file_name, diags);
    if (!doc) return std::nullopt;
    auto errors = [&diags] {
        std::size_t n = 0;
        for (const auto& d : diags.items()) n += d.severity == core::severity::error;
        return n;
    };
    const auto errors_before = errors();
    crisis_directory dir;
    doc->check_keys("", {"countries", "locale_countries"}, diags);
    if (const auto* countries = doc->expect_object("/countries", diags, true)) {
        for (const auto& [code, _] : countries->items()) {
            auto at = json_document::child("/countries", code);
            auto normal = normal_country_code(code);
            if (!normal || *normal != code) {
                doc->error_at_key(at, "\"" + code + "\" is not an upper-case ISO 3166 country code", diags);
                continue;
            }
            doc->check_keys(at, {"name", "line", "source"}, diags);
            crisis_line line;
            if (const auto* s = doc->expect_string(json_document::child(at, "name"), diags, true)) line.country_name = *s;
            if (const auto* s = doc->expect_string(json_document::child(at, "line"), diags, true)) line.line = *s;
            if (const auto* s = doc->expect_string(json_document::child(at, "source"), diags, true)) {
                line.source = *s;
                if (s->rfind("https://", 0) != 0 && s->rfind("http://", 0) != 0)
                    doc->error_at(json_document::child(at, "source"), "the source must be a web address", diags);
            }
            if (line.line.empty() || line.line.size() > 200)
                doc->error_at(json_document::child(at, "line"), "a line must have 1 to 200 characters", diags);
            dir.countries.emplace(code, std::move(line));
        }
    }
    if (const auto* locales = doc->expect_object("/locale_countries", diags)) {
        for (const auto& [lang, _] : locales->items()) {
            auto at = json_document::child("/locale_countries", lang);
            if (const auto* s = doc->expect_string(at, diags)) {
                if (!dir.countries.count(*s))
                    doc->error_at(at, "no country \"" + *s + "\" in countries", diags);
                else
                    dir.locale_countries[lang] = *s;
            }
        }
    }
    if (errors() > errors_before) return std::nullopt;
    return dir;
}

std::optional<crisis_directory> load_crisis_resources(const std::string& path, core::diagnostics& diags)
{
    auto text = core::read_file(path, diags, "crisis resources file");
    if (!text) return std::nullopt;
    return parse_crisis_resources(*text, path, diags);
}

}  // namespace nudgebot::nudge

namespace nudgebot::nudge {

std::string crisis_resources_path(const std::string& rules_dir)
{
    auto dir = std::filesystem::path(rules_dir);
    if (!dir.has_filename()) dir = dir.parent_path();   // "rules/en/"
    return (dir.parent_path() / "crisis_resources.json").string();
}

}  // namespace nudgebot::nudge
