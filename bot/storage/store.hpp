// The `store` interface: what nudgebot keeps on disk — ids, settings and counts, never text.
//
// Contract: owned by storage/. Implementations (sqlite_store; later a PostgreSQL one) are
// blocking and NOT thread-safe: exactly one thread uses a store at a time (async_store's worker in
// production, the test thread in tests). Opening a store (make_store) may throw on a bad URL or a
// failed migration — that happens at start-up only. Every other call reports failure by its return
// value (false / empty) and never throws; failures are counted in metrics
// (nudgebot_store_errors_total{op}) and logged without any user-supplied content.
//
// What is stored, per platform:
//   consent     user -> on/off, style, crisis card welcome, muted situations (after "Stop these")
//   settings    server -> watched/unwatched channels, sensitivity, disabled packs, crisis-card
//               scope, alerts channel, crisis resources (country code, workplace support line)
//   counters    day x server x category x rule x outcome -> count (no user ids)
//   notices     user -> pending one-time notices (e.g. "your DMs are closed")
//   claims      day x user x kind -> push nudges sent (shared stores only: daily caps that hold
//               across processes)
//   state       name -> value: what a platform keeps across restarts (Discord's gateway session
//               per shard for RESUME, the registered command set's hash); ids, sequence numbers
//               and hashes, never message text or tokens
// forget_user removes every row that names the user.
//
// Shared stores (PostgreSQL, used by several processes) also report the consent and settings
// rows that any process changed (take_changes), so each process's RAM copy follows within the
// async_store's poll interval, and count daily caps in the store (claim_daily).
#pragma once

#include "core/ids.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::storage {

enum class style : std::uint8_t { gentle, direct };
constexpr std::string_view to_string(style s) noexcept { return s == style::direct ? "direct" : "gentle"; }

// Who may see the crisis card: only people who opted in, or every author in watched channels.
enum class crisis_scope : std::uint8_t { opted_in, everyone };
constexpr std::string_view to_string(crisis_scope s) noexcept
{
    return s == crisis_scope::everyone ? "everyone" : "opted-in";
}

struct user_key {
    core::platform where = core::platform::discord;
    core::user_id user;
    friend auto operator<=>(const user_key&, const user_key&) = default;
};

struct server_key {
    core::platform where = core::platform::discord;
    core::server_id server;
    friend auto operator<=>(const server_key&, const server_key&) = default;
};

struct consent {
    bool enabled = false;                 // push nudges wanted
    storage::style style = style::gentle;
    bool crisis_card_welcome = true;      // "Don't show me these" on the card sets false
    std::set<std::string> muted;          // situation ids muted by "Stop these"
    friend bool operator==(const consent&, const consent&) = default;
};

struct server_settings {
    // Channel id -> watched. When any channel is explicitly watched, only watched channels are
    // (allow-list mode); otherwise every channel except the unwatched ones is.
    std::map<std::string, bool> channels;
    std::string sensitivity = "medium";   // low | medium | high
    std::set<std::string> disabled_packs;
    crisis_scope crisis = crisis_scope::opted_in;
    std::optional<core::channel_id> alerts_channel;
    // The crisis card's resources as moderators set them (/nudge-admin crisis-resources): an ISO
    // 3166 country code whose national lines the card names ("" = from the server's locale or the
    // config default), and their own employee-assistance line ("" = none). Moderator text, never
    // message text; at most crisis_text_limit bytes, one line.
    std::string crisis_country;
    std::string crisis_text;
    static constexpr std::size_t crisis_text_limit = 300;

    bool watches(const core::channel_id& channel) const
    {
        bool allow_list = false;
        for (const auto& [id, watched] : channels) allow_list = allow_list || watched;
        auto it = channels.find(channel.str());
        if (allow_list) return it != channels.end() && it->second;
        return it == channels.end() || it->second;
    }
    friend bool operator==(const server_settings&, const server_settings&) = default;
};

// One counter cell. `day` is days since 1970-01-01 UTC.
struct counter_key {
    std::int32_t day = 0;
    core::platform where = core::platform::discord;
    std::string server;     // empty for direct messages
    std::string category;   // conflict | distress | crisis | kindness | dismissal | none
    std::string rule;       // the main rule id, or "" when not about one rule
    std::string outcome;    // delivered | suppressed:<reason> | helpful | not_now | stop | undeliverable
    friend auto operator<=>(const counter_key&, const counter_key&) = default;
};

