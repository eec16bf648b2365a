#include "platforms/slack/normalise.hpp"

#include "core/command_text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nudgebot;
using nlohmann::json;

TEST_CASE("Slash-command text is split into subcommand path and options against the command set", "[slack][commands]")
{
    const auto& admin = *core::find_command("nudge-admin");
    const auto& nudge = *core::find_command("nudge");
    auto r = core::parse_command_text(admin, "channels enable <#C0123|general>", slack::channel_ref);
    REQUIRE(r.ok);
    CHECK(r.path == std::vector<std::string>{"channels", "enable"});
    CHECK(r.options.at("channel") == "C0123");

    r = core::parse_command_text(admin, "  CHANNELS   list ");
    REQUIRE(r.ok);
    CHECK(r.path == std::vector<std::string>{"channels", "list"});

    r = core::parse_command_text(nudge, "check   this draft:  keeps   its spacing ");
    REQUIRE(r.ok);
    CHECK(r.options.at("text") == "this draft:  keeps   its spacing");

    r = core::parse_command_text(nudge, "on direct no");
    REQUIRE(r.ok);
    CHECK(r.options == std::map<std::string, std::string>{{"style", "direct"}, {"crisis_card", "false"}});

    r = core::parse_command_text(admin, "stats days=120");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("from 1 to 90") != std::string::npos);

    r = core::parse_command_text(admin, "alerts on");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("`channel` is required") != std::string::npos);

    r = core::parse_command_text(admin, "channels enable general", slack::channel_ref);
    CHECK_FALSE(r.ok);

    r = core::parse_command_text(nudge, "off and more words");
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("more words") == std::string::npos);   // the typed text is never echoed

    r = core::parse_command_text(nudge, "");
    REQUIRE(r.ok);
    CHECK(r.path == std::vector<std::string>{"help"});
}

TEST_CASE("Slack timestamps and markdown are converted without surprises", "[slack]")
{
    using namespace std::chrono_literals;
    CHECK(slack::parse_ts("1610241741.000200") == core::wall_time{} + 1610241741s + 200us);
    CHECK(slack::parse_ts("12") == core::wall_time{} + 12s);
    CHECK_FALSE(slack::parse_ts("abc"));
    CHECK_FALSE(slack::parse_ts("1.2x"));
    CHECK(slack::to_mrkdwn("**bold** and *it*") == "*bold* and *it*");
    CHECK(slack::channel_ref("<#G777>") == std::optional<std::string>("G777"));
    CHECK_FALSE(slack::channel_ref("<#c777|x>"));
}

TEST_CASE("Any JSON value as an envelope yields a skip, never an exception", "[slack][robustness]")
{
    const char* samples[] = {"null", "1", "\"x\"", "[]", "{}", R"({"type":5})", R"({"type":"events_api"})",
                             R"({"type":"events_api","payload":[]})", R"({"type":"events_api","payload":{"event":[]}})",
                             R"({"type":"events_api","payload":{"event":{"type":"message","user":1,"ts":2}}})",
                             R"({"type":"slash_commands","payload":{"command":7}})",
                             R"({"type":"interactive","payload":{"type":"block_actions","user":{"id":"U1"},"actions":[1]}})",
                             R"({"type":"interactive","payload":{"type":"message_action","callback_id":"suggest_reply","user":{"id":"U1"},"message":"x"}})"};
    for (const char* s : samples) {
        auto j = json::parse(s);
        auto f = slack::read_frame(j);
        CHECK_NOTHROW(slack::normalise_envelope(f, j, "UBOT", {}));
        CHECK_FALSE(slack::normalise_envelope(f, j, "UBOT", {}).event);
    }
}
