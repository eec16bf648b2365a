// End to end through the fake Discord: the real wiring of `nudgebot run` (rules/en, sqlite in a
// temp folder, the Discord adapter on loopback), driven by gateway frames as people would send
// them, observed through the REST requests the bot makes.
#include "app/wiring.hpp"

#include "app/e2e_world.hpp"

using namespace nudgebot;
using namespace nudgebot::e2e;

namespace {

const person alice{"900000000000000011", "alice"};
const person bob{"900000000000000012", "bob"};
const person carol{"900000000000000013", "carol"};
const person dave{"900000000000000014", "dave"};
const person erin{"900000000000000015", "erin"};
const person frank{"900000000000000016", "frank"};

const std::string general = "1100000000000000001";
const std::string support = "1100000000000000002";
const std::string offtopic = "1100000000000000003";
const std::string random_channel = "1100000000000000004";

// Texts written for this test (never taken from the evaluation data).
const std::string question = "could somebody look at the flaky deploy job today?";
const std::string hostile = "you ALWAYS break the build, are you even trying??";
const std::string struggling = "honestly I'm exhausted and overwhelmed, I can't cope with any of this and I feel like I'm failing";
const std::string cheer_up = "just cheer up, others have it worse";
const std::string crisis = "some days I don't want to be here anymore and I think about ending my life";
const std::string crisis_again = "I keep thinking everyone would be better off without me, I want to end my life";

std::size_t buttons(const json& body)
{
    std::size_t n = 0;
    if (!body.contains("components") || !body["components"].is_array()) return 0;
    for (const auto& row : body["components"])
        if (row.contains("components") && row["components"].is_array()) n += row["components"].size();
    return n;
}

std::string content(const json& body) { return body.is_object() ? body.value("content", std::string()) : ""; }

void opt_in(world& w, const person& who)
{
    auto id = w.command(who, "nudge", "on");
    auto a = w.wait_answer(id);
    REQUIRE(a);
    CHECK((a->flags & 64) == 64);   // ephemeral
}

}  // namespace

TEST_CASE("People meet nudgebot through Discord as the issue describes, and nothing they wrote is kept",
          "[app][e2e][discord][privacy]")
{
    world w;
    w.start();

    // alice opts in: an ephemeral answer to her interaction.
    auto on = w.command(alice, "nudge", "on");
    auto on_answer = w.wait_answer(on);
    REQUIRE(on_answer);
    CHECK((on_answer->flags & 64) == 64);
    CHECK_FALSE(on_answer->content.empty());

    // bob replies to alice with a hostile message: alice gets a DM with a boundary suggestion and
    // three buttons; bob (not opted in) gets nothing.
    auto q = w.say(alice, question, general);
    auto h1 = w.say(bob, hostile, general, std::pair{q, alice});
    REQUIRE(eventually([&] { return w.dms_to(alice).size() == 1; }));
    {
        auto dm = w.dms_to(alice)[0];
        CHECK(content(dm).find("aimed at you") != std::string::npos);
        CHECK(content(dm).find("nudgebot") != std::string::npos);
        CHECK(content(dm).find(hostile) == std::string::npos);   // nobody else's words are quoted
        CHECK(buttons(dm) == 3);
        CHECK(dm.contains("allowed_mentions"));
    }
    w.settle();
    CHECK(w.dms_to(bob).empty());

    // bob opts in and sends the same again: bob gets a pause / I-statement suggestion; alice is
    // inside her cooldown and gets nothing new.
    opt_in(w, bob);
    auto h2 = w.say(bob, hostile, general, std::pair{q, alice});
    REQUIRE(eventually([&] { return w.dms_to(bob).size() == 1; }));
    {
        auto dm = w.dms_to(bob)[0];
        CHECK(content(dm).find("your message") != std::string::npos);
        CHECK(buttons(dm) == 3);
    }
    // A second hostile message inside the cooldown: no nudge to anyone.
    w.say(bob, hostile, general, std::pair{q, alice});
    w.settle();
    CHECK(w.dms_to(bob).size() == 1);
    CHECK(w.dms_to(alice).size() == 1);

    // carol posts distress: only carol gets a self-compassion nudge.
    opt_in(w, carol);
    opt_in(w, dave);
    const auto before_carol = w.all_dms();
    auto c1 = w.say(carol, struggling, support);
    REQUIRE(eventually([&] { return w.dms_to(carol).size() == 1; }));
    w.settle();
    CHECK(w.all_dms() == before_carol + 1);

    // dave answers carol with "cheer up": dave gets an active-listening tip.
    w.say(dave, cheer_up, support, std::pair{c1, carol});
    REQUIRE(eventually([&] { return w.dms_to(dave).size() == 1; }));
    CHECK(content(w.dms_to(dave)[0]).find("in your reply") != std::string::npos);
    w.settle();
    CHECK(w.dms_to(carol).size() == 1);

    // A crisis message: the crisis card for its author only, once per day.
    opt_in(w, erin);
    const auto before_crisis = w.all_dms();
    w.say(erin, crisis, offtopic);
    REQUIRE(eventually([&] { return w.dms_to(erin).size() == 1; }));
    CHECK(content(w.dms_to(erin)[0]).find("988") != std::string::npos);
    w.say(erin, crisis_again, random_channel);
    w.settle();
    CHECK(w.dms_to(erin).size() == 1);
    CHECK(w.all_dms() == before_crisis + 1);

    // A member who is not a moderator calls /nudge-admin: a polite, private refusal.
    auto admin = w.command(frank, "nudge-admin", "stats");
    auto refusal = w.wait_answer(admin);
    REQUIRE(refusal);
    CHECK((refusal->flags & 64) == 64);
    CHECK(refusal->content.find("Sorry") != std::string::npos);
    CHECK(refusal->content.find("manage this server") != std::string::npos);

    // The message command answers within Discord's deadline, privately, without quoting.
    const auto asked = std::chrono::steady_clock::now();
    auto pull = w.suggest_reply(alice, h1, bob, hostile, general);
    auto pulled = w.wait_answer(pull, 3000ms);
    REQUIRE(pulled);
    CHECK(pulled->at - asked < std::chrono::milliseconds(3000));
    CHECK((pulled->flags & 64) == 64);
    CHECK_FALSE(pulled->content.empty());
    CHECK(pulled->content.find(hostile) == std::string::npos);

    // bob asks to be forgotten.
    auto forget = w.command(bob, "nudge", "forget-me");
    REQUIRE(w.wait_answer(forget));
    (void)h2;

    CHECK(w.shutdown() == app::exit_ok);

    // Nothing about bob is left in the database, and no text that was sent is anywhere on disk.
    const auto bytes = w.db_bytes();
    REQUIRE_FALSE(bytes.empty());
    CHECK(bytes.find(bob.id) == std::string::npos);
    CHECK(bytes.find(alice.id) != std::string::npos);   // the scan can see ids that are there
    const auto logs = w.logs.text();
    REQUIRE_FALSE(logs.empty());
    for (const auto& t : {question, hostile, struggling, cheer_up, crisis, crisis_again}) {
        CHECK(bytes.find(t) == std::string::npos);
        CHECK(logs.find(t) == std::string::npos);
    }
    // The token went to Discord (the fake saw it) but into no log line.
    CHECK(logs.find(world::token) == std::string::npos);
    CHECK(logs.find("Zq9x") == std::string::npos);
    bool sent_token = false;
    for (const auto& r : w.fake.rest_requests())
        if (r.headers.count("authorization") && r.headers.at("authorization") == std::string("Bot ") + world::token)
            sent_token = true;
    CHECK(sent_token);
}

