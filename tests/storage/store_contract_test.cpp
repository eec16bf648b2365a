// The store contract, run against every backend: SQLite (a file in a temporary folder) and
// PostgreSQL (a real server started by tests/support/postgres_server.hpp for this process).
#include "storage/store.hpp"

#include "storage/async_store.hpp"
#include "storage/postgres_store.hpp"
#include "support/postgres_server.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace nudgebot;
using namespace nudgebot::storage;

namespace {

user_key alice{core::platform::discord, core::user_id{"700000000000000001"}};
user_key bob{core::platform::discord, core::user_id{"700000000000000002"}};
server_key guild{core::platform::discord, core::server_id{"800000000000000001"}};

// One PostgreSQL server per test process, started on first use; nullptr after a warning (skip)
// or a failure (when PostgreSQL is required here).
test::postgres_server* shared_postgres()
{
    static std::string why;
    static auto server = test::postgres_server::start(why);
    if (!server) {
        if (test::postgres_server::required()) FAIL("PostgreSQL is required here: " << why);
        WARN("PostgreSQL part skipped: " << why);
    }
    return server.get();
}

// A fresh, empty database of one backend.
class backend {
public:
    explicit backend(std::string kind) : kind_(std::move(kind))
    {
        if (kind_ == "sqlite") {
            std::random_device rd;
            dir_ = fs::temp_directory_path() / ("nudgebot-contract-" + std::to_string(rd()) + std::to_string(::getpid()));
            fs::create_directories(dir_);
            url_ = "sqlite:" + (dir_ / "nudgebot.db").string();
            return;
        }
        auto* pg = shared_postgres();
        if (!pg) return;
        url_ = pg->fresh_url();
        if (url_.empty()) FAIL("CREATE DATABASE failed");
    }
    ~backend()
    {
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }
    bool available() const { return !url_.empty(); }
    const std::string& url() const { return url_; }
    const std::string& kind() const { return kind_; }
    std::unique_ptr<store> open() const { return make_store(url_); }

private:
    std::string kind_;
    fs::path dir_;
    std::string url_;
};

#define EACH_BACKEND(b)                                                                         \
    backend b(GENERATE(as<std::string>{}, "sqlite", "postgresql"));                             \
    INFO("backend: " << b.kind());                                                              \
    if (!b.available()) return;

}  // namespace

TEST_CASE("Consent is stored per platform and user and read back unchanged", "[storage]")
{
    EACH_BACKEND(b);
    auto s = b.open();
    CHECK_FALSE(s->get_consent(alice));
    consent c;
    c.enabled = true;
    c.style = style::direct;
    c.crisis_card_welcome = false;
    c.muted = {"own_heated", "targeted"};
    REQUIRE(s->put_consent(alice, c));
    CHECK(s->get_consent(alice) == c);
    // Same id on another platform is another person.
    CHECK_FALSE(s->get_consent({core::platform::slack, alice.user}));
    c.enabled = false;
    c.muted.clear();
    REQUIRE(s->put_consent(alice, c));
    CHECK(s->get_consent(alice) == c);
    REQUIRE(s->put_consent(bob, consent{true, style::gentle, true, {}}));
    auto all = s->load_consents(core::platform::discord);
    CHECK(all.size() == 2);
    CHECK(s->load_consents(core::platform::mattermost).empty());
}

TEST_CASE("Server settings round-trip, including watched channels, packs and alerts", "[storage]")
{
    EACH_BACKEND(b);
    auto s = b.open();
    CHECK_FALSE(s->get_settings(guild));
    server_settings set;
    set.channels = {{"c1", true}, {"c2", false}};
    set.sensitivity = "high";
    set.disabled_packs = {"distress"};
    set.crisis = crisis_scope::everyone;
    set.alerts_channel = core::channel_id{"mods"};
    set.crisis_country = "DE";
    set.crisis_text = "Our employee assistance line: 0800 000 000 (free, confidential)";
    REQUIRE(s->put_settings(guild, set));
    CHECK(s->get_settings(guild) == set);
    set.channels.erase("c1");
    set.alerts_channel.reset();
    set.crisis_country.clear();
    set.crisis_text.clear();
    set.disabled_packs.clear();
    REQUIRE(s->put_settings(guild, set));
    CHECK(s->get_settings(guild) == set);
    auto all = s->load_settings(core::platform::discord);
    REQUIRE(all.size() == 1);
    CHECK(all[0].second == set);
    CHECK(s->load_settings(core::platform::slack).empty());
}

