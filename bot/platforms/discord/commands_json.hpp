// Turns the platform-neutral command set (core/command_spec.hpp) into Discord application commands
// and decides whether registration is needed.
//
// Contract: pure functions, thread-safe. Moderator-only commands get default_member_permissions
// "32" (MANAGE_GUILD); commands/ checks the permission again on every invocation. The hash covers
// the JSON and the scope (global or guild id), so moving to another dev guild registers again.
#pragma once

#include "core/command_spec.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace nudgebot::discord {

nlohmann::json to_discord_commands(const std::vector<core::command_spec>& commands);

// Hex SHA-256 of the canonical JSON text and the scope ("global" or "guild:<id>").
std::string command_set_hash(const nlohmann::json& commands, const std::optional<std::string>& guild);

// The hash stored in the state file, or empty when the file is missing or unreadable.
std::string read_command_hash(const std::string& state_file);

// Writes the hash into the state file (other keys kept), atomically via rename. False on failure.
bool write_command_hash(const std::string& state_file, const std::string& hash);

}  // namespace nudgebot::discord
