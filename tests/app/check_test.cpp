#include "app/verbs.hpp"

#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

using namespace nudgebot;

namespace {

const std::string test_rules = NUDGEBOT_SOURCE_DIR "/tests/app/data/rules";

struct run_result {
    int code = 0;
    std::string out;
    std::string err;
};

run_result check(std::optional<std::string> text, const std::string& stdin_text = "",
                 const std::string& style = "gentle", const std::string& sensitivity = "medium")
{
    app::check_options options;
    options.text = std::move(text);
    options.rules_dir = test_rules;
    options.style = style;
    options.sensitivity = sensitivity;
    std::istringstream in(stdin_text);
    std::ostringstream out;
    std::ostringstream err;
    run_result r;
    r.code = app::run_check(options, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

}  // namespace

TEST_CASE("check shows each category, the cues with their matched words, and one suggestion",
          "[app][check]")
{
    const auto r = check("well, you numbskull");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.rfind("Sensitivity: medium\n  conflict  0.95  FLAGGED (threshold 0.75)\n"
                      "  distress  0.00  not flagged (threshold 0.75)\n"
                      "  crisis    0.00  not flagged (threshold 0.75)\nCues:\n",
                      0) == 0);
    CHECK(r.out.find("  - an insult aimed at a person [conflict, apptest.insult_at_person]: \"") !=
          std::string::npos);
    CHECK(r.out.find("numbskull\" (bytes ") != std::string::npos);
    // Nothing of an insult's words is left to keep: the calmer draft says the point in other words.
    CHECK(r.out.substr(r.out.find("Calmer draft")) ==
          "Calmer draft (without the insult, said as how you feel):\n"
          "  I'm really annoyed about this. What would help us fix it?\n");
}

TEST_CASE("check restates a threat whole, as how the writer feels, with none of its words", "[app][check]")
{
    const auto r = check("well, you numbskull, watch your back");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("  conflict  0.95  FLAGGED") != std::string::npos);
    const auto draft = r.out.substr(r.out.find("Calmer draft"));
    CHECK(draft.starts_with("Calmer draft (without the words of harm, said as how you feel):\n  "));
    CHECK(draft.find("numbskull") == std::string::npos);
    CHECK(draft.find("watch") == std::string::npos);
    CHECK(draft.find("back") == std::string::npos);
}

TEST_CASE("check reads the message from stdin when no text is given", "[app][check]")
{
    const auto r = check(std::nullopt, "I feel hopeless\n", "direct");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("  distress  0.95  FLAGGED") != std::string::npos);
    CHECK(r.out.find("Suggestion:\n  Test direct distress phrasing: ") != std::string::npos);
}

TEST_CASE("check shows the fixed crisis card for crisis language", "[app][check]")
{
    const auto r = check("I want to vanish for good");
    INFO(r.out << r.err);
    CHECK(r.out.find("  crisis    0.95  FLAGGED") != std::string::npos);
    CHECK(r.out.substr(r.out.find("Support")) == "Support:\n  Test crisis card text.\n");
}

TEST_CASE("check says so when nothing fired", "[app][check]")
{
    const auto r = check("the deploy finished at noon");
    CHECK(r.code == 0);
    CHECK(r.out.find("Cues: none fired.\n") != std::string::npos);
    CHECK(r.out.find("Suggestion: none; nothing here reads as heated or distressed at this "
                     "sensitivity.\n") != std::string::npos);
}

TEST_CASE("check never breaks on odd input", "[app][check][bad-input]")
{
    CHECK(check(std::string("you\0numbskull \xFF\xFE", 16)).code == 0);
    CHECK(check(std::string()).code == 0);
    std::string marks = "a";
    for (int i = 0; i < 10000; ++i) marks += "\xCC\x81";   // combining acute accents
    CHECK(check(marks).code == 0);
}

TEST_CASE("check refuses unknown options and unloadable packs with exit code 2", "[app][check]")
{
    CHECK(check("hi", "", "gentle", "extreme").code == 2);
    CHECK(check("hi", "", "rude").code == 2);
    app::check_options options;
    options.text = "hi";
    options.rules_dir = NUDGEBOT_SOURCE_DIR "/tests/app/data/broken_rules";
    std::istringstream in;
    std::ostringstream out;
    std::ostringstream err;
    CHECK(app::run_check(options, in, out, err) == 2);
    CHECK(err.str().find("the rule packs in " NUDGEBOT_SOURCE_DIR "/tests/app/data/broken_rules did not load (") != std::string::npos);
}

TEST_CASE("The default rules folder honours NUDGEBOT_RULES_DIR", "[app][paths]")
{
    ::setenv("NUDGEBOT_RULES_DIR", "/somewhere/rules", 1);
    CHECK(app::default_rules_dir() == "/somewhere/rules");
    ::unsetenv("NUDGEBOT_RULES_DIR");
    const auto found = app::default_rules_dir();
    CHECK(found.size() >= 9);
    CHECK(found.substr(found.size() - 9) == "/rules/en");
}

TEST_CASE("check --reply reads the text as an answer to someone else's message", "[app][check]")
{
    app::check_options options;
    options.text = "riveting. another brilliant idea";
    options.rules_dir = NUDGEBOT_SOURCE_DIR "/rules/en";
    std::istringstream in;
    std::ostringstream said_to_room, err;
    REQUIRE(app::run_check(options, in, said_to_room, err) == 0);
    CHECK(std::regex_search(said_to_room.str(), std::regex("conflict +[0-9.]+ +not flagged")));
    CHECK(said_to_room.str().find("a reply to someone else") == std::string::npos);

    options.reply = true;
    std::ostringstream answered;
    REQUIRE(app::run_check(options, in, answered, err) == 0);
    INFO(answered.str());
    CHECK(answered.str().find("FLAGGED") != std::string::npos);
    CHECK(answered.str().find("conflict.sarcastic_praise") != std::string::npos);
    CHECK(answered.str().find("Signals: a reply to someone else (--reply)") != std::string::npos);
}