TEST_CASE("The ops endpoints serve Prometheus metrics and a health check while the bot runs",
          "[app][e2e][ops]")
{
    world w;
    w.start();
    REQUIRE(w.bot->ops_port() != 0);

    auto [health_status, health_body] = http_get(w.bot->ops_port(), "/healthz");
    CHECK(health_status == 200);
    auto health = json::parse(health_body, nullptr, false);
    REQUIRE(health.is_object());
    CHECK(health["status"] == "ok");
    CHECK(health["shards_running"] == 1);
    CHECK(health["store_reachable"] == 1);
    CHECK(http_get(w.bot->ops_port(), "/readyz").first == 200);
    CHECK(http_get(w.bot->ops_port(), "/livez").first == 200);

    opt_in(w, alice);
    auto [metrics_status, metrics_body] = http_get(w.bot->ops_port(), "/metrics");
    CHECK(metrics_status == 200);
    CHECK(metrics_body.find("# TYPE process_resident_memory_bytes gauge") != std::string::npos);
    CHECK(metrics_body.find("process_cpu_seconds_total ") != std::string::npos);
    CHECK(metrics_body.find("discord_gateway_frames_total") != std::string::npos);
    CHECK(metrics_body.find("nudgebot_commands_total") != std::string::npos);
    CHECK(metrics_body.find(world::token) == std::string::npos);
    // Latency histograms and state gauges, each with HELP and TYPE lines, present from the start.
    for (const char* name : {"nudgebot_store_operation_seconds", "nudgebot_decision_seconds", "nudgebot_delivery_seconds"}) {
        INFO(name);
        CHECK(metrics_body.find(std::string("# HELP ") + name + " ") != std::string::npos);
        CHECK(metrics_body.find(std::string("# TYPE ") + name + " histogram\n") != std::string::npos);
    }
    CHECK(metrics_body.find("nudgebot_store_operation_seconds_count{op=\"forget_user\"} ") != std::string::npos);
    CHECK(metrics_body.find("nudgebot_store_operation_seconds_count{op=\"put_consent\"} ") != std::string::npos);
    for (const char* name : {"nudgebot_store_queue_depth", "nudgebot_discord_shards_running", "nudgebot_ready"}) {
        INFO(name);
        CHECK(metrics_body.find(std::string("# TYPE ") + name + " gauge\n") != std::string::npos);
    }
    CHECK(metrics_body.find("nudgebot_platform_connected{platform=\"discord\"} 1\n") != std::string::npos);

    CHECK(http_get(w.bot->ops_port(), "/nope").first == 404);

    // The only shard is closed for good by Discord (4004: authentication failed): unhealthy, then
    // the bot exits with 3 so that systemd does not restart it in a loop.
    w.fake.close(4004);
    REQUIRE(eventually([&] { return w.exit_code != -1; }, 5000ms));
    if (w.runner.joinable()) w.runner.join();
    CHECK(w.exit_code.load() == app::exit_fatal_platform);
    CHECK(w.logs.text().find("restarting will not help") != std::string::npos);
}

TEST_CASE("The operator's default style applies to people who opt in without choosing one",
          "[app][e2e][config]")
{
    world w;
    w.cfg.nudges.default_style = app::suggestion_style::direct;
    w.start();
    auto on = w.command(alice, "nudge", "on");
    auto a = w.wait_answer(on);
    REQUIRE(a);
    CHECK(a->content.find("Style: direct") != std::string::npos);
    auto chosen = w.command(bob, "nudge", "on", json::array({{{"type", 3}, {"name", "style"}, {"value", "gentle"}}}));
    auto b = w.wait_answer(chosen);
    REQUIRE(b);
    CHECK(b->content.find("Style: gentle") != std::string::npos);
}
