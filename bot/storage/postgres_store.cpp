#include "storage/postgres_store.hpp"

#include "core/metrics.hpp"

#include <libpq-fe.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <poll.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace nudgebot::storage {
namespace {

// Versioned migrations: index i brings the schema from version i to i+1. Never edit a shipped
// entry; append a new one. Each runs in its own transaction together with the version bump.
constexpr const char* migrations[] = {
    // 1: consent, settings (one JSON document per server), counters, notices, daily claims.
    R"sql(
CREATE TABLE users (
  platform TEXT NOT NULL, "user" TEXT NOT NULL,
  enabled BOOLEAN NOT NULL, style TEXT NOT NULL, crisis_card BOOLEAN NOT NULL,
  muted TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (platform, "user"));
CREATE TABLE servers (
  platform TEXT NOT NULL, server TEXT NOT NULL, settings JSONB NOT NULL,
  PRIMARY KEY (platform, server));
CREATE TABLE counters (
  day INTEGER NOT NULL, platform TEXT NOT NULL, server TEXT NOT NULL, category TEXT NOT NULL,
  rule TEXT NOT NULL, outcome TEXT NOT NULL, count BIGINT NOT NULL,
  PRIMARY KEY (platform, server, day, category, rule, outcome));
CREATE TABLE notices (
  platform TEXT NOT NULL, "user" TEXT NOT NULL, kind TEXT NOT NULL,
  PRIMARY KEY (platform, "user", kind));
CREATE TABLE claims (
  platform TEXT NOT NULL, "user" TEXT NOT NULL, day INTEGER NOT NULL, kind TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (platform, "user", day, kind));
)sql",
    // 2: what a platform keeps across restarts (gateway sessions for RESUME, the command-set hash).
    R"sql(
CREATE TABLE platform_state (
  platform TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (platform, name));
)sql",
};
constexpr int migration_count = static_cast<int>(std::size(migrations));

// Any fixed number: the advisory lock that serialises migrations between processes.
constexpr const char* migration_lock = "SELECT pg_advisory_lock(7426001)";
constexpr const char* migration_unlock = "SELECT pg_advisory_unlock(7426001)";
constexpr const char* channel = "nudgebot_changes";

struct statement {
    const char* name;
    const char* sql;
};

