#include "platforms/discord/normalise.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nudgebot;
using nlohmann::json;

namespace {

const discord::identity me{"700000000000000002", "700000000000000001"};
const auto now = std::chrono::steady_clock::now();

// Payloads below are shaped after Discord's documented examples, with our own ids and text.
json guild_message()
{
    return json::parse(R"({
      "id": "1200000000000000001", "channel_id": "1100000000000000001", "guild_id": "1000000000000000001",
      "author": {"id": "900000000000000001", "username": "robin", "global_name": "Robin"},
      "member": {"nick": "robin-the-reviewer", "roles": []},
      "content": "could you take another look at the patch",
      "timestamp": "2026-02-03T04:05:06.789000+00:00",
      "mentions": [{"id": "900000000000000002", "username": "kai"}],
      "message_reference": {"message_id": "1200000000000000000", "channel_id": "1100000000000000001"},
      "referenced_message": {"id": "1200000000000000000", "author": {"id": "900000000000000002"}},
      "type": 19
    })");
}

json slash_command(const std::string& permissions)
{
    auto j = json::parse(R"({
      "id": "1300000000000000001", "type": 2, "token": "tok-abc",
      "guild_id": "1000000000000000001", "channel_id": "1100000000000000001",
      "member": {"user": {"id": "900000000000000003", "username": "mod"}, "permissions": "0"},
      "data": {"id": "1", "name": "nudge-admin", "type": 1, "options": [
        {"type": 2, "name": "channels", "options": [
          {"type": 1, "name": "enable", "options": [{"type": 7, "name": "channel", "value": "1100000000000000009"}]}
        ]}
      ]}
    })");
    j["member"]["permissions"] = permissions;
    return j;
}

}  // namespace

TEST_CASE("A guild message becomes a chat message with reply, mentions and time", "[discord][normalise]")
{
    auto n = discord::normalise_dispatch("MESSAGE_CREATE", guild_message(), me, now);
    REQUIRE(n.event);
    const auto& m = std::get<core::message_created>(*n.event).message;
    CHECK(m.server.str() == "1000000000000000001");
    CHECK(m.channel.str() == "1100000000000000001");
    CHECK(m.author.str() == "900000000000000001");
    CHECK(m.author_name == "robin-the-reviewer");
    CHECK(m.text == "could you take another look at the patch");
    REQUIRE(m.reply_to);
    CHECK(m.reply_to->str() == "1200000000000000000");
    REQUIRE(m.reply_to_author);
    CHECK(m.reply_to_author->str() == "900000000000000002");
    REQUIRE(m.mentions.size() == 1);
    CHECK(m.sent_at == std::chrono::sys_days{std::chrono::year{2026} / 2 / 3} + std::chrono::hours{4} +
                           std::chrono::minutes{5} + std::chrono::seconds{6} + std::chrono::microseconds{789000});
    CHECK_FALSE(n.guild_message_without_content);
}

TEST_CASE("Messages from bots, webhooks and the bot itself produce no event", "[discord][normalise]")
{
    auto bot = guild_message();
    bot["author"]["bot"] = true;
    CHECK(discord::normalise_dispatch("MESSAGE_CREATE", bot, me, now).skipped == discord::skip_reason::from_bot);
    auto hook = guild_message();
    hook["webhook_id"] = "5";
    CHECK_FALSE(discord::normalise_dispatch("MESSAGE_CREATE", hook, me, now).event);
    auto self = guild_message();
    self["author"]["id"] = me.bot_user_id;
    CHECK(discord::normalise_dispatch("MESSAGE_CREATE", self, me, now).skipped == discord::skip_reason::from_self);
}

TEST_CASE("A guild message with empty content is flagged as a missing MESSAGE_CONTENT intent", "[discord][normalise]")
{
    auto m = guild_message();
    m["content"] = "";
    CHECK(discord::normalise_dispatch("MESSAGE_CREATE", m, me, now).guild_message_without_content);
    m.erase("guild_id");   // a DM always has content
    CHECK_FALSE(discord::normalise_dispatch("MESSAGE_CREATE", m, me, now).guild_message_without_content);
}

TEST_CASE("Edits, partial edits and deletes are normalised", "[discord][normalise]")
{
    auto edit = guild_message();
    edit["content"] = "new words";
    auto n = discord::normalise_dispatch("MESSAGE_UPDATE", edit, me, now);
    REQUIRE(n.event);
    CHECK(std::get<core::message_edited>(*n.event).message.text == "new words");
    json partial{{"id", "1"}, {"channel_id", "2"}, {"embeds", json::array()}};
    CHECK(discord::normalise_dispatch("MESSAGE_UPDATE", partial, me, now).skipped == discord::skip_reason::partial);
    auto del = discord::normalise_dispatch("MESSAGE_DELETE", json{{"id", "1"}, {"channel_id", "2"}, {"guild_id", "3"}},
                                           me, now);
    REQUIRE(del.event);
    CHECK(std::get<core::message_deleted>(*del.event).id.str() == "1");
}

