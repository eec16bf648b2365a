// PostgreSQL implementation of storage::store — one database shared by several nudgebot
// processes ("postgresql://..." or "postgres://...", a libpq connection URI).
//
// Contract: owned by storage/. Like every store, used by one thread at a time (async_store's
// worker). The constructor connects, takes a session advisory lock while it applies the versioned
// migrations (so processes starting together migrate once), prepares every statement and LISTENs
// for row changes; it throws std::runtime_error on failure (start-up only). After that calls never
// throw: a lost connection is reset and the call retried once, failures are counted
// (nudgebot_store_errors_total{op}) and logged with PostgreSQL's primary message and SQLSTATE
// only (never parameter values, never the URL, which may hold a password).
//
// Sharing: every write of a consent or settings row sends NOTIFY in the same statement, so it is
// delivered exactly when the write commits; take_changes() returns those notifications (from
// every process, this one included), which async_store turns into RAM refreshes. Daily caps are
// counted in the `claims` table with one atomic upsert (claim_daily). Server settings are one
// JSON document per server, so new settings fields need no schema migration. Only this file's
// .cpp includes <libpq-fe.h>.
#pragma once

#include "storage/store.hpp"

#include <string>

struct pg_conn;

namespace nudgebot::storage {

class postgres_store final : public store {
public:
    // primary: applies the migrations and LISTENs for changes (one per process). helper: another
    // connection of the same process's pool (make_store_pool) after the primary: it prepares its
    // statements and neither migrates nor listens.
    enum class role : std::uint8_t { primary, helper };
    // Connections async_store runs on: one for durable writes and reads in order, two that take
    // daily claims and counter batches while the first waits for the disk.
    static constexpr std::size_t pool_connections = 3;

    explicit postgres_store(std::string url, role r = role::primary);
    ~postgres_store() override;
    postgres_store(const postgres_store&) = delete;
    postgres_store& operator=(const postgres_store&) = delete;

    std::optional<consent> get_consent(const user_key& user) override;
    bool put_consent(const user_key& user, const consent& c) override;
    std::vector<std::pair<core::user_id, consent>> load_consents(core::platform where) override;

    std::optional<server_settings> get_settings(const server_key& server) override;
    bool put_settings(const server_key& server, const server_settings& s) override;
    std::vector<std::pair<core::server_id, server_settings>> load_settings(core::platform where) override;

    bool add_counts(const std::vector<counter_row>& rows) override;
    std::vector<counter_row> counts(core::platform where, const std::string& server,
                                    std::int32_t first_day, std::int32_t last_day) override;

    bool add_notice(const user_key& user, const std::string& kind) override;
    std::vector<std::string> take_notices(const user_key& user) override;

    bool forget_user(const user_key& user) override;

    std::vector<std::pair<std::string, std::string>> load_state(core::platform where) override;
    bool put_state(core::platform where, const std::string& name, const std::string& value) override;

    bool ping() override;
    bool shared() const noexcept override { return true; }
    std::vector<change> take_changes(int wait_ms) override;
    bool claim_daily(const user_key& user, std::int32_t day, std::string_view kind, std::uint32_t limit) override;

    // The connection's synchronous_commit setting ("on" unless the server's default differs;
    // tests check that no statement leaves it changed).
    std::string synchronous_commit();
    // The schema version after migrations (tests, `nudgebot config check`).
    int schema_version();
    static int latest_schema_version();

private:
    class result;
    void prepare();                      // prepare every statement and LISTEN; sets prepared_
    bool ready();                        // connected and prepared, resetting a dropped connection
    result run(const char* statement, const std::vector<std::string>& params, const char* op);
    bool exec(const char* sql, const char* op);
    void fail(const char* op, const char* why);
    void collect_notifications();

    std::string url_;
    bool listens_ = true;
    pg_conn* conn_ = nullptr;
    std::vector<change> changes_;        // received but not yet taken
    bool prepared_ = false;
    bool lost_changes_ = false;          // a reconnect may have missed notifications
    std::int32_t swept_day_ = -1;        // the day old claims were last dropped
};

// Serialises server settings as the JSON document the PostgreSQL store keeps (and back; unknown
// keys are ignored and missing ones keep their defaults, so documents from older and newer
// versions both read).
std::string settings_to_json(const server_settings& s);
server_settings settings_from_json(std::string_view text);

}  // namespace nudgebot::storage
