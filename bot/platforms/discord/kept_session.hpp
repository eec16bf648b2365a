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

    std::string to_text() const;
    static std::optional<kept_session> parse(std::string_view text);
};

// The bot's identity from READY and each server's locale from GUILD_CREATE: after a RESUME the
// new process knows who it is (its own messages are skipped, interactions are answered as its
// application) and which language each server speaks (the crisis card's country). At most
// max_locales servers are kept.
struct kept_identity {
    std::string bot_user_id;
    std::string application_id;
    std::map<std::string, std::string> locales;   // server id -> preferred locale
    static constexpr std::size_t max_locales = 100000;

    std::string to_text() const;
    static std::optional<kept_identity> parse(std::string_view text);
};

// "gateway_session.<shard>.<count>": a session belongs to one shard of one shard count.
std::string kept_session_name(std::uint32_t shard, std::uint32_t count);
// The registered command set's hash (command_set_hash).
inline constexpr const char* kept_commands_hash_name = "commands_hash";
inline constexpr const char* kept_identity_name = "identity";

}  // namespace nudgebot::discord
