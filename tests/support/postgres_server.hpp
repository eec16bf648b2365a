// A real PostgreSQL server for one test process: initdb + pg_ctl in a temporary folder, reached
// only through a unix socket in that folder (no TCP port), stopped and deleted by the destructor.
//
// Contract: header-only test support. start() finds the server binaries (NUDGEBOT_PG_BIN, else
// the newest /usr/lib/postgresql/<v>/bin), runs them as the `postgres` user when the test runs as
// root (initdb refuses root) and as the current user otherwise. It returns nullopt with a reason
// when PostgreSQL is not installed: a test then skips with a warning — unless the environment
// says PostgreSQL is required (CI=true or NUDGEBOT_REQUIRE_POSTGRES=1, as deploy/dev.sh test
// sets), in which case it fails (NUDGEBOT_POSTGRES_OR_SKIP, for Catch2 test cases). fresh_url()
// creates an empty database and returns its URI ("" on failure). Usable without Catch2 (benches).
// Blocking; every step is bounded by pg_ctl's own wait (-t).
#pragma once

#include <cstdio>
#include <iterator>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <pwd.h>
#include <random>
#include <string>
#include <sys/types.h>
#include <unistd.h>

namespace nudgebot::test {

class postgres_server {
public:
    // Whether a missing PostgreSQL is a failure here rather than a skip.
    static bool required()
    {
        auto set = [](const char* name) {
            const char* v = std::getenv(name);
            return v && *v && std::string(v) != "0" && std::string(v) != "false";
        };
        return set("CI") || set("NUDGEBOT_REQUIRE_POSTGRES");
    }

    // Starts a server, or explains why not.
    static std::unique_ptr<postgres_server> start(std::string& why_not)
    {
        namespace fs = std::filesystem;
        fs::path bin;
        if (const char* env = std::getenv("NUDGEBOT_PG_BIN"); env && *env) bin = env;
        else if (fs::is_directory("/usr/lib/postgresql")) {
            int best = -1;
            for (const auto& e : fs::directory_iterator("/usr/lib/postgresql")) {
                int v = std::atoi(e.path().filename().c_str());
                if (v > best && fs::exists(e.path() / "bin" / "pg_ctl")) {
                    best = v;
                    bin = e.path() / "bin";
                }
            }
        }
        if (bin.empty() || !fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl")) {
            why_not = "PostgreSQL server binaries not found (install Debian's postgresql, or set NUDGEBOT_PG_BIN)";
            return nullptr;
        }
        auto server = std::unique_ptr<postgres_server>(new postgres_server());
        server->bin_ = bin;
        std::random_device rd;
        server->dir_ = fs::temp_directory_path() / ("nudgebot-pg-" + std::to_string(rd()) + "-" + std::to_string(::getpid()));
        fs::create_directories(server->dir_);
        if (::geteuid() == 0) {
            passwd* pw = ::getpwnam("postgres");
            if (!pw) {
                why_not = "running as root and there is no `postgres` user to run the server as";
                return nullptr;
            }
            server->as_ = "runuser -u postgres -- ";
            if (::chown(server->dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
                why_not = "cannot hand the temporary folder to the postgres user";
                return nullptr;
            }
        }
        const auto data = (server->dir_ / "data").string();
        const auto log = (server->dir_ / "server.log").string();
        if (!server->sh(server->bin("initdb") + " -D " + data + " -A trust -U nudgebot -E UTF8 --no-sync >" +
                        (server->dir_ / "initdb.log").string() + " 2>&1")) {
            why_not = "initdb failed: " + server->file("initdb.log");
            return nullptr;
        }
        // Unix socket in our folder only; fsync stays on so durability tests mean what they say.
        std::string options = "-c listen_addresses='' -c unix_socket_directories='" + server->dir_.string() +
                              "' -c port=5432 -c max_connections=40 -c shared_buffers=16MB";
        if (!server->sh(server->bin("pg_ctl") + " -D " + data + " -l " + log + " -w -t 60 -o \"" + options +
                        "\" start >/dev/null 2>&1")) {
            why_not = "pg_ctl start failed: " + server->file("server.log");
            return nullptr;
        }
        server->running_ = true;
        return server;
    }

    ~postgres_server()
    {
        if (running_)
            sh(bin("pg_ctl") + " -D " + (dir_ / "data").string() + " -m immediate -w -t 30 stop >/dev/null 2>&1");
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    // URI of the server's default database.
    std::string url(const std::string& database = "postgres") const
    {
        return "postgresql:///" + database + "?host=" + dir_.string() + "&port=5432&user=nudgebot";
    }

    // A new empty database on this server; "" when it cannot be created.
    std::string fresh_url()
    {
        std::string name = "t" + std::to_string(++databases_);
        if (!sh(bin("psql") + " -q -X -h " + dir_.string() + " -p 5432 -U nudgebot -d postgres -c 'CREATE DATABASE " +
                name + "' >/dev/null 2>&1"))
            return "";
        return url(name);
    }

    // The database name in a URI fresh_url() returned.
    static std::string database_of(const std::string& url)
    {
        const std::string prefix = "postgresql:///";
        return url.substr(prefix.size(), url.find('?') - prefix.size());
    }

    // Runs SQL through psql on a database of this server (tests that look under the store).
    bool psql(const std::string& database, const std::string& sql, std::string* out = nullptr) const
    {
        auto script = dir_ / ("q" + std::to_string(++queries_) + ".sql");
        std::ofstream(script) << sql;
        auto output = script.string() + ".out";
        bool ok = std::system((bin("psql") + " -q -X -A -t -v ON_ERROR_STOP=1 -h " + dir_.string() + " -p 5432 -U nudgebot -d " +
                               database + " -f " + script.string() + " >" + output + " 2>&1")
                                  .c_str()) == 0;
        if (out) *out = file(std::filesystem::path(output).filename().string());
        return ok;
    }

    const std::filesystem::path& dir() const noexcept { return dir_; }

private:
    postgres_server() = default;
    std::string bin(const char* name) const { return (bin_ / name).string(); }
    bool sh(const std::string& command) const { return std::system((as_ + command).c_str()) == 0; }
    std::string file(const std::string& name) const
    {
        std::ifstream in(dir_ / name);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    std::filesystem::path bin_;
    std::filesystem::path dir_;
    std::string as_;
    bool running_ = false;
    int databases_ = 0;
    mutable int queries_ = 0;
};

// For a Catch2 test case: a running server, or return after a warning (skip) or FAIL (required).
#define NUDGEBOT_POSTGRES_OR_SKIP(var)                                                           \
    std::string var##_why;                                                                       \
    auto var = ::nudgebot::test::postgres_server::start(var##_why);                              \
    if (!var) {                                                                                  \
        if (::nudgebot::test::postgres_server::required()) FAIL("PostgreSQL is required here: " << var##_why); \
        WARN("skipped: " << var##_why);                                                          \
        return;                                                                                  \
    }

}  // namespace nudgebot::test
