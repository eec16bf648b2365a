#include "storage/sqlite_store.hpp"

#include "core/metrics.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <stdexcept>

namespace nudgebot::storage {
namespace {

// Versioned migrations: index i brings the schema from version i to i+1. Never edit a shipped
// entry; append a new one.
constexpr const char* migrations[] = {
    // 1: consent, settings, counters. Every table is keyed by platform so ids never collide.
    R"sql(
CREATE TABLE users (
  platform TEXT NOT NULL, user TEXT NOT NULL,
  enabled INTEGER NOT NULL, style TEXT NOT NULL, crisis_card INTEGER NOT NULL,
  muted TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (platform, user));
CREATE TABLE servers (
  platform TEXT NOT NULL, server TEXT NOT NULL,
  sensitivity TEXT NOT NULL, crisis_scope TEXT NOT NULL, alerts_channel TEXT,
  PRIMARY KEY (platform, server));
CREATE TABLE server_channels (
  platform TEXT NOT NULL, server TEXT NOT NULL, channel TEXT NOT NULL, watched INTEGER NOT NULL,
  PRIMARY KEY (platform, server, channel));
CREATE TABLE server_disabled_packs (
  platform TEXT NOT NULL, server TEXT NOT NULL, pack TEXT NOT NULL,
  PRIMARY KEY (platform, server, pack));
CREATE TABLE counters (
  day INTEGER NOT NULL, platform TEXT NOT NULL, server TEXT NOT NULL, category TEXT NOT NULL,
  rule TEXT NOT NULL, outcome TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (platform, server, day, category, rule, outcome));
)sql",
    // 2: one-time notices shown on a user's next command (e.g. DMs closed).
    R"sql(
CREATE TABLE notices (
  platform TEXT NOT NULL, user TEXT NOT NULL, kind TEXT NOT NULL,
  PRIMARY KEY (platform, user, kind));
)sql",
    // 3: the crisis card's resources a server's moderators chose (a country code, their own
    // employee-assistance line); empty = not chosen.
    R"sql(
ALTER TABLE servers ADD COLUMN crisis_country TEXT NOT NULL DEFAULT '';
ALTER TABLE servers ADD COLUMN crisis_text TEXT NOT NULL DEFAULT '';
)sql",
    // 4: what a platform keeps across restarts (gateway sessions for RESUME, the command-set hash).
    R"sql(
CREATE TABLE platform_state (
  platform TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (platform, name));
)sql",
};
constexpr int migration_count = static_cast<int>(std::size(migrations));

std::string column_text(sqlite3_stmt* s, int i)
{
    auto p = sqlite3_column_text(s, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s, i)) : std::string{};
}

// A prepared statement, reset and unbound after each use.
class stmt {
public:
    stmt(sqlite3* db, const char* sql)
    {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("sqlite: cannot prepare statement: ") + sqlite3_errmsg(db));
    }
    ~stmt() { sqlite3_finalize(s_); }
    stmt(const stmt&) = delete;
    stmt& operator=(const stmt&) = delete;

    sqlite3_stmt* get() const { return s_; }
    stmt& bind(int i, std::string_view v)
    {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    stmt& bind(int i, std::int64_t v)
    {
        sqlite3_bind_int64(s_, i, v);
        return *this;
    }
    stmt& bind_null(int i)
    {
        sqlite3_bind_null(s_, i);
        return *this;
    }
    int step() { return sqlite3_step(s_); }
    void reset()
    {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }

private:
    sqlite3_stmt* s_ = nullptr;
};

// Resets a statement however the scope is left.
struct reset_guard {
    stmt& s;
    ~reset_guard() { s.reset(); }
};

std::string_view platform_name(core::platform p) { return core::to_string(p); }

}  // namespace