// Writes of consent and settings notify in the same statement: the notification is delivered
// when, and only when, the write commits.
constexpr statement statements[] = {
    {"get_user", R"(SELECT enabled, style, crisis_card, muted FROM users WHERE platform=$1 AND "user"=$2)"},
    {"put_user",
     R"(WITH w AS (INSERT INTO users(platform, "user", enabled, style, crisis_card, muted)
          VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT (platform, "user") DO UPDATE SET
          enabled=excluded.enabled, style=excluded.style, crisis_card=excluded.crisis_card,
          muted=excluded.muted RETURNING 1)
        SELECT pg_notify('nudgebot_changes', $7) FROM w)"},
    {"load_users", R"(SELECT "user", enabled, style, crisis_card, muted FROM users WHERE platform=$1)"},
    {"get_server", "SELECT settings::text FROM servers WHERE platform=$1 AND server=$2"},
    {"put_server",
     R"(WITH w AS (INSERT INTO servers(platform, server, settings) VALUES($1,$2,$3::jsonb)
          ON CONFLICT (platform, server) DO UPDATE SET settings=excluded.settings RETURNING 1)
        SELECT pg_notify('nudgebot_changes', $4) FROM w)"},
    {"load_servers", "SELECT server, settings::text FROM servers WHERE platform=$1"},
    // A whole batch in one statement (one round trip): the rows come as parallel arrays. The
    // batch never names one cell twice (async_store sums per cell first).
    {"add_counts",
     "INSERT INTO counters(day, platform, server, category, rule, outcome, count) "
     "SELECT cell.* FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
     "$7::bigint[]) AS cell, (SELECT set_config('synchronous_commit', 'off', true)) AS without_waiting_for_disk "
     "ON CONFLICT (platform, server, day, category, rule, outcome) "
     "DO UPDATE SET count = counters.count + excluded.count"},
    {"get_counts",
     "SELECT day, category, rule, outcome, count FROM counters WHERE platform=$1 AND server=$2 "
     "AND day BETWEEN $3 AND $4 ORDER BY day, category, rule, outcome"},
    {"add_notice", R"(INSERT INTO notices(platform, "user", kind) VALUES($1,$2,$3) ON CONFLICT DO NOTHING)"},
    // Deleting and returning in one statement: two processes never both show one notice.
    {"take_notices", R"(DELETE FROM notices WHERE platform=$1 AND "user"=$2 RETURNING kind)"},
    {"forget_user",
     R"(WITH u AS (DELETE FROM users WHERE platform=$1 AND "user"=$2 RETURNING 1),
             n AS (DELETE FROM notices WHERE platform=$1 AND "user"=$2 RETURNING 1),
             c AS (DELETE FROM claims WHERE platform=$1 AND "user"=$2 RETURNING 1)
        SELECT pg_notify('nudgebot_changes', $3))"},
    // One upsert: a new row starts at 1; an existing one grows only while under the limit, and
    // returns no row when the cap is reached. Row locks make concurrent claims queue up.
    // set_config(..., true) lasts for this statement's own transaction: the claim commits without
    // waiting for the disk, in one round trip, and the connection's later writes still wait.
    {"claim",
     R"(INSERT INTO claims(platform, "user", day, kind, n)
        SELECT $1::text, $2::text, $3::integer, $4::text, 1
        FROM (SELECT set_config('synchronous_commit', 'off', true)) AS without_waiting_for_disk
        ON CONFLICT (platform, "user", day, kind) DO UPDATE SET n = claims.n + 1
        WHERE claims.n < $5 RETURNING n)"},
    {"drop_old_claims", "DELETE FROM claims WHERE day < $1"},
    {"schema_version", "SELECT version FROM nudgebot_schema"},
    {"load_state", "SELECT name, value FROM platform_state WHERE platform=$1 ORDER BY name"},
    {"put_state",
     "INSERT INTO platform_state(platform, name, value) VALUES($1,$2,$3) "
     "ON CONFLICT (platform, name) DO UPDATE SET value=excluded.value"},
    {"delete_state", "DELETE FROM platform_state WHERE platform=$1 AND name=$2"},
};

std::string platform_name(core::platform p) { return std::string(core::to_string(p)); }

std::optional<core::platform> parse_platform(std::string_view s)
{
    for (auto p : {core::platform::discord, core::platform::slack, core::platform::mattermost})
        if (core::to_string(p) == s) return p;
    return std::nullopt;
}

// Notification payloads: "c|<platform>|<user id>" or "s|<platform>|<server id>".
std::string payload(change::kind what, core::platform where, const std::string& id)
{
    return std::string(what == change::kind::consent ? "c|" : "s|") + platform_name(where) + "|" + id;
}

std::optional<change> parse_payload(std::string_view p)
{
    if (p.size() < 4 || p[1] != '|') return std::nullopt;
    change c;
    if (p[0] == 'c') c.what = change::kind::consent;
    else if (p[0] == 's') c.what = change::kind::settings;
    else return std::nullopt;
    auto rest = p.substr(2);
    auto bar = rest.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    auto where = parse_platform(rest.substr(0, bar));
    if (!where) return std::nullopt;
    c.where = *where;
    c.id = std::string(rest.substr(bar + 1));
    if (c.id.empty()) return std::nullopt;
    return c;
}

bool is_true(const char* v) { return v && v[0] == 't'; }

