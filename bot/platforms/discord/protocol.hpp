// Discord's numeric protocol constants in one place: gateway opcodes, close codes, intents,
// interaction and callback types, application-command and option types, component types,
// message types and flags, channel types, permission bits.
//
// Contract: constants only (no code, no includes beyond <cstdint>), values as documented by
// Discord for API v10. The Discord adapter, the sandbox's Discord emulator and the test fakes
// include this header instead of writing the numbers themselves, so a wrong number is wrong
// everywhere at once and is caught by the conformance tests between them.
#pragma once

#include <cstdint>

namespace nudgebot::discord::protocol {

// Gateway opcodes (the "op" field of every gateway frame).
namespace op {
inline constexpr int dispatch = 0;
inline constexpr int heartbeat = 1;
inline constexpr int identify = 2;
inline constexpr int presence_update = 3;
inline constexpr int voice_state_update = 4;
inline constexpr int resume = 6;
inline constexpr int reconnect = 7;
inline constexpr int request_guild_members = 8;
inline constexpr int invalid_session = 9;
inline constexpr int hello = 10;
inline constexpr int heartbeat_ack = 11;
}  // namespace op

// Gateway close codes. 1000/1001 end the session; every other code lets the client resume.
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t unknown_error = 4000;
inline constexpr std::uint16_t unknown_opcode = 4001;
inline constexpr std::uint16_t decode_error = 4002;
inline constexpr std::uint16_t not_authenticated = 4003;
inline constexpr std::uint16_t authentication_failed = 4004;
inline constexpr std::uint16_t already_authenticated = 4005;
inline constexpr std::uint16_t invalid_seq = 4007;
inline constexpr std::uint16_t rate_limited = 4008;
inline constexpr std::uint16_t session_timed_out = 4009;
inline constexpr std::uint16_t invalid_shard = 4010;
inline constexpr std::uint16_t sharding_required = 4011;
inline constexpr std::uint16_t invalid_api_version = 4012;
inline constexpr std::uint16_t invalid_intents = 4013;
inline constexpr std::uint16_t disallowed_intents = 4014;

// 4004 and 4010–4014: reconnecting cannot help.
constexpr bool is_fatal(int code) noexcept
{
    return code == authentication_failed || (code >= invalid_shard && code <= disallowed_intents);
}
}  // namespace close_code

// Gateway intents (IDENTIFY's "intents" bitset).
namespace intent {
inline constexpr std::uint64_t guilds = 1ull << 0;
inline constexpr std::uint64_t guild_members = 1ull << 1;
inline constexpr std::uint64_t guild_messages = 1ull << 9;
inline constexpr std::uint64_t guild_message_reactions = 1ull << 10;
inline constexpr std::uint64_t direct_messages = 1ull << 12;
inline constexpr std::uint64_t message_content = 1ull << 15;   // privileged
}  // namespace intent

// Interaction types (INTERACTION_CREATE's "type").
namespace interaction_type {
inline constexpr int ping = 1;
inline constexpr int application_command = 2;
inline constexpr int message_component = 3;
inline constexpr int autocomplete = 4;
inline constexpr int modal_submit = 5;
}  // namespace interaction_type

// Interaction callback types (POST /interactions/{id}/{token}/callback "type").
namespace callback_type {
inline constexpr int pong = 1;
inline constexpr int channel_message = 4;
inline constexpr int deferred_channel_message = 5;
inline constexpr int deferred_update_message = 6;
inline constexpr int update_message = 7;
}  // namespace callback_type

// Application command types.
namespace command_type {
inline constexpr int chat_input = 1;
inline constexpr int user = 2;
inline constexpr int message = 3;
}  // namespace command_type

// Application command option types.
namespace option_type {
inline constexpr int sub_command = 1;
inline constexpr int sub_command_group = 2;
inline constexpr int string = 3;
inline constexpr int integer = 4;
inline constexpr int boolean = 5;
inline constexpr int user = 6;
inline constexpr int channel = 7;
inline constexpr int role = 8;
inline constexpr int mentionable = 9;
inline constexpr int number = 10;
inline constexpr int attachment = 11;
}  // namespace option_type

// Message component types and button styles.
namespace component_type {
inline constexpr int action_row = 1;
inline constexpr int button = 2;
}  // namespace component_type
namespace button_style {
inline constexpr int primary = 1;
inline constexpr int secondary = 2;
inline constexpr int success = 3;
inline constexpr int danger = 4;
inline constexpr int link = 5;
}  // namespace button_style

// Message types and flags.
namespace message_type {
inline constexpr int normal = 0;
inline constexpr int reply = 19;
inline constexpr int chat_input_command = 20;
}  // namespace message_type
namespace message_reference_type {
inline constexpr int reply = 0;   // DEFAULT: a reply to the referenced message
inline constexpr int forward = 1;
}  // namespace message_reference_type
namespace message_flag {
inline constexpr int ephemeral = 1 << 6;   // 64
}  // namespace message_flag

// Channel types.
namespace channel_type {
inline constexpr int guild_text = 0;
inline constexpr int dm = 1;
inline constexpr int guild_announcement = 5;
inline constexpr int announcement_thread = 10;
inline constexpr int public_thread = 11;
inline constexpr int private_thread = 12;
inline constexpr int guild_forum = 15;
}  // namespace channel_type

// Permission bits (decimal text on the wire).
namespace permission {
inline constexpr std::uint64_t administrator = 1ull << 3;
inline constexpr std::uint64_t manage_guild = 1ull << 5;
inline constexpr std::uint64_t view_channel = 1ull << 10;
inline constexpr std::uint64_t send_messages = 1ull << 11;
inline constexpr std::uint64_t manage_messages = 1ull << 13;
inline constexpr std::uint64_t read_message_history = 1ull << 16;
inline constexpr std::uint64_t use_application_commands = 1ull << 31;
}  // namespace permission

// Interaction context types (where a command may be used).
namespace context_type {
inline constexpr int guild = 0;
inline constexpr int bot_dm = 1;
}  // namespace context_type

// JSON error codes the bot reacts to.
namespace error_code {
inline constexpr int interaction_already_acknowledged = 40060;
inline constexpr int cannot_send_to_user = 50007;   // DMs closed
}  // namespace error_code

}  // namespace nudgebot::discord::protocol
