#include "platforms/discord/commands_json.hpp"

#include "core/read_file.hpp"
#include "platforms/discord/protocol.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace nudgebot::discord {

namespace {

using json = nlohmann::json;

namespace dp = protocol;

int option_type_code(core::option_type t)
{
    switch (t) {
    case core::option_type::string: return dp::option_type::string;
    case core::option_type::integer: return dp::option_type::integer;
    case core::option_type::boolean: return dp::option_type::boolean;
    case core::option_type::channel: return dp::option_type::channel;
    }
    return dp::option_type::string;
}

// Where a channel option may point: text channels, announcements, threads and forums.
const json& text_channel_types()
{
    static const json types = json::array({dp::channel_type::guild_text, dp::channel_type::guild_announcement,
                                           dp::channel_type::announcement_thread, dp::channel_type::public_thread,
                                           dp::channel_type::private_thread, dp::channel_type::guild_forum});
    return types;
}

json option_json(const core::command_option& o)
{
    json j{{"type", option_type_code(o.type)}, {"name", o.name}, {"description", o.description}};
    if (o.required) j["required"] = true;
    if (!o.choices.empty()) {
        json choices = json::array();
        for (const auto& c : o.choices) {
            json value = c.value;
            if (o.type == core::option_type::integer) {
                try {
                    value = std::stoll(c.value);
                } catch (...) {
                    // start-up data from command_spec.cpp; a non-number stays text and Discord says why
                }
            }
            choices.push_back({{"name", c.name}, {"value", value}});
        }
        j["choices"] = std::move(choices);
    }
    if (o.min_value) j["min_value"] = *o.min_value;
    if (o.max_value) j["max_value"] = *o.max_value;
    if (o.max_length) j["max_length"] = *o.max_length;
    if (o.type == core::option_type::channel) j["channel_types"] = text_channel_types();
    return j;
}

json subcommand_json(const core::subcommand& s)
{
    json j{{"type", dp::option_type::sub_command}, {"name", s.name}, {"description", s.description}};
    json options = json::array();
    for (const auto& o : s.options) options.push_back(option_json(o));
    if (!options.empty()) j["options"] = std::move(options);
    return j;
}

}  // namespace

json to_discord_commands(const std::vector<core::command_spec>& commands)
{
    json out = json::array();
    for (const auto& c : commands) {
        json j;
        if (c.kind == core::command_kind::message) {
            // Message commands are named by what the context menu shows and have no description.
            j = json{{"type", dp::command_type::message}, {"name", c.display_name.empty() ? c.name : c.display_name}};
        } else {
            j = json{{"type", dp::command_type::chat_input}, {"name", c.name}, {"description", c.description}};
            json options = json::array();
            for (const auto& g : c.groups) {
                json group{{"type", dp::option_type::sub_command_group}, {"name", g.name}, {"description", g.description}};
                json subs = json::array();
                for (const auto& s : g.subcommands) subs.push_back(subcommand_json(s));
                group["options"] = std::move(subs);
                options.push_back(std::move(group));
            }
            for (const auto& s : c.subcommands) options.push_back(subcommand_json(s));
            if (!options.empty()) j["options"] = std::move(options);
        }
        if (c.moderator_only) j["default_member_permissions"] = std::to_string(dp::permission::manage_guild);
        j["contexts"] = c.moderator_only ? json::array({dp::context_type::guild})
                                         : json::array({dp::context_type::guild, dp::context_type::bot_dm});
        out.push_back(std::move(j));
    }
    return out;
}

std::string command_set_hash(const json& commands, const std::optional<std::string>& guild)
{
    std::string material = (guild ? "guild:" + *guild : std::string("global")) + "\n" + commands.dump();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(material.data(), material.size(), digest, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string read_command_hash(const std::string& state_file)
{
    auto file = core::read_file(state_file, "state file");
    if (!file.ok()) return {};
    auto j = json::parse(file.text, nullptr, false);
    if (!j.is_object()) return {};
    auto it = j.find("discord_commands_hash");
    if (it == j.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

bool write_command_hash(const std::string& state_file, const std::string& hash)
{
    json j = json::object();
    if (auto file = core::read_file(state_file, "state file"); file.ok()) {
        auto old = json::parse(file.text, nullptr, false);
        if (old.is_object()) j = std::move(old);
    }
    j["discord_commands_hash"] = hash;
    const std::string tmp = state_file + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return false;
        out << j.dump(2) << '\n';
        if (!out.flush()) return false;
    }
    return std::rename(tmp.c_str(), state_file.c_str()) == 0;
}

}  // namespace nudgebot::discord
