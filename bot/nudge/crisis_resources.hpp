// Crisis resources that fit where people are: the national helplines the crisis card names, by
// country, and how a server's locale maps to a country.
//
// Contract: owned by nudge/. load_crisis_resources() runs at start-up and reports every mistake in
// the file (rules/crisis_resources.json) as `FILE:LINE:COL: error: ...`. A directory is immutable
// after loading (thread-safe to read). Every entry names its source in the file; a country whose
// line could not be confirmed is left out, and the card then falls back to the neutral wording.
// Choosing a country: a moderator's choice, else the server's locale (when the platform gives
// one), else the configured default, else none (neutral card).
#pragma once

#include "core/diagnostics.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::nudge {

struct crisis_line {
    std::string country_name;   // "Germany", "the United Kingdom"
    std::string line;           // "call TelefonSeelsorge free on 0800 111 0 111 or 0800 111 0 222, 24/7"
    std::string source;         // where the number was confirmed
};

struct crisis_directory {
    std::map<std::string, crisis_line> countries;        // ISO 3166-1 alpha-2, upper case
    std::map<std::string, std::string> locale_countries; // language-only locale ("de") -> country

    const crisis_line* find(std::string_view country) const;

    // "en-US" / "en_GB" / "pt-BR" -> the region; "de" -> the table; "es-419" or unknown -> "".
    std::string country_of_locale(std::string_view locale) const;
};

std::optional<crisis_directory> parse_crisis_resources(std::string_view text, const std::string& file_name,
                                                       core::diagnostics& diags);
std::optional<crisis_directory> load_crisis_resources(const std::string& path, core::diagnostics& diags);

// Where the file lives for a language folder of rule packs: beside it ("rules/en" ->
// "rules/crisis_resources.json"), so the pack loader never reads it as a pack.
std::string crisis_resources_path(const std::string& rules_dir);

// Upper-cased two-letter code, or nullopt when `code` is not two ASCII letters.
std::optional<std::string> normal_country_code(std::string_view code);

// A moderator's own support line, made safe to show: one line, no mass mentions, at most `limit`
// bytes. nullopt when nothing is left or it cannot be made safe.
std::optional<std::string> clean_workplace_line(std::string_view text, std::size_t limit);

}  // namespace nudgebot::nudge
