// Reloading the router's options (nudges.*, rules.sensitivity) with its rules and suggestions, as
// SIGHUP does: the next event uses all of the new ones, and work already under way keeps its own.
#include "routing/event_router.hpp"

#include "routing/harness.hpp"

#include <vector>

using namespace nudgebot;
using namespace nudgebot::testing;
using namespace std::chrono_literals;

namespace {

// Written for these tests.
const std::string heated = "(a heated message aimed at a colleague)";

bool has(const std::string& haystack, std::string_view needle) { return haystack.find(needle) != std::string::npos; }

std::unique_ptr<nudge::composer> test_composer(std::string_view mark = "")
{
    core::diagnostics diags;
    auto lib = nudge::load_suggestions(NUDGEBOT_SOURCE_DIR "/tests/nudge/data/suggestions.json", diags);
    REQUIRE(lib);
    for (auto& f : lib->families) {
        for (auto& t : f.gentle) t.insert(0, mark);
        for (auto& t : f.direct) t.insert(0, mark);
    }
    return std::make_unique<nudge::composer>(std::move(*lib));
}

commands::bot_options options_with(std::uint32_t daily_cap, const char* sensitivity)
{
    commands::bot_options o;
    o.policy.user_cooldown = 0s;
    o.policy.daily_cap = daily_cap;
    o.server_defaults.sensitivity = sensitivity;
    o.packs = {"conflict", "distress", "crisis", "dismissal", "kindness"};
    return o;
}

}  // namespace

TEST_CASE("A reloaded default sensitivity reaches the next analysis; a server whose moderators chose one keeps it",
          "[routing][reload]")
{
    std::vector<std::pair<std::string, engine::sensitivity>> seen;   // server, sensitivity analysed at
    std::string server_of_next;
    const commands::analyze_fn recorder = [&](std::string_view, engine::sensitivity s, engine::message_context) {
        seen.emplace_back(server_of_next, s);
        return engine::analysis{};
    };
    harness h(recorder, options_with(3, "medium"));
    const auto say_in = [&](const std::string& server) {
        server_of_next = server;
        auto m = message(std::to_string(h.next_id++), "alice", "c1", server);
        m.text = "(an ordinary message)";
        h.bot->handle(core::message_created{m});
        h.pump();
    };
    // g1's moderators chose low (saved settings); g2 never changed anything.
    h.command("mod", "nudge-admin", {"sensitivity"}, {{"level", "low"}}, true);
    say_in("g1");
    say_in("g2");
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].second == engine::sensitivity::low);
    CHECK(seen[1].second == engine::sensitivity::medium);

    h.bot->reload(recorder, *h.composer, options_with(3, "high"));
    say_in("g1");
    say_in("g2");
    REQUIRE(seen.size() == 4);
    CHECK(seen[2].second == engine::sensitivity::low);    // the moderators' choice stays
    CHECK(seen[3].second == engine::sensitivity::high);   // the new default
    CHECK(h.bot->options().server_defaults.sensitivity == "high");
    CHECK(h.bot->settings_of(core::platform::discord, core::server_id{"g2"}).sensitivity == "high");
}

TEST_CASE("A reloaded daily cap applies to the next decision and today's count carries over", "[routing][reload]")
{
    harness h({}, options_with(1, "medium"));
    h.analyses[heated] = hostile();
    h.command("alice", "nudge", {"on"});
    h.say("alice", heated);
    h.say("alice", heated);
    REQUIRE(h.delivery.dms_to("alice").size() == 1);   // cap 1

    h.bot->reload(
        [&](std::string_view text, engine::sensitivity, engine::message_context) {
            auto it = h.analyses.find(std::string(text));
            return it == h.analyses.end() ? engine::analysis{} : it->second;
        },
        *h.composer, options_with(2, "medium"));
    CHECK(h.bot->options().policy.daily_cap == 2);
    h.say("alice", heated);
    CHECK(h.delivery.dms_to("alice").size() == 2);
    h.say("alice", heated);
    CHECK(h.delivery.dms_to("alice").size() == 2);   // 2 of 2 today: the first one still counts

    // `/nudge on` tells people the cap in use.
    auto again = h.command("bob", "nudge", {"on"});
    CHECK(has(h.answer_text(again), "2 a day"));
}

TEST_CASE("A push nudge waiting for the store's daily claim is worded by the configuration its decision was made "
          "with",
          "[routing][reload]")
{
    harness h;
    h.shared_store = true;
    const auto analyze = [&](std::string_view text, engine::sensitivity, engine::message_context) {
        auto it = h.analyses.find(std::string(text));
        return it == h.analyses.end() ? engine::analysis{} : it->second;
    };
    h.use(test_composer(), analyze, options_with(3, "medium"));
    h.analyses[heated] = hostile();
    h.command("alice", "nudge", {"on"});
    auto first = h.say("alice", "(alice asks about the release)");
    h.clock.advance(30s);

    // bob's reply is decided now; alice's nudge waits for the store's answer to its claim.
    auto reply = message(std::to_string(h.next_id++), "bob");
    reply.reply_to = first.id;
    reply.reply_to_author = first.author;
    reply.text = heated;
    h.bot->handle(core::message_created{reply});
    // The reload lands before the claim's answer: every suggestion of the new library is marked.
    auto marked = test_composer("(new) ");
    h.bot->reload(analyze, *marked, options_with(3, "medium"));
    h.pump();
    auto dms = h.delivery.dms_to("alice");
    REQUIRE(dms.size() == 1);
    CHECK_FALSE(has(dms[0]->message.text, "(new) "));

    // The next decision uses the new library.
    h.clock.advance(1min);
    h.say("bob", heated, &first);
    dms = h.delivery.dms_to("alice");
    REQUIRE(dms.size() == 2);
    CHECK(has(dms[1]->message.text, "(new) "));
    h.close();   // before `marked` goes
}

TEST_CASE("forget-me after a reload also clears what the earlier suggestion library remembers about the person",
          "[routing][reload][privacy]")
{
    harness h({}, options_with(3, "medium"));
    h.analyses[heated] = hostile();
    const core::user_id alice{"alice"};
    h.command("alice", "nudge", {"on"});
    auto first = h.say("alice", "(alice asks about the release)");
    h.clock.advance(30s);
    // bob's heated reply is aimed at alice: she gets a library line, which the rotation remembers.
    h.say("bob", heated, &first);
    REQUIRE(h.delivery.dms_to("alice").size() == 1);
    REQUIRE(h.composer->remembers(alice));

    auto next = test_composer();
    h.bot->reload(
        [&](std::string_view text, engine::sensitivity, engine::message_context) {
            auto it = h.analyses.find(std::string(text));
            return it == h.analyses.end() ? engine::analysis{} : it->second;
        },
        *next, options_with(3, "medium"));
    h.clock.advance(1min);
    h.say("bob", heated, &first);
    REQUIRE(h.delivery.dms_to("alice").size() == 2);
    REQUIRE(next->remembers(alice));
    h.command("alice", "nudge", {"forget-me"});
    CHECK_FALSE(h.composer->remembers(alice));
    CHECK_FALSE(next->remembers(alice));
    h.close();   // before `next` goes
}