TEST_CASE("A slash command keeps its subcommand path, options as text and the moderator flag",
          "[discord][normalise][commands]")
{
    auto n = discord::normalise_dispatch("INTERACTION_CREATE", slash_command("32"), me, now);
    REQUIRE(n.event);
    const auto& c = std::get<core::command_invocation>(*n.event);
    CHECK(c.name == "nudge-admin");
    CHECK(c.path == std::vector<std::string>{"channels", "enable"});
    CHECK(c.options.at("channel") == "1100000000000000009");
    CHECK(c.invoker.str() == "900000000000000003");
    CHECK(c.invoker_is_moderator);
    CHECK(c.reply.id == "1300000000000000001");
    CHECK(c.reply.token == "tok-abc");
    CHECK(c.reply.received_at == now);

    auto admin = discord::normalise_dispatch("INTERACTION_CREATE", slash_command("8"), me, now);
    CHECK(std::get<core::command_invocation>(*admin.event).invoker_is_moderator);
    auto member = discord::normalise_dispatch("INTERACTION_CREATE", slash_command("1024"), me, now);
    CHECK_FALSE(std::get<core::command_invocation>(*member.event).invoker_is_moderator);
    CHECK_FALSE(discord::is_moderator("not a number"));
    CHECK(discord::is_moderator("2147483647"));
}

TEST_CASE("A message command carries its target message and maps back to suggest-reply",
          "[discord][normalise][commands]")
{
    auto j = json::parse(R"({
      "id": "1400000000000000001", "type": 2, "token": "tok-msg",
      "guild_id": "1000000000000000001", "channel_id": "1100000000000000001",
      "member": {"user": {"id": "900000000000000004", "username": "ana"}, "permissions": "0"},
      "data": {"id": "2", "name": "Suggest a kind reply", "type": 3, "target_id": "1200000000000000005",
        "resolved": {"messages": {"1200000000000000005": {
          "id": "1200000000000000005", "channel_id": "1100000000000000001",
          "author": {"id": "900000000000000005", "username": "lee"},
          "content": "I am not sure this plan works", "timestamp": "2026-02-03T04:05:06+00:00"}}}}
    })");
    auto n = discord::normalise_dispatch("INTERACTION_CREATE", j, me, now);
    REQUIRE(n.event);
    const auto& c = std::get<core::command_invocation>(*n.event);
    CHECK(c.name == "suggest-reply");
    REQUIRE(c.target);
    CHECK(c.target->id.str() == "1200000000000000005");
    CHECK(c.target->author.str() == "900000000000000005");
    CHECK(c.target->text == "I am not sure this plan works");
    CHECK(c.target->server.str() == "1000000000000000001");
}

TEST_CASE("A button press carries its custom id, also under a DM", "[discord][normalise]")
{
    auto j = json::parse(R"({
      "id": "1500000000000000001", "type": 3, "token": "tok-btn", "channel_id": "1600000000000000001",
      "user": {"id": "900000000000000006", "username": "jo"},
      "data": {"custom_id": "nudge:helpful:42", "component_type": 2}
    })");
    auto n = discord::normalise_dispatch("INTERACTION_CREATE", j, me, now);
    REQUIRE(n.event);
    const auto& b = std::get<core::button_press>(*n.event);
    CHECK(b.custom_id == "nudge:helpful:42");
    CHECK(b.user.str() == "900000000000000006");
    CHECK(b.server.empty());
}

TEST_CASE("A guild becoming available lists its channels and threads only, and its locale",
          "[discord][normalise]")
{
    json g{{"id", "1000000000000000001"},
           {"name", "not kept"},
           {"preferred_locale", "de"},
           {"channels", json::array({{{"id", "1"}, {"name", "general"}}, {{"id", "2"}}})},
           {"threads", json::array({{{"id", "3"}}})}};
    auto n = discord::normalise_dispatch("GUILD_CREATE", g, me, now);
    REQUIRE(n.event);
    const auto& s = std::get<core::server_available>(*n.event);
    CHECK(s.server.str() == "1000000000000000001");
    CHECK(s.channels.size() == 3);
    CHECK(s.locale == "de");   // the crisis card's country when moderators chose none
    CHECK_FALSE(discord::normalise_dispatch("GUILD_CREATE", json{{"id", "1"}, {"unavailable", true}}, me, now).event);
}

TEST_CASE("Payloads with missing or mistyped fields never throw", "[discord][normalise]")
{
    const char* bad[] = {R"(null)", R"([])", R"({"id": 5})", R"({"id":"1","channel_id":"2","author":"x"})",
                         R"({"id":"1","type":"2","token":"t","data":{}})",
                         R"({"id":"1","type":2,"token":"t","data":{"name":"x","options":"bad"},"user":{"id":"1"}})",
                         R"({"id":"1","type":3,"token":"t","data":{},"user":{"id":"1"}})"};
    for (const char* text : bad) {
        auto j = json::parse(text);
        for (const char* type : {"MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "INTERACTION_CREATE",
                                 "GUILD_CREATE", "TYPING_START"}) {
            CAPTURE(text, type);
            CHECK_NOTHROW(discord::normalise_dispatch(type, j, me, now));
        }
    }
    CHECK_FALSE(discord::parse_timestamp("yesterday"));
    CHECK_FALSE(discord::parse_timestamp("2026-13-40T99:00:00"));
}
