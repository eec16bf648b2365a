#include "routing/event_router.hpp"

#include "routing/harness.hpp"
#include "engine/analyzer.hpp"
#include "nudge/shipped.hpp"

using namespace nudgebot;
using namespace nudgebot::testing;
using namespace std::chrono_literals;

namespace {

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// The quoted lines of a calmer draft as shown ("> ...").
std::vector<std::string> quoted_lines(const std::string& text)
{
    std::vector<std::string> out;
    std::size_t at = 0;
    while ((at = text.find("\n> ", at)) != std::string::npos) {
        at += 3;
        out.push_back(text.substr(at, text.find('\n', at) - at));
    }
    return out;
}

// Neither the message nor any line of its calmer draft is anywhere in the database files.
void check_not_stored(harness& h, const std::string& original, const std::vector<std::string>& draft_lines)
{
    h.close();
    const auto bytes = h.db_bytes();
    CHECK_FALSE(has(bytes, original));
    for (const auto& l : draft_lines) CHECK_FALSE(has(bytes, l));
}

const std::string hostile_text = "you ALWAYS break the build, are you even trying??";
const std::string crisis_text = "I don't want to be here anymore, I want to end it all";

}  // namespace

TEST_CASE("/nudge check offers a calmer draft of the person's own words, with the reason, and stores none of it",
          "[commands][calmer][privacy]")
{
    harness h;
    h.use(shipped(), commands::analyze_with(english()));
    auto check = h.command("bob", "nudge", {"check"}, {{"text", hostile_text}});
    const auto answer = h.answer_text(check);
    INFO(answer);
    CHECK(has(answer, "may read as heated"));
    CHECK(has(answer, "A calmer draft of your message (without the 'you always'"));
    CHECK(has(answer, "\n> the build got broken again."));
    CHECK(has(answer, "never sends anything for you"));
    CHECK_FALSE(has(answer, "ALWAYS"));
    const auto lines = quoted_lines(answer);
    REQUIRE_FALSE(lines.empty());
    check_not_stored(h, hostile_text, lines);
}

TEST_CASE("The own-heated push nudge leads with the calmer draft; nothing of it reaches the database",
          "[commands][calmer][privacy]")
{
    harness h;
    h.use(shipped(), commands::analyze_with(english()));
    h.command("bob", "nudge", {"on"});
    const std::string own = "@dana you ALWAYS break `make check` on main?! see https://ci.example.com/run/42";
    h.say("bob", own);
    REQUIRE(h.delivery.dms_to("bob").size() == 1);
    const auto text = h.delivery.dms_to("bob")[0]->message.text;
    INFO(text);
    CHECK(has(text, "A calmer draft of your message"));
    for (auto kept : {"@dana", "`make check`", "https://ci.example.com/run/42"}) CHECK(has(text, kept));
    CHECK(has(text, "in your message"));
    CHECK(h.delivery.dms_to("bob")[0]->message.buttons.size() == 3);
    const auto lines = quoted_lines(text);
    REQUIRE_FALSE(lines.empty());
    check_not_stored(h, own, lines);
}

TEST_CASE("The calmer draft of a reply is read as a reply too", "[commands][calmer][reply]")
{
    const std::string own = "you ALWAYS break the build, are you even trying??";
    std::vector<std::pair<std::string, bool>> calls;   // every text analysed, and whether as a reply
    const auto english_rules = commands::analyze_with(english());
    harness h;
    h.use(shipped(), [&](std::string_view text, engine::sensitivity s, engine::message_context context) {
        calls.emplace_back(std::string(text), context.reply);
        return english_rules(text, s, context);
    });
    h.command("bob", "nudge", {"on"});
    auto asked = h.say("alice", "can someone look at the failing pipeline?");
    h.clock.advance(1min);
    calls.clear();
    h.say("bob", own, &asked);
    REQUIRE(h.delivery.dms_to("bob").size() == 1);
    REQUIRE(has(h.delivery.dms_to("bob")[0]->message.text, "A calmer draft of your message"));
    std::size_t drafts = 0;
    for (const auto& [text, reply] : calls) {
        INFO(text);
        CHECK(reply);   // the message and every draft of it
        drafts += text != own;
    }
    CHECK(drafts > 0);
}

