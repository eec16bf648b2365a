#include "app/cli.hpp"

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace {

struct run_result {
    int code = 0;
    std::string out;
    std::string err;
};

run_result cli(std::vector<const char*> args, const std::string& input = "")
{
    args.insert(args.begin(), "nudgebot");
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    run_result r;
    r.code = nudgebot::app::run_cli(static_cast<int>(args.size()), args.data(), in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

const char* test_rules = NUDGEBOT_SOURCE_DIR "/tests/app/data/rules";

}  // namespace

TEST_CASE("The version option prints the version and exits 0", "[app][cli]")
{
    const auto r = cli({"--version"});
    CHECK(r.code == 0);
    CHECK(r.out == "nudgebot " NUDGEBOT_VERSION "\n");
}

TEST_CASE("The help option lists every verb and exits 0", "[app][cli]")
{
    const auto r = cli({"--help"});
    CHECK(r.code == 0);
    for (const char* verb : {"check", "analyze", "eval", "rules", "config", "run", "sandbox"}) {
        INFO(verb);
        CHECK(r.out.find(std::string("\n  ") + verb + " ") != std::string::npos);
    }
}

TEST_CASE("Usage mistakes exit 2 with a message", "[app][cli]")
{
    CHECK(cli({}).code == 2);
    CHECK(cli({"frobnicate"}).code == 2);
    const auto no_jsonl = cli({"analyze"});
    CHECK(no_jsonl.code == 2);
    CHECK(no_jsonl.err.find("--jsonl is required") != std::string::npos);
    CHECK(cli({"analyze", "--jsonl", "--sensitivity", "extreme"}).code == 2);
    CHECK(cli({"check", "--rules", "/nonexistent/folder", "hi"}).code == 2);
    CHECK(cli({"config"}).code == 2);
    CHECK(cli({"config", "check"}).code == 2);
    CHECK(cli({"rules"}).code == 2);
}

TEST_CASE("sandbox refuses a bad port or config with exit 2 before opening anything", "[app][cli]")
{
    CHECK(cli({"sandbox", "--port", "70000"}).code == 2);
    const auto r = cli({"sandbox", "--port", "0", "--config", "/nonexistent/nudgebot-sandbox.json"});
    CHECK(r.code == 2);
    CHECK(r.err.find("/nonexistent/nudgebot-sandbox.json") != std::string::npos);
}

TEST_CASE("run needs --config and stops with exit 2 when the file cannot be read", "[app][cli]")
{
    CHECK(cli({"run"}).code == 2);
    const auto r = cli({"run", "--config", "/nonexistent/nudgebot-config.json"});
    CHECK(r.code == 2);
    CHECK(r.err.find("/nonexistent/nudgebot-config.json") != std::string::npos);
}

TEST_CASE("The verbs receive their options from the command line", "[app][cli]")
{
    const auto analyzed = cli({"analyze", "--jsonl", "--rules", test_rules, "-s", "high"},
                              "{\"id\": 1, \"text\": \"you dimwit\"}\n");
    CHECK(analyzed.code == 0);
    CHECK(analyzed.out.rfind(R"({"id":1,"flags":{"conflict":true,)", 0) == 0);

    const auto checked = cli({"check", "--rules", test_rules, "--style", "direct", "I feel hopeless"});
    CHECK(checked.code == 0);
    CHECK(checked.out.find("Test direct distress phrasing") != std::string::npos);

    const auto tested = cli({"rules", "test", test_rules});
    CHECK(tested.code == 0);
    CHECK(tested.out.find("8 passed, 0 failed") != std::string::npos);

    const auto configured = cli({"config", "check", NUDGEBOT_SOURCE_DIR "/config.example.json"});
    CHECK(configured.code == 0);
    CHECK(configured.out == NUDGEBOT_SOURCE_DIR "/config.example.json: ok\n");
}

TEST_CASE("rules fit prints suggested weights and leaves the packs alone without --write",
          "[app][cli]")
{
    const std::string pack = std::string(test_rules) + "/apptest.json";
    const auto before = [&] {
        std::ifstream file(pack);
        return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    };
    const auto original = before();
    const auto r = cli({"rules", "fit", NUDGEBOT_SOURCE_DIR "/tests/app/data/labelled.jsonl",
                        "--rules", test_rules});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("apptest.insult_at_person") != std::string::npos);
    CHECK(before() == original);
    CHECK(cli({"rules", "fit", "/nonexistent/labelled.jsonl"}).code == 2);
}
