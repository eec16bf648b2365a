// SQLite implementation of storage::store — the embedded default ("sqlite:PATH").
//
// Contract: owned by storage/. One connection, used by one thread at a time (see store.hpp).
// The constructor opens the file, sets WAL mode, synchronous=FULL (an acknowledged write survives
// a crash of the process and of the machine), a 5 s busy timeout and secure_delete, applies the
// versioned migrations (PRAGMA user_version) each in its own transaction, and prepares every
// statement once; it throws std::runtime_error on failure (start-up only). Calls after that never
// throw. Only this file's .cpp includes <sqlite3.h>.
#pragma once

#include "storage/store.hpp"

#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace nudgebot::storage {

class sqlite_store final : public store {
public:
    explicit sqlite_store(const std::string& path);
    ~sqlite_store() override;
    sqlite_store(const sqlite_store&) = delete;
    sqlite_store& operator=(const sqlite_store&) = delete;

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

    // The schema version after migrations (for tests and `nudgebot config check`).
    int schema_version() const;
    static int latest_schema_version();

private:
    struct statements;
    bool exec(const char* sql, const char* op);
    void fail(const char* op);
    std::optional<server_settings> read_settings(const server_key& server);

    sqlite3* db_ = nullptr;
    statements* st_ = nullptr;
};

}  // namespace nudgebot::storage