struct sqlite_store::statements {
    explicit statements(sqlite3* db)
        : begin(db, "BEGIN IMMEDIATE"),
          commit(db, "COMMIT"),
          rollback(db, "ROLLBACK"),
          get_user(db, "SELECT enabled, style, crisis_card, muted FROM users WHERE platform=?1 AND user=?2"),
          put_user(db,
                   "INSERT INTO users(platform, user, enabled, style, crisis_card, muted) "
                   "VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(platform, user) DO UPDATE SET "
                   "enabled=excluded.enabled, style=excluded.style, "
                   "crisis_card=excluded.crisis_card, muted=excluded.muted"),
          load_users(db, "SELECT user, enabled, style, crisis_card, muted FROM users WHERE platform=?1"),
          get_server(db,
                     "SELECT sensitivity, crisis_scope, alerts_channel, crisis_country, crisis_text FROM servers "
                     "WHERE platform=?1 AND server=?2"),
          get_channels(db, "SELECT channel, watched FROM server_channels WHERE platform=?1 AND server=?2"),
          get_packs(db, "SELECT pack FROM server_disabled_packs WHERE platform=?1 AND server=?2"),
          list_servers(db, "SELECT server FROM servers WHERE platform=?1"),
          put_server(db,
                     "INSERT INTO servers(platform, server, sensitivity, crisis_scope, alerts_channel, crisis_country, "
                     "crisis_text) VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(platform, server) DO UPDATE SET "
                     "sensitivity=excluded.sensitivity, crisis_scope=excluded.crisis_scope, "
                     "alerts_channel=excluded.alerts_channel, crisis_country=excluded.crisis_country, "
                     "crisis_text=excluded.crisis_text"),
          clear_channels(db, "DELETE FROM server_channels WHERE platform=?1 AND server=?2"),
          put_channel(db, "INSERT INTO server_channels(platform, server, channel, watched) VALUES(?1,?2,?3,?4)"),
          clear_packs(db, "DELETE FROM server_disabled_packs WHERE platform=?1 AND server=?2"),
          put_pack(db, "INSERT INTO server_disabled_packs(platform, server, pack) VALUES(?1,?2,?3)"),
          add_count(db,
                    "INSERT INTO counters(day, platform, server, category, rule, outcome, count) "
                    "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(platform, server, day, category, rule, "
                    "outcome) DO UPDATE SET count = count + excluded.count"),
          get_counts(db,
                     "SELECT day, category, rule, outcome, count FROM counters WHERE platform=?1 "
                     "AND server=?2 AND day BETWEEN ?3 AND ?4 ORDER BY day, category, rule, outcome"),
          add_notice(db, "INSERT OR IGNORE INTO notices(platform, user, kind) VALUES(?1,?2,?3)"),
          get_notices(db, "SELECT kind FROM notices WHERE platform=?1 AND user=?2 ORDER BY kind"),
          delete_notices(db, "DELETE FROM notices WHERE platform=?1 AND user=?2"),
          delete_user(db, "DELETE FROM users WHERE platform=?1 AND user=?2"),
          load_state(db, "SELECT name, value FROM platform_state WHERE platform=?1 ORDER BY name"),
          put_state(db,
                    "INSERT INTO platform_state(platform, name, value) VALUES(?1,?2,?3) "
                    "ON CONFLICT(platform, name) DO UPDATE SET value=excluded.value"),
          delete_state(db, "DELETE FROM platform_state WHERE platform=?1 AND name=?2")
    {}

    stmt begin, commit, rollback;
    stmt get_user, put_user, load_users;
    stmt get_server, get_channels, get_packs, list_servers, put_server;
    stmt clear_channels, put_channel, clear_packs, put_pack;
    stmt add_count, get_counts;
    stmt add_notice, get_notices, delete_notices, delete_user;
    stmt load_state, put_state, delete_state;
};

