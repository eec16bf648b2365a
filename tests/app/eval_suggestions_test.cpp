#include "app/verbs.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace nudgebot::app;

namespace {

std::filesystem::path write_file(const std::string& name, const std::string& text)
{
    auto dir = std::filesystem::temp_directory_path() / "nudgebot_eval_suggestions_test";
    std::filesystem::create_directories(dir);
    auto p = dir / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("eval --suggestions prints the draft for each flagged record and the share that flag again",
          "[app][eval][suggestions]")
{
    const auto file = write_file("labelled.jsonl",
        R"({"id":"a","text":"you ALWAYS break the build","source":"own","labels":{"conflict":1}})" "\n"
        R"({"id":"b","text":"What is WRONG with you?! The migration dropped the users table","source":"own","labels":{"conflict":1}})" "\n"
        R"({"id":"c","text":"What is WRONG with you?!","source":"own","labels":{"conflict":1}})" "\n"
        R"({"id":"f","text":"watch your back, @sam","source":"own","labels":{"conflict":1}})" "\n"
        R"({"id":"d","text":"this release crunch has me running on fumes, I'm so tired","source":"own","labels":{"conflict":0,"distress":1}})" "\n"
        R"({"id":"e","text":"lunch at noon?","source":"own","labels":{"conflict":0}})" "\n"
        "not json\n");
    eval_options options;
    options.file = file.string();
    options.rules_dir = NUDGEBOT_SOURCE_DIR "/rules/en";
    std::ostringstream out, err;
    const int rc = run_eval_suggestions(options, out, err);
    INFO(out.str() << err.str());
    CHECK(rc == 1);   // one bad line
    CHECK(has(err.str(), ":7: bad line"));
    CHECK_FALSE(has(err.str(), "not json"));
    const auto o = out.str();
    CHECK(has(o, "#1 [own] you ALWAYS break the build\n  draft (without the 'you always' and the capitals): the build got broken again."));
    CHECK(has(o, "#2 [own]"));
    CHECK(has(o, "  draft (without the rhetorical attack on the person, the capitals and the '?!'): The migration dropped the users table\n"));
    // Nothing of its words left to keep: the point is said in other words.
    CHECK(has(o, "#3 [own] What is WRONG with you?!\n  draft (without the rhetorical attack on the person, said as how "
                 "you feel): "));
    // A threat is never cut: its point is said whole, as how the writer feels, keeping the mention.
    CHECK(has(o, "#4 [own] watch your back, @sam\n  draft (without the threat, said as how you feel): @sam "));
    CHECK(has(o, "#5 [own] this release crunch has me running on fumes, I'm so tired\n  reply idea: "));
    CHECK(has(o, "this release crunch has you running on fumes"));
    CHECK_FALSE(has(o, "lunch at noon"));
    CHECK(has(o, "flagged conflict: calmer draft 4/4 (100.0 %); drafts flagging conflict again 0/4 (0.0 %); drafts "
                 "keeping every code span, link and mention 4/4 (100.0 %); drafts that restate the point (nothing of "
                 "the words left to keep) 2/4 (50.0 %)"));
    CHECK(has(o, "situation reflected 1/1"));
}

TEST_CASE("nudgebot check shows a calmer draft of a heated message, and a country's crisis card", "[app][check][suggestions]")
{
    check_options options;
    options.rules_dir = NUDGEBOT_SOURCE_DIR "/rules/en";
    options.text = "you ALWAYS break the build";
    std::istringstream in;
    std::ostringstream out, err;
    REQUIRE(run_check(options, in, out, err) == 0);
    CHECK(has(out.str(), "Calmer draft (without the 'you always' and the capitals):\n  the build got broken again."));

    options.text = "I don't want to be here anymore, I want to end it all";
    options.country = "gb";
    std::ostringstream out2;
    REQUIRE(run_check(options, in, out2, err) == 0);
    CHECK(has(out2.str(), "In the United Kingdom, you can call Samaritans free on 116 123"));
    options.country.clear();
    std::ostringstream out3;
    REQUIRE(run_check(options, in, out3, err) == 0);
    CHECK(has(out3.str(), "findahelpline.com lists free, confidential helplines in your country"));
}

TEST_CASE("eval --suggestions skips a line longer than 16 MiB as a bad line and reads on", "[app][eval][suggestions]")
{
    const std::string huge = R"({"id":"h","text":")" + std::string((16u << 20) + 16, 'a') + R"(","labels":{"conflict":1}})";
    const auto file = write_file("huge.jsonl",
        huge + "\n" R"({"id":"a","text":"you ALWAYS break the build","source":"own","labels":{"conflict":1}})" "\n");
    eval_options options;
    options.file = file.string();
    options.rules_dir = NUDGEBOT_SOURCE_DIR "/rules/en";
    std::ostringstream out, err;
    const int rc = run_eval_suggestions(options, out, err);
    std::filesystem::remove(file);
    CHECK(rc == 1);
    CHECK(has(err.str(), ":1: bad line: line longer than 16 MiB"));
    CHECK(has(out.str(), "#2 [own] you ALWAYS break the build"));
}