TEST_CASE("Counters add up per day, category, rule and outcome", "[storage][counters]")
{
    EACH_BACKEND(b);
    auto s = b.open();
    counter_key k{20450, core::platform::discord, "g", "conflict", "conflict.you_always", "delivered"};
    counter_key other = k;
    other.outcome = "suppressed:cooldown";
    REQUIRE(s->add_counts({{k, 2}, {other, 1}}));
    REQUIRE(s->add_counts({{k, 3}}));
    auto rows = s->counts(core::platform::discord, "g", 20440, 20450);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].key.outcome == "delivered");
    CHECK(rows[0].count == 5);
    CHECK(rows[1].count == 1);
    CHECK(s->counts(core::platform::discord, "g", 20451, 20460).empty());
    CHECK(s->counts(core::platform::discord, "h", 0, 30000).empty());
}

TEST_CASE("A counter batch keeps every cell apart, whatever characters its ids and rule names hold",
          "[storage][counters]")
{
    EACH_BACKEND(b);
    auto s = b.open();
    std::vector<counter_row> batch;
    const std::vector<std::string> odd_rules{"plain", R"(quote " inside)", R"(back\slash)", "comma, and {braces}",
                                             "NULL", "", "ünïcode"};
    for (std::size_t i = 0; i < odd_rules.size(); ++i)
        batch.push_back({{20450, core::platform::discord, "g,1", "conflict", odd_rules[i], "delivered"}, i + 1});
    batch.push_back({{20450, core::platform::discord, "g,1", "conflict", "plain", "delivered"}, 10});   // named twice
    REQUIRE(s->add_counts(batch));
    auto rows = s->counts(core::platform::discord, "g,1", 20450, 20450);
    REQUIRE(rows.size() == odd_rules.size());
    std::map<std::string, std::uint64_t> by_rule;
    for (const auto& r : rows) by_rule[r.key.rule] = r.count;
    for (std::size_t i = 0; i < odd_rules.size(); ++i) {
        INFO(odd_rules[i]);
        CHECK(by_rule[odd_rules[i]] == (odd_rules[i] == "plain" ? 11 : i + 1));
    }
}

TEST_CASE("A pending notice is returned once and then gone", "[storage]")
{
    EACH_BACKEND(b);
    auto s = b.open();
    REQUIRE(s->add_notice(alice, "dms_closed"));
    REQUIRE(s->add_notice(alice, "dms_closed"));
    CHECK(s->take_notices(alice) == std::vector<std::string>{"dms_closed"});
    CHECK(s->take_notices(alice).empty());
}

TEST_CASE("Platform state is kept per platform and name, replaced by a new value and deleted by an empty one",
          "[storage][state]")
{
    EACH_BACKEND(b);
    {
        auto s = b.open();
        CHECK(s->load_state(core::platform::discord).empty());
        REQUIRE(s->put_state(core::platform::discord, "gateway_session.0.2", R"({"session_id":"a","seq":1})"));
        REQUIRE(s->put_state(core::platform::discord, "gateway_session.1.2", R"({"session_id":"b","seq":7})"));
        REQUIRE(s->put_state(core::platform::discord, "commands_hash", "h1"));
        REQUIRE(s->put_state(core::platform::slack, "commands_hash", "other platform"));
        REQUIRE(s->put_state(core::platform::discord, "commands_hash", "h2"));
        REQUIRE(s->put_state(core::platform::discord, "gateway_session.1.2", ""));
        REQUIRE(s->put_state(core::platform::discord, "never_set", ""));
    }
    auto s = b.open();   // what a restart reads
    using rows = std::vector<std::pair<std::string, std::string>>;
    CHECK(s->load_state(core::platform::discord) ==
          rows{{"commands_hash", "h2"}, {"gateway_session.0.2", R"({"session_id":"a","seq":1})"}});
    CHECK(s->load_state(core::platform::slack) == rows{{"commands_hash", "other platform"}});
    CHECK(s->load_state(core::platform::mattermost).empty());
}

TEST_CASE("forget-me removes the user's consent and notices and nobody else's", "[storage][privacy]")
{
    EACH_BACKEND(b);
    auto s = b.open();
    REQUIRE(s->put_consent(alice, consent{true, style::direct, true, {"targeted"}}));
    REQUIRE(s->put_consent(bob, consent{true, style::gentle, true, {}}));
    REQUIRE(s->add_notice(alice, "dms_closed"));
    REQUIRE(s->forget_user(alice));
    CHECK_FALSE(s->get_consent(alice));
    CHECK(s->take_notices(alice).empty());
    CHECK(s->get_consent(bob));
    // Reopening (another process) sees the same.
    auto again = b.open();
    CHECK_FALSE(again->get_consent(alice));
    CHECK(again->load_consents(core::platform::discord).size() == 1);
}