sqlite_store::sqlite_store(const std::string& path)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("sqlite: cannot open " + path + ": " + why);
    }
    auto must = [&](const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string why = err ? err : "unknown error";
            sqlite3_free(err);
            sqlite3_close(db_);
            db_ = nullptr;
            throw std::runtime_error("sqlite: " + path + ": " + why + " (in: " + sql + ")");
        }
    };
    sqlite3_busy_timeout(db_, 5000);
    // WAL lets readers and the one writer proceed together; FULL syncs the WAL on every commit so
    // an acknowledged opt-in survives SIGKILL and power loss; secure_delete zeroes freed content.
    must("PRAGMA journal_mode=WAL");
    must("PRAGMA synchronous=FULL");
    must("PRAGMA secure_delete=ON");
    must("PRAGMA foreign_keys=ON");

    int version = 0;
    {
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &s, nullptr);
        if (s && sqlite3_step(s) == SQLITE_ROW) version = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    if (version > migration_count) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw std::runtime_error("sqlite: " + path + " has schema version " + std::to_string(version) +
                                 ", newer than this nudgebot (" + std::to_string(migration_count) + ")");
    }
    for (int v = version; v < migration_count; ++v) {
        must("BEGIN IMMEDIATE");
        must(migrations[v]);
        must(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
        must("COMMIT");
    }
    try {
        st_ = new statements(db_);
    } catch (...) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw;
    }
}

sqlite_store::~sqlite_store()
{
    delete st_;
    if (db_) sqlite3_close(db_);
}

int sqlite_store::latest_schema_version() { return migration_count; }

int sqlite_store::schema_version() const
{
    int version = -1;
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &s, nullptr);
    if (s && sqlite3_step(s) == SQLITE_ROW) version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return version;
}

void sqlite_store::fail(const char* op)
{
    core::metrics::global().counter("nudgebot_store_errors_total", {{"op", op}}).add();
    // The SQLite message names tables and columns, never values.
    spdlog::error("store: {} failed: {}", op, sqlite3_errmsg(db_));
}

bool sqlite_store::exec(const char* sql, const char* op)
{
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK) return true;
    fail(op);
    return false;
}

std::optional<consent> sqlite_store::get_consent(const user_key& user)
{
    auto& s = st_->get_user;
    reset_guard g{s};
    s.bind(1, platform_name(user.where)).bind(2, user.user.str());
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) {
        fail("get_consent");
        return std::nullopt;
    }
    consent c;
    c.enabled = sqlite3_column_int(s.get(), 0) != 0;
    c.style = parse_style(column_text(s.get(), 1)).value_or(style::gentle);
    c.crisis_card_welcome = sqlite3_column_int(s.get(), 2) != 0;
    c.muted = split_muted(column_text(s.get(), 3));
    return c;
}

bool sqlite_store::put_consent(const user_key& user, const consent& c)
{
    auto& s = st_->put_user;
    reset_guard g{s};
    s.bind(1, platform_name(user.where)).bind(2, user.user.str());
    s.bind(3, std::int64_t{c.enabled}).bind(4, to_string(c.style));
    s.bind(5, std::int64_t{c.crisis_card_welcome}).bind(6, join_muted(c.muted));
    if (s.step() != SQLITE_DONE) {
        fail("put_consent");
        return false;
    }
    return true;
}

std::vector<std::pair<core::user_id, consent>> sqlite_store::load_consents(core::platform where)
{
    std::vector<std::pair<core::user_id, consent>> out;
    auto& s = st_->load_users;
    reset_guard g{s};
    s.bind(1, platform_name(where));
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        consent c;
        c.enabled = sqlite3_column_int(s.get(), 1) != 0;
        c.style = parse_style(column_text(s.get(), 2)).value_or(style::gentle);
        c.crisis_card_welcome = sqlite3_column_int(s.get(), 3) != 0;
        if (sqlite3_column_bytes(s.get(), 4) > 0) c.muted = split_muted(column_text(s.get(), 4));
        out.emplace_back(core::user_id{column_text(s.get(), 0)}, std::move(c));
    }
    if (rc != SQLITE_DONE) fail("load_consents");
    return out;
}