// One element of a PostgreSQL array literal: quoted, with '"' and '\\' escaped.
std::string array_element(std::string_view v)
{
    std::string out = "\"";
    for (char c : v) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace

// Owns one PGresult.
class postgres_store::result {
public:
    explicit result(PGresult* r = nullptr) : r_(r) {}
    ~result() { PQclear(r_); }
    result(result&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
    result& operator=(result&& o) noexcept
    {
        std::swap(r_, o.r_);
        return *this;
    }
    // Commands and queries that completed.
    bool ok() const
    {
        auto s = PQresultStatus(r_);
        return r_ && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK);
    }
    int rows() const { return r_ ? PQntuples(r_) : 0; }
    const char* get(int row, int col) const { return PQgetvalue(r_, row, col); }
    std::string text(int row, int col) const
    {
        return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
    }
    bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
    PGresult* raw() const { return r_; }

private:
    PGresult* r_;
};

std::string settings_to_json(const server_settings& s)
{
    nlohmann::json j;
    j["channels"] = nlohmann::json::object();
    for (const auto& [id, watched] : s.channels) j["channels"][id] = watched;
    j["sensitivity"] = s.sensitivity;
    j["disabled_packs"] = s.disabled_packs;
    j["crisis_scope"] = std::string(to_string(s.crisis));
    j["alerts_channel"] = s.alerts_channel ? nlohmann::json(s.alerts_channel->str()) : nlohmann::json();
    j["crisis_country"] = s.crisis_country;
    j["crisis_text"] = s.crisis_text;
    return j.dump();
}

server_settings settings_from_json(std::string_view text)
{
    server_settings s;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return s;
    if (auto it = j.find("channels"); it != j.end() && it->is_object())
        for (const auto& [id, watched] : it->items())
            if (watched.is_boolean()) s.channels[id] = watched.get<bool>();
    if (auto it = j.find("sensitivity"); it != j.end() && it->is_string()) s.sensitivity = it->get<std::string>();
    if (auto it = j.find("disabled_packs"); it != j.end() && it->is_array())
        for (const auto& p : *it)
            if (p.is_string()) s.disabled_packs.insert(p.get<std::string>());
    if (auto it = j.find("crisis_scope"); it != j.end() && it->is_string())
        s.crisis = parse_crisis_scope(it->get<std::string>()).value_or(crisis_scope::opted_in);
    if (auto it = j.find("alerts_channel"); it != j.end() && it->is_string())
        s.alerts_channel = core::channel_id{it->get<std::string>()};
    if (auto it = j.find("crisis_country"); it != j.end() && it->is_string()) s.crisis_country = it->get<std::string>();
    if (auto it = j.find("crisis_text"); it != j.end() && it->is_string()) s.crisis_text = it->get<std::string>();
    return s;
}

postgres_store::postgres_store(std::string url, role r) : url_(std::move(url)), listens_(r == role::primary)
{
    // The URI's own settings win over these defaults (later keywords override earlier ones).
    const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {"5", "nudgebot", url_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        // libpq's message names host, port, user and database, never the password.
        std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        PQfinish(conn_);
        conn_ = nullptr;
        throw std::runtime_error("postgresql: cannot connect: " + why);
    }
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);   // "relation exists" chatter
    auto must = [&](const char* sql) {
        result r(PQexec(conn_, sql));
        if (!r.ok()) {
            std::string why = PQresultErrorMessage(r.raw());
            while (!why.empty() && why.back() == '\n') why.pop_back();
            PQfinish(conn_);
            conn_ = nullptr;
            throw std::runtime_error("postgresql: migration failed: " + why);
        }
        return r;
    };
    if (r == role::helper) {
        prepare();
        if (!prepared_) {
            PQfinish(conn_);
            conn_ = nullptr;
            throw std::runtime_error("postgresql: cannot prepare statements");
        }
        return;
    }
    must(migration_lock);
    must("CREATE TABLE IF NOT EXISTS nudgebot_schema (version INTEGER NOT NULL)");
    must("INSERT INTO nudgebot_schema(version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM nudgebot_schema)");
    int version = std::atoi(must("SELECT version FROM nudgebot_schema").get(0, 0));
    if (version > migration_count) {
        must(migration_unlock);
        PQfinish(conn_);
        conn_ = nullptr;
        throw std::runtime_error("postgresql: the database has schema version " + std::to_string(version) +
                                 ", newer than this nudgebot (" + std::to_string(migration_count) + ")");
    }
    for (int v = version; v < migration_count; ++v) {
        must("BEGIN");
        must(migrations[v]);
        must(("UPDATE nudgebot_schema SET version=" + std::to_string(v + 1)).c_str());
        must("COMMIT");
    }
    must(migration_unlock);
    prepare();
    if (!prepared_) {
        PQfinish(conn_);
        conn_ = nullptr;
        throw std::runtime_error("postgresql: cannot prepare statements");
    }
}