TEST_CASE("Opening a store twice migrates once and keeps its rows", "[storage][migrations]")
{
    EACH_BACKEND(b);
    {
        auto s = b.open();
        REQUIRE(s->put_consent(alice, consent{true, style::direct, true, {}}));
    }
    auto s = b.open();
    auto c = s->get_consent(alice);
    REQUIRE(c);
    CHECK(c->style == style::direct);
}

TEST_CASE("An opt-in acknowledged just before SIGKILL is there after restart", "[storage][durability]")
{
    EACH_BACKEND(b);
    { b.open(); }   // migrate in the parent, so the child does only the write
    int ack[2];
    REQUIRE(::pipe(ack) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ack[0]);
        try {
            auto s = b.open();
            bool ok = s->put_consent(alice, consent{true, style::direct, true, {}});
            char c = ok ? '1' : '0';
            // The acknowledgement; the parent kills us the moment it reads it.
            (void)!::write(ack[1], &c, 1);
            for (;;) ::pause();
        } catch (...) {
            ::_exit(3);
        }
    }
    ::close(ack[1]);
    char c = 0;
    REQUIRE(::read(ack[0], &c, 1) == 1);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(ack[0]);
    REQUIRE(c == '1');
    CHECK(WIFSIGNALED(status));
    auto reopened = b.open();
    auto got = reopened->get_consent(alice);
    REQUIRE(got);
    CHECK(got->enabled);
    CHECK(got->style == style::direct);
}

TEST_CASE("A shared store reports every consent and settings change to every process", "[storage][shared]")
{
    EACH_BACKEND(b);
    auto one = b.open();
    auto two = b.open();
    if (!one->shared()) {
        // An embedded store belongs to one process: no feed, and caps are the RAM policy's.
        CHECK(one->take_changes(0).empty());
        CHECK(one->claim_daily(alice, 1, "push", 1));
        CHECK(one->claim_daily(alice, 1, "push", 1));
        return;
    }
    REQUIRE(one->put_consent(alice, consent{true, style::gentle, true, {}}));
    REQUIRE(one->put_settings(guild, server_settings{}));
    REQUIRE(one->forget_user(bob));
    std::vector<change> seen;
    for (int i = 0; i < 40 && seen.size() < 3; ++i) {
        auto more = two->take_changes(50);
        seen.insert(seen.end(), more.begin(), more.end());
    }
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == change{change::kind::consent, core::platform::discord, alice.user.str()});
    CHECK(seen[1] == change{change::kind::settings, core::platform::discord, guild.server.str()});
    CHECK(seen[2] == change{change::kind::consent, core::platform::discord, bob.user.str()});
    // The writer hears its own changes too (its RAM was already updated; the refresh is harmless).
    CHECK(one->take_changes(200).size() == 3);
}

TEST_CASE("Daily claims hold across processes and start again the next day", "[storage][shared]")
{
    EACH_BACKEND(b);
    auto one = b.open();
    if (!one->shared()) return;   // covered above
    auto two = b.open();
    CHECK(one->claim_daily(alice, 100, "push", 3));
    CHECK(two->claim_daily(alice, 100, "push", 3));
    CHECK(one->claim_daily(alice, 100, "push", 3));
    CHECK_FALSE(two->claim_daily(alice, 100, "push", 3));
    CHECK_FALSE(one->claim_daily(alice, 100, "push", 3));
    CHECK(two->claim_daily(alice, 100, "crisis", 1));   // another kind, its own cap
    CHECK_FALSE(one->claim_daily(alice, 100, "crisis", 1));
    CHECK(one->claim_daily(bob, 100, "push", 3));       // another person
    CHECK(two->claim_daily(alice, 101, "push", 3));     // the next day
    CHECK_FALSE(one->claim_daily(alice, 101, "push", 0));
    // forget-me drops the claims too (they name the user).
    REQUIRE(one->forget_user(alice));
    CHECK(one->claim_daily(alice, 101, "push", 1));
}