std::optional<server_settings> sqlite_store::read_settings(const server_key& server)
{
    server_settings out;
    {
        auto& s = st_->get_server;
        reset_guard g{s};
        s.bind(1, platform_name(server.where)).bind(2, server.server.str());
        int rc = s.step();
        if (rc == SQLITE_DONE) return std::nullopt;
        if (rc != SQLITE_ROW) {
            fail("get_settings");
            return std::nullopt;
        }
        out.sensitivity = column_text(s.get(), 0);
        out.crisis = parse_crisis_scope(column_text(s.get(), 1)).value_or(crisis_scope::opted_in);
        if (sqlite3_column_type(s.get(), 2) != SQLITE_NULL)
            out.alerts_channel = core::channel_id{column_text(s.get(), 2)};
        out.crisis_country = column_text(s.get(), 3);
        out.crisis_text = column_text(s.get(), 4);
    }
    {
        auto& s = st_->get_channels;
        reset_guard g{s};
        s.bind(1, platform_name(server.where)).bind(2, server.server.str());
        while (s.step() == SQLITE_ROW)
            out.channels[column_text(s.get(), 0)] = sqlite3_column_int(s.get(), 1) != 0;
    }
    {
        auto& s = st_->get_packs;
        reset_guard g{s};
        s.bind(1, platform_name(server.where)).bind(2, server.server.str());
        while (s.step() == SQLITE_ROW) out.disabled_packs.insert(column_text(s.get(), 0));
    }
    return out;
}

std::optional<server_settings> sqlite_store::get_settings(const server_key& server)
{
    return read_settings(server);
}

bool sqlite_store::put_settings(const server_key& server, const server_settings& settings)
{
    {
        reset_guard g{st_->begin};
        if (st_->begin.step() != SQLITE_DONE) {
            fail("put_settings");
            return false;
        }
    }
    auto p = platform_name(server.where);
    const auto& id = server.server.str();
    auto run = [&](stmt& s) {
        reset_guard g{s};
        return s.step() == SQLITE_DONE;
    };
    bool ok = true;
    {
        auto& s = st_->put_server;
        s.bind(1, p).bind(2, id).bind(3, settings.sensitivity).bind(4, to_string(settings.crisis));
        if (settings.alerts_channel) s.bind(5, settings.alerts_channel->str());
        else s.bind_null(5);
        s.bind(6, settings.crisis_country).bind(7, settings.crisis_text);
        ok = ok && run(s);
    }
    st_->clear_channels.bind(1, p).bind(2, id);
    ok = ok && run(st_->clear_channels);
    for (const auto& [channel, watched] : settings.channels) {
        if (!ok) break;
        st_->put_channel.bind(1, p).bind(2, id).bind(3, channel).bind(4, std::int64_t{watched});
        ok = run(st_->put_channel);
    }
    st_->clear_packs.bind(1, p).bind(2, id);
    ok = ok && run(st_->clear_packs);
    for (const auto& pack : settings.disabled_packs) {
        if (!ok) break;
        st_->put_pack.bind(1, p).bind(2, id).bind(3, pack);
        ok = run(st_->put_pack);
    }
    if (ok) ok = run(st_->commit);
    if (!ok) {
        fail("put_settings");
        run(st_->rollback);
    }
    return ok;
}

std::vector<std::pair<core::server_id, server_settings>> sqlite_store::load_settings(core::platform where)
{
    std::vector<core::server_id> ids;
    {
        auto& s = st_->list_servers;
        reset_guard g{s};
        s.bind(1, platform_name(where));
        while (s.step() == SQLITE_ROW) ids.emplace_back(column_text(s.get(), 0));
    }
    std::vector<std::pair<core::server_id, server_settings>> out;
    out.reserve(ids.size());
    for (auto& id : ids)
        if (auto s = read_settings({where, id})) out.emplace_back(std::move(id), std::move(*s));
    return out;
}

bool sqlite_store::add_counts(const std::vector<counter_row>& rows)
{
    if (rows.empty()) return true;
    auto run = [&](stmt& s) {
        reset_guard g{s};
        return s.step() == SQLITE_DONE;
    };
    if (!run(st_->begin)) {
        fail("add_counts");
        return false;
    }
    bool ok = true;
    for (const auto& r : rows) {
        auto& s = st_->add_count;
        s.bind(1, std::int64_t{r.key.day}).bind(2, platform_name(r.key.where)).bind(3, r.key.server);
        s.bind(4, r.key.category).bind(5, r.key.rule).bind(6, r.key.outcome);
        s.bind(7, static_cast<std::int64_t>(r.count));
        if (!run(s)) {
            ok = false;
            break;
        }
    }
    if (ok) ok = run(st_->commit);
    if (!ok) {
        fail("add_counts");
        run(st_->rollback);
    }
    return ok;
}