postgres_store::~postgres_store() { PQfinish(conn_); }

int postgres_store::latest_schema_version() { return migration_count; }

void postgres_store::prepare()
{
    prepared_ = false;
    for (const auto& s : statements) {
        result r(PQprepare(conn_, s.name, s.sql, 0, nullptr));
        if (!r.ok()) {
            const char* why = PQresultErrorField(r.raw(), PG_DIAG_MESSAGE_PRIMARY);
            spdlog::error("store: cannot prepare {}: {}", s.name, why ? why : "connection lost");
            return;
        }
    }
    if (!listens_) {
        prepared_ = true;
        return;
    }
    result listen(PQexec(conn_, (std::string("LISTEN ") + channel).c_str()));
    if (!listen.ok()) {
        spdlog::error("store: LISTEN failed; changes from other processes would not be seen");
        return;
    }
    prepared_ = true;
}

bool postgres_store::ready()
{
    if (PQstatus(conn_) != CONNECTION_OK) {
        PQreset(conn_);
        if (PQstatus(conn_) != CONNECTION_OK) return false;
        spdlog::warn("store: reconnected to PostgreSQL");
        core::metrics::global().counter("nudgebot_store_reconnects_total").add();
        prepared_ = false;
        // Notifications sent while we were away are gone: everything may have changed.
        lost_changes_ = listens_;
    }
    if (!prepared_) prepare();
    return prepared_;
}

void postgres_store::fail(const char* op, const char* why)
{
    core::metrics::global().counter("nudgebot_store_errors_total", {{"op", op}}).add();
    spdlog::error("store: {} failed: {}", op, why ? why : "unknown error");
}

postgres_store::result postgres_store::run(const char* statement, const std::vector<std::string>& params,
                                           const char* op)
{
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!ready()) break;
        result r(PQexecPrepared(conn_, statement, static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
        if (r.ok()) return r;
        if (PQstatus(conn_) == CONNECTION_OK) {
            // Primary message and SQLSTATE only: DETAIL may quote key values.
            std::string why = PQresultErrorField(r.raw(), PG_DIAG_MESSAGE_PRIMARY)
                                  ? PQresultErrorField(r.raw(), PG_DIAG_MESSAGE_PRIMARY)
                                  : "unknown error";
            if (const char* state = PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE)) why += std::string(" (") + state + ")";
            fail(op, why.c_str());
            return result{};
        }
        // The connection dropped: reset and try once more.
    }
    fail(op, "no connection to PostgreSQL");
    return result{};
}

bool postgres_store::exec(const char* sql, const char* op)
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!ready()) break;
        result r(PQexec(conn_, sql));
        if (r.ok()) return true;
        if (PQstatus(conn_) == CONNECTION_OK) {
            fail(op, PQresultErrorField(r.raw(), PG_DIAG_MESSAGE_PRIMARY));
            return false;
        }
    }
    fail(op, "no connection to PostgreSQL");
    return false;
}

bool postgres_store::ping() { return exec("SELECT 1", "ping"); }

std::string postgres_store::synchronous_commit()
{
    if (!ready()) return {};
    result r(PQexec(conn_, "SHOW synchronous_commit"));
    return r.ok() && r.rows() == 1 ? r.text(0, 0) : std::string();
}

int postgres_store::schema_version()
{
    auto r = run("schema_version", {}, "schema_version");
    return r.ok() && r.rows() == 1 ? std::atoi(r.get(0, 0)) : -1;
}