struct counter_row {
    counter_key key;
    std::uint64_t count = 0;
};

// A consent or settings row that some process changed (or deleted). Only ids.
struct change {
    enum class kind : std::uint8_t { consent, settings };
    kind what = kind::consent;
    core::platform where = core::platform::discord;
    std::string id;   // user id for consent, server id for settings; empty: any row of this
                      // kind on any platform may have changed (after a reconnect), reload all
    friend bool operator==(const change&, const change&) = default;
};

class store {
public:
    virtual ~store() = default;

    // Whether the database answers now (a cheap round trip; readiness probes). Never throws.
    virtual bool ping() { return true; }

    // True for a store several processes share: the caller must poll take_changes() and claim
    // daily caps through claim_daily(). An embedded store (SQLite) is one process's alone.
    virtual bool shared() const noexcept { return false; }
    // The rows changed since the last call, by any process including this one, oldest first;
    // waits at most `wait_ms` for the first one. Empty for an embedded store.
    virtual std::vector<change> take_changes(int wait_ms) { return {}; }
    // Counts one push nudge of `kind` (e.g. "push", "crisis", "kind") to the user on `day` if
    // fewer than `limit` were counted; false when the cap is reached or on failure. An embedded
    // store has no other process to agree with and always says yes (the RAM policy caps).
    virtual bool claim_daily(const user_key& user, std::int32_t day, std::string_view kind, std::uint32_t limit)
    {
        return true;
    }

    virtual std::optional<consent> get_consent(const user_key& user) = 0;
    virtual bool put_consent(const user_key& user, const consent& c) = 0;
    // Every user with a consent row on that platform (the start-up load).
    virtual std::vector<std::pair<core::user_id, consent>> load_consents(core::platform where) = 0;

    virtual std::optional<server_settings> get_settings(const server_key& server) = 0;
    virtual bool put_settings(const server_key& server, const server_settings& s) = 0;
    virtual std::vector<std::pair<core::server_id, server_settings>> load_settings(core::platform where) = 0;

    // Adds each row's count to its cell, all in one transaction.
    virtual bool add_counts(const std::vector<counter_row>& rows) = 0;
    // Cells of one server with first_day <= day <= last_day.
    virtual std::vector<counter_row> counts(core::platform where, const std::string& server,
                                            std::int32_t first_day, std::int32_t last_day) = 0;

    virtual bool add_notice(const user_key& user, const std::string& kind) = 0;
    // Removes and returns the user's pending notices.
    virtual std::vector<std::string> take_notices(const user_key& user) = 0;

    // Deletes every row naming the user and scrubs freed pages so the id is gone from the files.
    virtual bool forget_user(const user_key& user) = 0;

    // Platform state: every (name, value) the platform keeps, and one value set (an empty value
    // deletes the row). Names are fixed words plus ids (e.g. "gateway_session.0.4").
    virtual std::vector<std::pair<std::string, std::string>> load_state(core::platform where) = 0;
    virtual bool put_state(core::platform where, const std::string& name, const std::string& value) = 0;
};

// Header-only on purpose: nudge/ and commands/ use these types without linking storage/.
inline std::optional<style> parse_style(std::string_view s) noexcept
{
    if (s == "gentle") return style::gentle;
    if (s == "direct") return style::direct;
    return std::nullopt;
}
inline std::optional<crisis_scope> parse_crisis_scope(std::string_view s) noexcept
{
    if (s == "opted-in") return crisis_scope::opted_in;
    if (s == "everyone") return crisis_scope::everyone;
    return std::nullopt;
}

// For store implementations: muted situations are a short list of fixed ids ([a-z_]), kept
// comma-separated in one column.
std::string join_muted(const std::set<std::string>& muted);
std::set<std::string> split_muted(std::string_view text);

// Opens a store from a URL: "sqlite:PATH" (":memory:" allowed) or "postgresql://..." /
// "postgres://..." (a libpq connection URI). Throws std::runtime_error with a
// clear message on an unknown scheme or when the database cannot be opened or migrated.
std::unique_ptr<store> make_store(const std::string& url);
// The connections an async_store should run on for this URL, opened now: one for SQLite (one
// writer; more connections would only wait for its lock), postgres_store::pool_connections for
// PostgreSQL (the first migrates and listens for changes, the others join it). Throws like
// make_store.
std::vector<std::unique_ptr<store>> make_store_pool(const std::string& url);

}  // namespace nudgebot::storage
