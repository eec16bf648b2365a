// Restarting `nudgebot run` with the default config (no state_file): the gateway session and the
// registered command set's hash are kept in the store, so the next process RESUMEs (no IDENTIFY)
// and registers nothing, on SQLite and on PostgreSQL.
#include "app/wiring.hpp"

#include "app/e2e_world.hpp"
#include "platforms/discord/kept_session.hpp"
#include "storage/store.hpp"
#include "support/postgres_server.hpp"

using namespace nudgebot;
using namespace nudgebot::e2e;

namespace {

const person alice{"900000000000000041", "alice"};
const std::string hostile = "you ALWAYS break the build, are you even trying??";   // written for this test
constexpr const char* channel = "1100000000000000001";

// Builds and runs the bot again from w.cfg against the same fake and the same store.
void run_again(world& w)
{
    std::ostringstream err;
    w.bot = app::bot::create(w.cfg, err, w.hooks());
    INFO(err.str());
    REQUIRE(w.bot);
    w.runner = std::thread([&w] { w.exit_code = w.bot->run(); });
}

std::size_t command_puts(const world& w) { return w.fake.count_rest("PUT", "/api/v10/applications/"); }

// The discord rows of the platform_state table right now (a second connection to the store).
std::map<std::string, std::string> kept_rows(const std::string& url)
{
    auto rows = storage::make_store(url)->load_state(core::platform::discord);
    return {rows.begin(), rows.end()};
}

}  // namespace

TEST_CASE("A restart with the default config resumes the gateway session and registers no commands",
          "[app][e2e][state]")
{
    const std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
    INFO("store: " << backend);
    world w;
    w.cfg.discord.state_file.reset();   // the default config keeps no state file
    std::unique_ptr<test::postgres_server> server;
    if (backend == "postgresql") {
        NUDGEBOT_POSTGRES_OR_SKIP(pg);
        server = std::move(pg);
        w.cfg.storage.url = server->fresh_url();
        REQUIRE(!w.cfg.storage.url.empty());
    }
    w.cfg.nudges.cooldown_minutes = 0;

    w.start();   // IDENTIFY, READY, one command PUT
    w.fake.dispatch("GUILD_CREATE", json{{"id", world::guild}, {"preferred_locale", "de"}, {"channels", json::array()}});
    REQUIRE(w.wait_answer(w.command(alice, "nudge", "on")));
    CHECK(w.shutdown() == app::exit_ok);
    const auto identifies = w.fake.identifies();
    REQUIRE(identifies == 1);
    REQUIRE(command_puts(w) == 1);
    REQUIRE(w.fake.resumes() == 0);
    {
        auto kept = kept_rows(w.cfg.storage.url);
        REQUIRE(kept.count("commands_hash") == 1);
        REQUIRE(kept.count("identity") == 1);
        CHECK(kept["identity"].find(w.fake.options().app_id) != std::string::npos);
        REQUIRE(kept.count(discord::kept_session_name(0, 1)) == 1);
        auto session = discord::kept_session::parse(kept[discord::kept_session_name(0, 1)]);
        REQUIRE(session);
        CHECK(session->seq > 0);
        // What GUILD_CREATE said, which a RESUME does not repeat.
        CHECK(session->locales == std::map<std::string, std::string>{{world::guild, "de"}});
    }

    // While nobody is connected, alice writes something heated: Discord replays it on RESUME.
    w.say(alice, hostile, channel);

    run_again(w);
    REQUIRE(eventually([&] { return w.fake.resumes() >= 1; }, 10000ms));
    // The replayed message is handled: alice, opted in before the restart, gets her nudge.
    REQUIRE(eventually([&] { return w.dms_to(alice).size() == 1; }, 10000ms));
    CHECK(w.fake.identifies() == identifies);
    // Registration would follow READY; give it the time it takes in the first run.
    std::this_thread::sleep_for(300ms);
    CHECK(command_puts(w) == 1);
    CHECK(w.fake.identifies() == identifies);
    // The resumed process knows who it is without a READY: commands are answered.
    REQUIRE(w.wait_answer(w.command(alice, "nudge", "status")));
    // While it runs the store holds no session: a crash now must not make the next process
    // resume at a sequence number this one has already handled past.
    CHECK(kept_rows(w.cfg.storage.url).count(discord::kept_session_name(0, 1)) == 0);
    CHECK(w.shutdown() == app::exit_ok);

    const auto logs = w.logs.text();
    CHECK(logs.find("resumed the session kept by the last process") != std::string::npos);
    CHECK(logs.find("command set unchanged since the last registration") != std::string::npos);
    CHECK(logs.find(world::token) == std::string::npos);
}

TEST_CASE("A kept session Discord no longer knows ends in one IDENTIFY and still no command registration",
          "[app][e2e][state]")
{
    world w;
    w.cfg.discord.state_file.reset();
    w.start();
    CHECK(w.shutdown() == app::exit_ok);
    REQUIRE(w.fake.identifies() == 1);

    w.fake.set_resume_fails(true);   // the session expired while the bot was down
    run_again(w);
    REQUIRE(eventually([&] { return w.fake.resumes() >= 1 && w.fake.identifies() >= 2; }, 10000ms));
    REQUIRE(eventually([&] { return http_get(w.bot->ops_port(), "/readyz").first == 200; }, 10000ms));
    std::this_thread::sleep_for(300ms);
    CHECK(w.fake.identifies() == 2);
    CHECK(command_puts(w) == 1);
    CHECK(w.shutdown() == app::exit_ok);
}
