#include "platforms/mattermost/adapter.hpp"

#include "platforms/mattermost/harness.hpp"
#include "support/scenario_world.hpp"

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;

TEST_CASE("On Mattermost, alice opts in, bob's hostile reply gets her a private boundary suggestion and carol's "
          "distress reaches only carol",
          "[mattermost][scenario]")
{
    mm_harness h;
    world w(h, core::platform::mattermost);
    REQUIRE(h.start_and_wait_ready());
    auto alice = mm_user("alice"), bob = mm_user("bob"), carol = mm_user("carol");

    h.bot->handle_http(h.command("/nudge", "on", alice, "on-alice"));
    h.bot->handle_http(h.command("/nudge", "on", carol, "on-carol"));
    REQUIRE(h.run_until([&] {
        return h.fake.calls("POST", "/hooks/commands/on-alice").size() == 1 &&
               h.fake.calls("POST", "/hooks/commands/on-carol").size() == 1;
    }));

    auto root = h.post(alice, "could someone review the release checklist?");
    h.fake.post_event("posted", root);
    h.fake.post_event("posted", h.post(bob, "you ALWAYS wreck the release, do you even read it??", root["id"]));
    REQUIRE(h.run_until([&] { return h.fake.calls("POST", "/api/v4/posts").size() >= 1; }));
    h.fake.post_event("posted", h.post(carol, "I'm so exhausted, I can't keep up with any of it anymore and I feel like I'm failing",
                                       "", "chan00000000000000000000002"));
    REQUIRE(h.run_until([&] { return h.fake.calls("POST", "/api/v4/posts").size() >= 2; }));
    h.run_for(200ms);

    auto direct = h.fake.calls("POST", "/api/v4/channels/direct");
    REQUIRE(direct.size() == 2);
    CHECK(direct[0].body[1] == alice);
    CHECK(direct[1].body[1] == carol);
    auto posts = h.fake.calls("POST", "/api/v4/posts");
    REQUIRE(posts.size() == 2);
    CHECK(posts[0].body["message"].get<std::string>().find("aimed at you") != std::string::npos);
}
