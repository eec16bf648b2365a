// A Discord gateway session as nudgebot keeps it across a restart (runtime::kept_state), so that
// the next process RESUMEs it instead of spending an IDENTIFY; what READY and GUILD_CREATE told
// the last process (a RESUME repeats neither); and the names of the kept values.
//
// Contract: pure functions, thread-safe. The text is JSON holding the session id, the last
// sequence number handled, the resume URL and when it was saved; never the token. parse() treats
// the text as untrusted (a store another version wrote, or hand-edited): anything malformed or
// incomplete gives nullopt, never an exception.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::discord {

struct kept_session {
    std::string session_id;
    std::int64_t seq = 0;
    std::string resume_url;
    std::chrono::system_clock::time_point saved_at{};
    // The locale of each of this shard's servers (from GUILD_CREATE, which a RESUME does not
    // repeat): the crisis card's country. At most max_locales.
    std::map<std::string, std::string> locales;
    static constexpr std::size_t max_locales = 100000;

    std::string to_text() const;
    static std::optional<kept_session> parse(std::string_view text);
};

// The bot's identity from READY: after a RESUME the new process knows who it is (its own
// messages are skipped, interactions are answered as its application). The same for every
// process of one bot, so one record serves a shared store.
struct kept_identity {
    std::string bot_user_id;
    std::string application_id;

    std::string to_text() const;
    static std::optional<kept_identity> parse(std::string_view text);
};

// The shard a server belongs to: (server id >> 22) % shard count, as Discord assigns them;
// nullopt for an id that is not a number.
std::optional<std::uint32_t> shard_of(std::string_view server_id, std::uint32_t shard_count);

// "gateway_session.<shard>.<count>": a session belongs to one shard of one shard count.
std::string kept_session_name(std::uint32_t shard, std::uint32_t count);
// The registered command set's hash (command_set_hash).
inline constexpr const char* kept_commands_hash_name = "commands_hash";
inline constexpr const char* kept_identity_name = "identity";

}  // namespace nudgebot::discord
