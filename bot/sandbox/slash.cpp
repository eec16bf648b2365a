#include "sandbox/slash.hpp"

#include "core/command_spec.hpp"
#include "platforms/discord/protocol.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace nudgebot::sandbox {

namespace {

using json = nlohmann::json;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Splits off the first whitespace-separated word.
std::string_view next_word(std::string_view& rest)
{
    rest = trim(rest);
    auto end = rest.find_first_of(" \t\n");
    auto word = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    return word;
}

int discord_type(core::option_type t)
{
    switch (t) {
    case core::option_type::string: return discord::protocol::option_type::string;
    case core::option_type::integer: return discord::protocol::option_type::integer;
    case core::option_type::boolean: return discord::protocol::option_type::boolean;
    case core::option_type::channel: return discord::protocol::option_type::channel;
    }
    return discord::protocol::option_type::string;
}

// Converts one typed value into the option's JSON value; error text on failure.
std::optional<json> convert(const core::command_option& o, std::string_view raw, const channel_lookup& channels,
                            std::string& error)
{
    std::string v(trim(raw));
    if (v.empty()) {
        error = "option " + o.name + " needs a value";
        return std::nullopt;
    }
    switch (o.type) {
    case core::option_type::boolean: {
        std::string l = v;
        std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
        if (l == "true" || l == "yes" || l == "on") return json(true);
        if (l == "false" || l == "no" || l == "off") return json(false);
        error = "option " + o.name + " is true or false";
        return std::nullopt;
    }
    case core::option_type::integer: {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc{} || p != v.data() + v.size()) {
            error = "option " + o.name + " is a whole number";
            return std::nullopt;
        }
        if ((o.min_value && n < *o.min_value) || (o.max_value && n > *o.max_value)) {
            error = "option " + o.name + " must be between " + std::to_string(o.min_value.value_or(n)) + " and " +
                    std::to_string(o.max_value.value_or(n));
            return std::nullopt;
        }
        return json(n);
    }
    case core::option_type::channel: {
        std::string_view name(v);
        if (!name.empty() && name.front() == '#') name.remove_prefix(1);
        if (auto id = channels ? channels(name) : std::nullopt) return json(*id);
        error = "there is no channel #" + std::string(name);
        return std::nullopt;
    }
    case core::option_type::string:
        break;
    }
    if (!o.choices.empty()) {
        for (const auto& c : o.choices)
            if (c.value == v || c.name == v) return json(c.value);
        std::string allowed;
        for (const auto& c : o.choices) allowed += (allowed.empty() ? "" : ", ") + c.value;
        error = "option " + o.name + " is one of: " + allowed;
        return std::nullopt;
    }
    if (o.max_length && v.size() > *o.max_length) {
        error = "option " + o.name + " is at most " + std::to_string(*o.max_length) + " characters";
        return std::nullopt;
    }
    return json(v);
}

// Finds "name:" for a known option at a word start; returns the position or npos.
std::size_t find_named(std::string_view text, const std::vector<core::command_option>& opts, std::size_t from,
                       const core::command_option** which)
{
    std::size_t best = std::string_view::npos;
    for (const auto& o : opts) {
        auto key = o.name + ":";
        for (auto pos = text.find(key, from); pos != std::string_view::npos; pos = text.find(key, pos + 1)) {
            if (pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\t') {
                if (pos < best) {
                    best = pos;
                    *which = &o;
                }
                break;
            }
        }
    }
    return best;
}

}  // namespace