std::optional<consent> postgres_store::get_consent(const user_key& user)
{
    auto r = run("get_user", {platform_name(user.where), user.user.str()}, "get_consent");
    if (!r.ok() || r.rows() == 0) return std::nullopt;
    consent c;
    c.enabled = is_true(r.get(0, 0));
    c.style = parse_style(r.get(0, 1)).value_or(style::gentle);
    c.crisis_card_welcome = is_true(r.get(0, 2));
    c.muted = split_muted(r.get(0, 3));
    return c;
}

bool postgres_store::put_consent(const user_key& user, const consent& c)
{
    return run("put_user",
               {platform_name(user.where), user.user.str(), c.enabled ? "t" : "f", std::string(to_string(c.style)),
                c.crisis_card_welcome ? "t" : "f", join_muted(c.muted),
                payload(change::kind::consent, user.where, user.user.str())},
               "put_consent")
        .ok();
}

std::vector<std::pair<core::user_id, consent>> postgres_store::load_consents(core::platform where)
{
    std::vector<std::pair<core::user_id, consent>> out;
    auto r = run("load_users", {platform_name(where)}, "load_consents");
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        consent c;
        c.enabled = is_true(r.get(i, 1));
        c.style = parse_style(r.get(i, 2)).value_or(style::gentle);
        c.crisis_card_welcome = is_true(r.get(i, 3));
        if (*r.get(i, 4)) c.muted = split_muted(r.get(i, 4));
        out.emplace_back(core::user_id{r.text(i, 0)}, std::move(c));
    }
    return out;
}

std::optional<server_settings> postgres_store::get_settings(const server_key& server)
{
    auto r = run("get_server", {platform_name(server.where), server.server.str()}, "get_settings");
    if (!r.ok() || r.rows() == 0) return std::nullopt;
    return settings_from_json(r.text(0, 0));
}

bool postgres_store::put_settings(const server_key& server, const server_settings& s)
{
    return run("put_server",
               {platform_name(server.where), server.server.str(), settings_to_json(s),
                payload(change::kind::settings, server.where, server.server.str())},
               "put_settings")
        .ok();
}

std::vector<std::pair<core::server_id, server_settings>> postgres_store::load_settings(core::platform where)
{
    std::vector<std::pair<core::server_id, server_settings>> out;
    auto r = run("load_servers", {platform_name(where)}, "load_settings");
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(core::server_id{r.text(i, 0)}, settings_from_json(r.text(i, 1)));
    return out;
}

bool postgres_store::add_counts(const std::vector<counter_row>& rows)
{
    if (rows.empty()) return true;
    // Cells named twice (a caller that did not sum) are summed here: one upsert may touch a row once.
    std::map<counter_key, std::uint64_t> cells;
    for (const auto& row : rows) cells[row.key] += row.count;
    std::vector<std::string> columns(7, "{");
    bool first = true;
    for (const auto& [k, n] : cells) {
        const std::string sep = first ? "" : ",";
        first = false;
        columns[0] += sep + std::to_string(k.day);
        columns[1] += sep + array_element(platform_name(k.where));
        columns[2] += sep + array_element(k.server);
        columns[3] += sep + array_element(k.category);
        columns[4] += sep + array_element(k.rule);
        columns[5] += sep + array_element(k.outcome);
        columns[6] += sep + std::to_string(n);
    }
    for (auto& c : columns) c += '}';
    // Counts are best effort (a lost batch is counted, not retried): the statement commits without
    // waiting for the disk. PostgreSQL still writes it within a few hundred milliseconds; a crash
    // of the database server (not of nudgebot) may lose that much.
    return run("add_counts", columns, "add_counts").ok();
}