std::vector<counter_row> sqlite_store::counts(core::platform where, const std::string& server,
                                              std::int32_t first_day, std::int32_t last_day)
{
    std::vector<counter_row> out;
    auto& s = st_->get_counts;
    reset_guard g{s};
    s.bind(1, platform_name(where)).bind(2, server).bind(3, std::int64_t{first_day}).bind(4, std::int64_t{last_day});
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        counter_row r;
        r.key.day = sqlite3_column_int(s.get(), 0);
        r.key.where = where;
        r.key.server = server;
        r.key.category = column_text(s.get(), 1);
        r.key.rule = column_text(s.get(), 2);
        r.key.outcome = column_text(s.get(), 3);
        r.count = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 4));
        out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) fail("counts");
    return out;
}

bool sqlite_store::add_notice(const user_key& user, const std::string& kind)
{
    auto& s = st_->add_notice;
    reset_guard g{s};
    s.bind(1, platform_name(user.where)).bind(2, user.user.str()).bind(3, kind);
    if (s.step() != SQLITE_DONE) {
        fail("add_notice");
        return false;
    }
    return true;
}

std::vector<std::string> sqlite_store::take_notices(const user_key& user)
{
    std::vector<std::string> out;
    {
        auto& s = st_->get_notices;
        reset_guard g{s};
        s.bind(1, platform_name(user.where)).bind(2, user.user.str());
        while (s.step() == SQLITE_ROW) out.push_back(column_text(s.get(), 0));
    }
    if (out.empty()) return out;
    auto& d = st_->delete_notices;
    reset_guard g{d};
    d.bind(1, platform_name(user.where)).bind(2, user.user.str());
    if (d.step() != SQLITE_DONE) fail("take_notices");
    return out;
}

bool sqlite_store::forget_user(const user_key& user)
{
    auto run = [&](stmt& s) {
        reset_guard g{s};
        return s.step() == SQLITE_DONE;
    };
    if (!run(st_->begin)) {
        fail("forget_user");
        return false;
    }
    auto p = platform_name(user.where);
    st_->delete_user.bind(1, p).bind(2, user.user.str());
    bool ok = run(st_->delete_user);
    st_->delete_notices.bind(1, p).bind(2, user.user.str());
    ok = ok && run(st_->delete_notices);
    ok = ok && run(st_->commit);
    if (!ok) {
        fail("forget_user");
        run(st_->rollback);
        return false;
    }
    // secure_delete zeroes the deleted cells, but index interior pages may still hold the id as
    // a divider key and the WAL still holds the old pages: rebuild the file, then empty the WAL.
    ok = exec("VACUUM", "forget_user_vacuum");
    ok = exec("PRAGMA wal_checkpoint(TRUNCATE)", "forget_user_checkpoint") && ok;
    return ok;
}

std::vector<std::pair<std::string, std::string>> sqlite_store::load_state(core::platform where)
{
    std::vector<std::pair<std::string, std::string>> out;
    auto& s = st_->load_state;
    reset_guard g{s};
    s.bind(1, platform_name(where));
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) out.emplace_back(column_text(s.get(), 0), column_text(s.get(), 1));
    if (rc != SQLITE_DONE) fail("load_state");
    return out;
}

bool sqlite_store::put_state(core::platform where, const std::string& name, const std::string& value)
{
    auto& s = value.empty() ? st_->delete_state : st_->put_state;
    reset_guard g{s};
    s.bind(1, platform_name(where)).bind(2, name);
    if (!value.empty()) s.bind(3, value);
    if (s.step() != SQLITE_DONE) {
        fail("put_state");
        return false;
    }
    return true;
}

}  // namespace nudgebot::storage
