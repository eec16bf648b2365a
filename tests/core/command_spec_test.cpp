#include "core/command_spec.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <set>

using namespace nudgebot::core;

TEST_CASE("The command set has nudge, nudge-admin and the Suggest a kind reply message command",
          "[commands][spec]")
{
    const auto& all = nudgebot_commands();
    REQUIRE(all.size() == 3);
    REQUIRE(find_command("nudge") != nullptr);
    REQUIRE(find_command("nudge-admin") != nullptr);
    const auto* suggest = find_command("suggest-reply");
    REQUIRE(suggest != nullptr);
    CHECK(suggest->kind == command_kind::message);
    CHECK(suggest->display_name == "Suggest a kind reply");
    CHECK(suggest->description.empty());
    CHECK(find_command("nudge-admin")->moderator_only);
    CHECK_FALSE(find_command("nudge")->moderator_only);
}

TEST_CASE("Every user and moderator subcommand of the issue can be found by its path",
          "[commands][spec]")
{
    const auto& nudge = *find_command("nudge");
    for (const char* s : {"on", "off", "status", "check", "forget-me", "help"})
        CHECK(find_subcommand(nudge, {s}) != nullptr);
    const auto& admin = *find_command("nudge-admin");
    std::vector<std::vector<std::string>> paths{
        {"channels", "enable"}, {"channels", "disable"}, {"channels", "list"},
        {"packs", "list"},      {"packs", "enable"},     {"packs", "disable"},
        {"alerts", "on"},       {"alerts", "off"},       {"sensitivity"},
        {"crisis-card"},        {"stats"},               {"explain"},
        {"crisis-resources", "set"}, {"crisis-resources", "reset"}};
    for (const auto& p : paths) CHECK(find_subcommand(admin, p) != nullptr);
    CHECK(find_subcommand(admin, {"channels"}) == nullptr);
    CHECK(find_subcommand(admin, {"nope", "list"}) == nullptr);
}

TEST_CASE("Names and descriptions fit the strictest platform limits", "[commands][spec]")
{
    const std::regex name_re{"^[a-z0-9_-]{1,32}$"};
    auto check_option = [&](const command_option& o) {
        CHECK(std::regex_match(o.name, name_re));
        CHECK(!o.description.empty());
        CHECK(o.description.size() <= 100);
    };
    for (const auto& c : nudgebot_commands()) {
        CHECK(std::regex_match(c.name, name_re));
        CHECK(c.description.size() <= 100);
        std::set<std::string> seen;
        for (const auto& s : c.subcommands) {
            CHECK(seen.insert(s.name).second);
            CHECK(std::regex_match(s.name, name_re));
            CHECK(s.description.size() <= 100);
            for (const auto& o : s.options) check_option(o);
        }
        for (const auto& g : c.groups) {
            CHECK(seen.insert(g.name).second);
            CHECK(g.description.size() <= 100);
            for (const auto& s : g.subcommands) {
                CHECK(s.description.size() <= 100);
                for (const auto& o : s.options) check_option(o);
            }
        }
    }
}