std::vector<counter_row> postgres_store::counts(core::platform where, const std::string& server,
                                                std::int32_t first_day, std::int32_t last_day)
{
    std::vector<counter_row> out;
    auto r = run("get_counts", {platform_name(where), server, std::to_string(first_day), std::to_string(last_day)},
                 "counts");
    for (int i = 0; i < r.rows(); ++i) {
        counter_row row;
        row.key.day = std::atoi(r.get(i, 0));
        row.key.where = where;
        row.key.server = server;
        row.key.category = r.text(i, 1);
        row.key.rule = r.text(i, 2);
        row.key.outcome = r.text(i, 3);
        row.count = std::strtoull(r.get(i, 4), nullptr, 10);
        out.push_back(std::move(row));
    }
    return out;
}

bool postgres_store::add_notice(const user_key& user, const std::string& kind)
{
    return run("add_notice", {platform_name(user.where), user.user.str(), kind}, "add_notice").ok();
}

std::vector<std::string> postgres_store::take_notices(const user_key& user)
{
    std::vector<std::string> out;
    auto r = run("take_notices", {platform_name(user.where), user.user.str()}, "take_notices");
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    std::sort(out.begin(), out.end());
    return out;
}

bool postgres_store::forget_user(const user_key& user)
{
    if (!run("forget_user",
             {platform_name(user.where), user.user.str(), payload(change::kind::consent, user.where, user.user.str())},
             "forget_user")
             .ok())
        return false;
    // Marks the deleted row versions free at once instead of whenever autovacuum comes by.
    return exec("VACUUM users, notices, claims", "forget_user_vacuum");
}

bool postgres_store::claim_daily(const user_key& user, std::int32_t day, std::string_view kind, std::uint32_t limit)
{
    if (limit == 0) return false;
    // A claim need not wait for the disk either: if the database server crashed right after, the
    // worst outcome is one nudge more that day. Other processes see it as soon as it commits.
    auto r = run("claim",
                 {platform_name(user.where), user.user.str(), std::to_string(day), std::string(kind),
                  std::to_string(limit)},
                 "claim_daily");
    if (!r.ok()) return false;
    bool granted = r.rows() == 1;
    // Yesterday's claims are kept for a day of clock skew between processes, then dropped.
    if (swept_day_ != day) {
        swept_day_ = day;
        run("drop_old_claims", {std::to_string(day - 1)}, "drop_old_claims");
    }
    return granted;
}

void postgres_store::collect_notifications()
{
    while (PGnotify* n = PQnotifies(conn_)) {
        if (auto c = parse_payload(n->extra ? n->extra : "")) {
            changes_.push_back(std::move(*c));
        } else {
            core::metrics::global().counter("nudgebot_untrusted_input_total", {{"what", "notification"}}).add();
        }
        PQfreemem(n);
    }
}

std::vector<change> postgres_store::take_changes(int wait_ms)
{
    if (!listens_ || !ready()) return {};
    if (PQconsumeInput(conn_) == 0) ready();
    collect_notifications();
    if (changes_.empty() && !lost_changes_ && wait_ms > 0) {
        pollfd p{PQsocket(conn_), POLLIN, 0};
        if (p.fd >= 0 && ::poll(&p, 1, wait_ms) > 0) {
            if (PQconsumeInput(conn_) == 0) ready();
            collect_notifications();
        }
    }
    std::vector<change> out;
    if (lost_changes_) {
        lost_changes_ = false;
        out.push_back({change::kind::consent, core::platform::discord, ""});
        out.push_back({change::kind::settings, core::platform::discord, ""});
    }
    out.insert(out.end(), std::make_move_iterator(changes_.begin()), std::make_move_iterator(changes_.end()));
    changes_.clear();
    return out;
}

std::vector<std::pair<std::string, std::string>> postgres_store::load_state(core::platform where)
{
    std::vector<std::pair<std::string, std::string>> out;
    auto r = run("load_state", {platform_name(where)}, "load_state");
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0), r.text(i, 1));
    return out;
}

bool postgres_store::put_state(core::platform where, const std::string& name, const std::string& value)
{
    if (value.empty()) return run("delete_state", {platform_name(where), name}, "put_state").ok();
    return run("put_state", {platform_name(where), name, value}, "put_state").ok();
}

}  // namespace nudgebot::storage
