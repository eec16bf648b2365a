#include "core/command_text.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>

namespace nudgebot::core {

namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Splits off the next word (a "double quoted" word may hold spaces); `rest` keeps the remainder.
std::string_view skip_space(std::string_view s)
{
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    return s;
}

std::string next_word(std::string_view& rest)
{
    rest = skip_space(rest);
    if (rest.empty()) return {};
    if (rest.front() == '"') {
        auto end = rest.find('"', 1);
        if (end != std::string_view::npos) {
            std::string w(rest.substr(1, end - 1));
            rest.remove_prefix(end + 1);
            return w;
        }
    }
    std::size_t n = 0;
    while (n < rest.size() && !space(rest[n])) ++n;
    std::string w(rest.substr(0, n));
    rest.remove_prefix(n);
    return w;
}

bool takes_rest(const command_option& o) { return o.type == option_type::string && o.max_length && o.choices.empty(); }

std::string usage_line(const std::string& name, const std::vector<std::string>& path, const subcommand& s)
{
    std::string line = "/" + name;
    for (const auto& p : path) line += " " + p;
    for (const auto& o : s.options) line += o.required ? " <" + o.name + ">" : " [" + o.name + "]";
    return line;
}

// Normalises one typed value for its option; nullopt with `why` set when it is not acceptable.
std::optional<std::string> value_for(const command_option& o, std::string typed, const channel_ref_fn& channel_ref,
                                     std::string& why)
{
    switch (o.type) {
    case option_type::boolean: {
        auto v = lower(typed);
        if (v == "true" || v == "yes" || v == "on" || v == "1") return std::string("true");
        if (v == "false" || v == "no" || v == "off" || v == "0") return std::string("false");
        why = "`" + o.name + "` takes yes or no.";
        return std::nullopt;
    }
    case option_type::integer: {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(typed.data(), typed.data() + typed.size(), n);
        if (ec != std::errc{} || p != typed.data() + typed.size() || (o.min_value && n < *o.min_value) ||
            (o.max_value && n > *o.max_value)) {
            why = "`" + o.name + "` takes a whole number";
            if (o.min_value && o.max_value)
                why += " from " + std::to_string(*o.min_value) + " to " + std::to_string(*o.max_value);
            why += ".";
            return std::nullopt;
        }
        return std::to_string(n);
    }
    case option_type::channel: {
        if (!channel_ref) return typed;
        auto id = channel_ref(typed);
        if (!id || id->empty()) {
            why = "`" + o.name + "` takes a channel, e.g. #general.";
            return std::nullopt;
        }
        return id;
    }
    case option_type::string:
        if (!o.choices.empty()) {
            auto v = lower(typed);
            for (const auto& c : o.choices)
                if (lower(c.value) == v || lower(c.name) == v) return c.value;
            why = "`" + o.name + "` takes one of:";
            for (const auto& c : o.choices) why += " " + c.value;
            why += ".";
            return std::nullopt;
        }
        if (o.max_length && typed.size() > *o.max_length) {
            why = "`" + o.name + "` is too long (at most " + std::to_string(*o.max_length) + " characters).";
            return std::nullopt;
        }
        return typed;
    }
    return typed;
}

}  // namespace

std::string command_usage(const command_spec& command)
{
    std::string out;
    for (const auto& g : command.groups)
        for (const auto& s : g.subcommands) out += usage_line(command.name, {g.name, s.name}, s) + "\n";
    for (const auto& s : command.subcommands) out += usage_line(command.name, {s.name}, s) + "\n";
    return out;
}

parsed_command_text parse_command_text(const command_spec& command, std::string_view text,
                                       const channel_ref_fn& channel_ref)
{
    parsed_command_text out;
    auto fail = [&](std::string why) {
        out.ok = false;
        out.path.clear();
        out.options.clear();
        out.error = std::move(why) + "\nUsage:\n" + command_usage(command);
        return out;
    };
    std::string_view rest = text;
    auto first = lower(next_word(rest));
    if (first.empty()) {
        for (const auto& s : command.subcommands)
            if (s.name == "help") {
                out.ok = true;
                out.path = {"help"};
                return out;
            }
        return fail("Please name a subcommand.");
    }
    const subcommand* sub = nullptr;
    for (const auto& g : command.groups) {
        if (g.name != first) continue;
        auto second = lower(next_word(rest));
        for (const auto& s : g.subcommands)
            if (s.name == second) {
                sub = &s;
                out.path = {g.name, s.name};
            }
        if (!sub) return fail("`" + g.name + "` needs one of its subcommands.");
    }
    if (!sub)
        for (const auto& s : command.subcommands)
            if (s.name == first) {
                sub = &s;
                out.path = {s.name};
            }
    if (!sub) return fail("That is not a subcommand of /" + command.name + ".");

    std::size_t positional = 0;
    for (;;) {
        rest = skip_space(rest);
        if (rest.empty()) break;
        // A named option?
        const command_option* named = nullptr;
        std::string_view after_name;
        for (const auto& o : sub->options) {
            if (rest.size() > o.name.size() && lower(rest.substr(0, o.name.size())) == o.name &&
                (rest[o.name.size()] == ':' || rest[o.name.size()] == '=')) {
                named = &o;
                after_name = rest.substr(o.name.size() + 1);
                break;
            }
        }
        const command_option* opt = named;
        if (!opt) {
            while (positional < sub->options.size() && out.options.count(sub->options[positional].name)) ++positional;
            if (positional >= sub->options.size()) return fail("That subcommand takes fewer values.");
            opt = &sub->options[positional];
        } else {
            rest = after_name;
        }
        std::string typed;
        if (takes_rest(*opt)) {
            typed = std::string(skip_space(rest));
            while (!typed.empty() && space(typed.back())) typed.pop_back();
            rest = {};
        } else {
            typed = next_word(rest);
        }
        if (typed.empty()) return fail("`" + opt->name + "` needs a value.");
        std::string why;
        auto v = value_for(*opt, std::move(typed), channel_ref, why);
        if (!v) return fail(why);
        out.options[opt->name] = std::move(*v);
    }
    for (const auto& o : sub->options)
        if (o.required && !out.options.count(o.name)) return fail("`" + o.name + "` is required.");
    out.ok = true;
    return out;
}

}  // namespace nudgebot::core
