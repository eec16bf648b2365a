// The gateway session as it is kept in the store between two processes.
#include "platforms/discord/kept_session.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot::discord;

TEST_CASE("A kept gateway session reads back as it was written, without the token", "[discord][state]")
{
    kept_session s;
    s.session_id = "session-7";
    s.seq = 4242;
    s.resume_url = "wss://gateway-us-east1-b.discord.gg";
    s.saved_at = std::chrono::system_clock::time_point{std::chrono::seconds{1767225600}};
    const auto text = s.to_text();
    auto back = kept_session::parse(text);
    REQUIRE(back);
    CHECK(back->session_id == "session-7");
    CHECK(back->seq == 4242);
    CHECK(back->resume_url == s.resume_url);
    CHECK(back->saved_at == s.saved_at);
    CHECK(text.find("token") == std::string::npos);
    CHECK(kept_session_name(3, 16) == "gateway_session.3.16");
}

TEST_CASE("A malformed or incomplete kept session is refused, never thrown at", "[discord][state][untrusted]")
{
    for (const char* text : {"", "null", "[]", "{", R"({"session_id":"a","seq":1,"resume_url":"wss://x"})",
                             R"({"session_id":"","seq":1,"resume_url":"wss://x","saved_at":1})",
                             R"({"session_id":"a","seq":-1,"resume_url":"wss://x","saved_at":1})",
                             R"({"session_id":"a","seq":"1","resume_url":"wss://x","saved_at":1})",
                             R"({"session_id":"a","seq":1,"resume_url":"wss://x","saved_at":99999999999999999})",
                             R"({"session_id":7,"seq":1,"resume_url":"wss://x","saved_at":1})"}) {
        INFO(text);
        CHECK_FALSE(kept_session::parse(text));
    }
    CHECK(kept_session::parse(R"({"session_id":"a","seq":0,"resume_url":"wss://x","saved_at":1})"));
}

TEST_CASE("The kept identity and each kept session's server locales come back to the next process",
          "[discord][state]")
{
    kept_identity k{"700000000000000002", "700000000000000001"};
    auto back = kept_identity::parse(k.to_text());
    REQUIRE(back);
    CHECK(back->bot_user_id == k.bot_user_id);
    CHECK(back->application_id == k.application_id);
    for (const char* text : {"", "{}", R"({"bot_user_id":"1"})", R"({"bot_user_id":"","application_id":"2"})",
                             R"({"bot_user_id":1,"application_id":"2"})"}) {
        INFO(text);
        CHECK_FALSE(kept_identity::parse(text));
    }

    kept_session s;
    s.session_id = "s";
    s.seq = 1;
    s.resume_url = "wss://x";
    s.locales = {{"1000000000000000001", "de"}, {"1000000000000000002", ""}};
    auto again = kept_session::parse(s.to_text());
    REQUIRE(again);
    CHECK(again->locales == s.locales);
    auto odd = kept_session::parse(R"({"session_id":"a","seq":1,"resume_url":"wss://x","saved_at":1,)"
                                   R"("locales":{"3":7,"4":"fr"}})");
    REQUIRE(odd);
    CHECK(odd->locales == std::map<std::string, std::string>{{"4", "fr"}});
}

TEST_CASE("A server belongs to the shard Discord assigns it: (id >> 22) % count", "[discord][state]")
{
    // 175928847299117063 >> 22 = 41944705796
    CHECK(shard_of("175928847299117063", 1) == 0u);
    CHECK(shard_of("175928847299117063", 16) == 41944705796ull % 16);
    CHECK(shard_of("175928847299117063", 7) == 41944705796ull % 7);
    CHECK_FALSE(shard_of("", 4));
    CHECK_FALSE(shard_of("12a", 4));
    CHECK_FALSE(shard_of("99999999999999999999999", 4));
    CHECK_FALSE(shard_of("1", 0));
}