TEST_CASE("The async store brings another process's change to this one's listener", "[storage][shared][async]")
{
    EACH_BACKEND(b);
    if (!b.open()->shared()) return;
    std::mutex m;
    std::vector<refreshed_row> got;
    async_store mine(b.open(), [](std::function<void()> f) { f(); });
    mine.on_changes([&](std::vector<refreshed_row> rows) {
        std::lock_guard lock(m);
        for (auto& r : rows) got.push_back(std::move(r));
    });
    auto other = b.open();
    auto start = std::chrono::steady_clock::now();
    REQUIRE(other->put_consent(alice, consent{true, style::direct, true, {}}));
    auto seen = [&] {
        std::lock_guard lock(m);
        return !got.empty();
    };
    while (!seen() && std::chrono::steady_clock::now() - start < std::chrono::seconds(5))
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    auto took = std::chrono::steady_clock::now() - start;
    std::lock_guard lock(m);
    REQUIRE(got.size() == 1);
    CHECK(got[0].what.id == alice.user.str());
    REQUIRE(got[0].consent_now);
    CHECK(got[0].consent_now->style == style::direct);
    CHECK(took < std::chrono::seconds(1));
}

TEST_CASE("Claims and counter batches skip the wait for the disk in their own transaction only",
          "[storage][postgres]")
{
    auto* pg = shared_postgres();
    if (!pg) return;
    const auto url = pg->fresh_url();
    REQUIRE(!url.empty());
    postgres_store s(url);
    REQUIRE(s.claim_daily(alice, 20000, "push", 3));
    REQUIRE(s.add_counts({{{20000, core::platform::discord, "g", "conflict", "r", "delivered"}, 1}}));
    // The connection's own setting is untouched: the next consent write waits for the disk.
    CHECK(s.synchronous_commit() == "on");
    CHECK(s.claim_daily(alice, 20000, "push", 3));
    CHECK(s.claim_daily(alice, 20000, "push", 3));
    CHECK_FALSE(s.claim_daily(alice, 20000, "push", 3));
}

TEST_CASE("On a pool of PostgreSQL connections, forget-me still erases the claims submitted before it",
          "[storage][postgres][pool]")
{
    auto* pg = shared_postgres();
    if (!pg) return;
    const auto url = pg->fresh_url();
    REQUIRE(!url.empty());
    {
        auto pool = make_store_pool(url);
        REQUIRE(pool.size() == postgres_store::pool_connections);
        async_store as(std::move(pool), [](std::function<void()> f) { f(); });
        as.submit([](store& s) { return s.put_consent(alice, consent{true, style::gentle, true, {}}); }, [](bool) {});
        for (int i = 0; i < 20; ++i) {
            as.submit([](store& s) { return s.claim_daily(alice, 20000, "push", 100); }, [](bool) {});
            as.submit([](store& s) { return s.claim_daily(bob, 20000, "push", 100); }, [](bool) {});
        }
        as.submit([](store& s) { return s.forget_user(alice); }, [](bool) {});
        as.wait_idle();
    }
    postgres_store s(url);
    CHECK_FALSE(s.get_consent(alice));
    // alice's count starts again at 1 (her 20 claims are gone); bob's 20 are all there.
    CHECK(s.claim_daily(alice, 20000, "push", 1));
    CHECK_FALSE(s.claim_daily(bob, 20000, "push", 20));
    CHECK(s.claim_daily(bob, 20000, "push", 21));
}

TEST_CASE("Settings documents read back whatever fields they hold", "[storage][postgres]")
{
    server_settings set;
    set.channels = {{"c\"1", true}};
    set.alerts_channel = core::channel_id{"m"};
    CHECK(settings_from_json(settings_to_json(set)) == set);
    // Unknown fields (from a newer nudgebot) are ignored, missing ones keep their defaults.
    auto older = settings_from_json(R"({"sensitivity":"high","future_field":{"x":1}})");
    CHECK(older.sensitivity == "high");
    CHECK(older.crisis == crisis_scope::opted_in);
    CHECK(older.channels.empty());
    CHECK(settings_from_json("not json") == server_settings{});
}

TEST_CASE("A PostgreSQL database from a newer nudgebot is refused with a clear error", "[storage][postgres][migrations]")
{
    auto* pg = shared_postgres();
    if (!pg) return;
    auto url = pg->fresh_url();
    REQUIRE_FALSE(url.empty());
    { postgres_store s(url); CHECK(s.schema_version() == postgres_store::latest_schema_version()); }
    auto db = test::postgres_server::database_of(url);
    REQUIRE(pg->psql(db, "UPDATE nudgebot_schema SET version = 99;"));
    CHECK_THROWS_WITH(postgres_store(url), Catch::Contains("newer than this nudgebot"));
    CHECK_THROWS_WITH(make_store("postgresql:///nope?host=" + pg->dir().string() + "&port=5432&user=nudgebot"),
                      Catch::Contains("cannot connect"));
}
