#include "platforms/slack/workspace_locale.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nudgebot;
using nlohmann::json;

namespace {

json member(std::string id, std::string locale, json extra = json::object())
{
    json m{{"id", std::move(id)}, {"locale", std::move(locale)}};
    m.update(extra);
    return m;
}

json page(std::vector<json> members, std::string next = "")
{
    return {{"ok", true}, {"members", std::move(members)}, {"response_metadata", {{"next_cursor", std::move(next)}}}};
}

}  // namespace

TEST_CASE("The workspace's locale is the primary owner's, else the one most people use", "[slack][locale]")
{
    slack::workspace_locale most;
    CHECK(most.add_page(page({member("U1", "en-US"), member("U2", "de-DE"), member("U3", "de-DE")}, "c2")) == "c2");
    CHECK(most.result() == "de-DE");
    CHECK(most.members_counted() == 3);

    // A later page can still name the primary owner, who wins over any count.
    CHECK(most.add_page(page({member("U4", "fr-FR", {{"is_primary_owner", true}}), member("U5", "de-DE")})).empty());
    CHECK(most.result() == "fr-FR");

    // Bots, deactivated accounts and Slackbot are not people of the team.
    slack::workspace_locale people;
    people.add_page(page({member("U1", "sv-SE"), member("B1", "en-US", {{"is_bot", true}}),
                          member("B2", "en-US", {{"is_bot", true}}), member("U9", "en-US", {{"deleted", true}}),
                          member("USLACKBOT", "en-US")}));
    CHECK(people.result() == "sv-SE");
    CHECK(people.members_counted() == 1);

    // A tie goes to the locale seen first.
    slack::workspace_locale tie;
    tie.add_page(page({member("U1", "nl-NL"), member("U2", "da-DK")}));
    CHECK(tie.result() == "nl-NL");
}

TEST_CASE("A users.list answer of any shape gives at most a well-formed locale, never an exception", "[slack][locale]")
{
    for (auto body : {json(nullptr), json(42), json::array(), json{{"members", "no"}}, json{{"members", {1, "x", nullptr}}},
                      json{{"members", {{{"locale", 7}}, {{"locale", ""}}, {{"locale", "de-DE\n"}}, {{"locale", "<script>"}},
                                        {{"locale", std::string(40, 'a')}}, {{"locale", "-DE"}}, {{"locale", "d3-DE"}}}}},
                      json{{"members", json::array()}, {"response_metadata", {{"next_cursor", 5}}}}}) {
        slack::workspace_locale t;
        INFO(body.dump());
        CHECK(t.add_page(body).empty());
        CHECK(t.result().empty());
    }
    for (const char* good : {"de", "de-DE", "en_GB", "es-419", "zh-Hant-TW"}) CHECK(slack::plausible_locale(good));
    for (const char* bad : {"", "d", "de-", "-de", "de--DE", "de DE", "1e-DE", "de-DE;", "abcdefghijklmnopq"})
        CHECK_FALSE(slack::plausible_locale(bad));
}