TEST_CASE("Moderators choose the crisis card's country and add their own line; the locale and config fill in",
          "[commands][crisis]")
{
    harness h;
    commands::bot_options options;
    options.default_crisis_country = "US";
    h.use(shipped(), commands::analyze_with(english()), options);

    // The config default before anything else is known.
    auto c1 = h.command("carol", "nudge", {"check"}, {{"text", crisis_text}});
    CHECK(has(h.answer_text(c1), "988"));

    // The server's locale (Discord preferred_locale) wins over the config default.
    core::server_available s;
    s.server = core::server_id{"g1"};
    s.locale = "en-GB";
    h.bot->handle(s);
    auto c2 = h.command("carol", "nudge", {"check"}, {{"text", crisis_text}});
    CHECK(has(h.answer_text(c2), "116 123"));
    CHECK_FALSE(has(h.answer_text(c2), "988"));

    // A moderator's choice wins over both, and the card keeps its fixed safe-messaging wording.
    auto set = h.command("mod", "nudge-admin", {"crisis-resources", "set"},
                         {{"country", "de"}, {"text", "Our EAP: 0800 123 456 (free, confidential)"}}, true);
    CHECK(has(h.answer_text(set), "0800 111 0 111"));
    auto c3 = h.command("carol", "nudge", {"check"}, {{"text", crisis_text}});
    const auto card = h.answer_text(c3);
    INFO(card);
    CHECK(has(card, "In Germany, you can call TelefonSeelsorge"));
    CHECK(has(card, "Our EAP: 0800 123 456 (free, confidential)"));
    CHECK(has(card, "You deserve support from a person."));
    CHECK(has(card, "emergency services"));

    // It is stored: a restart keeps it.
    h.close();
    h.open(commands::analyze_with(english()), options);
    CHECK(h.bot->settings_of(core::platform::discord, core::server_id{"g1"}).crisis_country == "DE");
    auto c4 = h.command("carol", "nudge", {"check"}, {{"text", crisis_text}});
    CHECK(has(h.answer_text(c4), "TelefonSeelsorge"));

    // Reset: back to the default (no locale known after the restart).
    auto reset = h.command("mod", "nudge-admin", {"crisis-resources", "reset"}, {}, true);
    CHECK(has(h.answer_text(reset), "defaults"));
    auto c5 = h.command("carol", "nudge", {"check"}, {{"text", crisis_text}});
    CHECK(has(h.answer_text(c5), "988"));
    CHECK_FALSE(has(h.answer_text(c5), "Our EAP"));
}

TEST_CASE("Crisis resources refuse what they cannot show safely", "[commands][crisis]")
{
    harness h;
    h.use(shipped(), commands::analyze_with(english()));
    auto bad = h.command("mod", "nudge-admin", {"crisis-resources", "set"}, {{"country", "Germany"}}, true);
    CHECK(has(h.answer_text(bad), "two-letter code"));
    auto unknown = h.command("mod", "nudge-admin", {"crisis-resources", "set"}, {{"country", "ZZ"}}, true);
    CHECK(has(h.answer_text(unknown), "findahelpline.com"));
    auto ping = h.command("mod", "nudge-admin", {"crisis-resources", "set"}, {{"text", "call @everyone now"}}, true);
    CHECK(has(h.answer_text(ping), "without mentions"));
    auto none = h.command("mod", "nudge-admin", {"crisis-resources", "set"}, {}, true);
    CHECK(has(h.answer_text(none), "Give a country"));
    auto member = h.command("eve", "nudge-admin", {"crisis-resources", "set"}, {{"country", "DE"}}, false);
    CHECK(has(h.answer_text(member), "Sorry"));
    const auto& s = h.bot->settings_of(core::platform::discord, core::server_id{"g1"});
    CHECK(s.crisis_country.empty());
    CHECK(s.crisis_text.empty());
}

TEST_CASE("Suggest a kind reply reflects the situation the message named", "[commands][reflection]")
{
    harness h;
    h.use(shipped(), commands::analyze_with(english()));
    auto m = h.say("carol", "this release crunch has me running on fumes, I'm so tired");
    auto pulled = h.command("dave", "suggest-reply", {}, {}, false, m);
    INFO(h.answer_text(pulled));
    CHECK(has(h.answer_text(pulled), "this release crunch has you running on fumes"));
}