slash_result parse_slash(std::string_view line, const channel_lookup& channel_id_of)
{
    slash_result out;
    std::string_view rest = trim(line);
    if (rest.empty() || rest.front() != '/') {
        out.error = "a command starts with /";
        return out;
    }
    rest.remove_prefix(1);
    auto name = next_word(rest);
    const core::command_spec* spec = core::find_command(name);
    if (!spec || spec->kind != core::command_kind::slash) {
        std::string known;
        for (const auto& c : core::nudgebot_commands())
            if (c.kind == core::command_kind::slash) known += (known.empty() ? "/" : ", /") + c.name;
        out.error = "unknown command /" + std::string(name) + " (try " + known + ")";
        return out;
    }
    out.name = spec->name;

    // Subcommand group, then subcommand.
    std::vector<std::string> path;
    const core::subcommand* sub = nullptr;
    auto first = std::string(next_word(rest));
    for (const auto& g : spec->groups) {
        if (g.name != first) continue;
        path.push_back(first);
        auto second = std::string(next_word(rest));
        for (const auto& s : g.subcommands)
            if (s.name == second) sub = &s;
        if (!sub) {
            std::string known;
            for (const auto& s : g.subcommands) known += (known.empty() ? "" : ", ") + s.name;
            out.error = "/" + spec->name + " " + first + " needs one of: " + known;
            return out;
        }
        path.push_back(second);
    }
    if (path.empty()) {
        for (const auto& s : spec->subcommands)
            if (s.name == first) sub = &s;
        if (!sub) {
            std::string known;
            for (const auto& g : spec->groups) known += (known.empty() ? "" : ", ") + g.name;
            for (const auto& s : spec->subcommands) known += (known.empty() ? "" : ", ") + s.name;
            out.error = first.empty() ? "/" + spec->name + " needs one of: " + known
                                      : "/" + spec->name + " has no " + first + " (try " + known + ")";
            return out;
        }
        path.push_back(first);
    }

    // Options.
    std::vector<std::pair<const core::command_option*, std::string>> given;
    std::string_view text = trim(rest);
    const core::command_option* which = nullptr;
    auto at = find_named(text, sub->options, 0, &which);
    if (at != std::string_view::npos && trim(text.substr(0, at)).empty()) {
        while (at != std::string_view::npos) {
            const auto* current = which;
            auto value_from = at + current->name.size() + 1;
            const core::command_option* next_which = nullptr;
            auto next_at = find_named(text, sub->options, value_from, &next_which);
            given.emplace_back(current, std::string(trim(text.substr(value_from, next_at == std::string_view::npos
                                                                                       ? std::string_view::npos
                                                                                       : next_at - value_from))));
            at = next_at;
            which = next_which;
        }
    } else {
        std::string_view words = text;
        for (std::size_t i = 0; i < sub->options.size() && !trim(words).empty(); ++i) {
            if (i + 1 == sub->options.size()) {
                given.emplace_back(&sub->options[i], std::string(trim(words)));
                words = {};
            } else {
                given.emplace_back(&sub->options[i], std::string(next_word(words)));
            }
        }
        if (!trim(words).empty()) {
            out.error = "/" + spec->name + " " + path.back() + " takes no more than " +
                        std::to_string(sub->options.size()) + " option(s)";
            return out;
        }
    }

    json values = json::array();
    for (const auto& o : sub->options) {
        auto it = std::find_if(given.begin(), given.end(), [&](const auto& g) { return g.first == &o; });
        if (it == given.end()) {
            if (o.required) {
                out.error = "/" + spec->name + " " + path.back() + " needs " + o.name;
                return out;
            }
            continue;
        }
        auto v = convert(o, it->second, channel_id_of, out.error);
        if (!v) return out;
        values.push_back({{"name", o.name}, {"type", discord_type(o.type)}, {"value", *v}});
    }

    json leaf{{"name", path.back()}, {"type", discord::protocol::option_type::sub_command}, {"options", std::move(values)}};
    if (path.size() == 2)
        out.options = json::array({{{"name", path[0]}, {"type", discord::protocol::option_type::sub_command_group}, {"options", json::array({std::move(leaf)})}}});
    else
        out.options = json::array({std::move(leaf)});
    out.ok = true;
    return out;
}

}  // namespace nudgebot::sandbox
