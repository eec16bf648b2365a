#include "app/verbs.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace nudgebot;
using nlohmann::json;

namespace {

const std::string test_rules = NUDGEBOT_SOURCE_DIR "/tests/app/data/rules";

struct run_result {
    int code = 0;
    std::string out;
    std::string err;
    std::vector<std::string> lines;
};

run_result analyze(const std::string& input, const std::string& sensitivity = "medium")
{
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    run_result r;
    r.code = app::run_analyze_jsonl({test_rules, sensitivity}, in, out, err);
    r.out = out.str();
    r.err = err.str();
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) r.lines.push_back(line);
    return r;
}

const std::string quiet_result =
    R"("flags":{"conflict":false,"distress":false,"crisis":false},)"
    R"("scores":{"conflict":0,"distress":0,"crisis":0},"cues":[]})";

}  // namespace

TEST_CASE("A message with no cue gives the exact quiet result line", "[app][analyze]")
{
    const auto r = analyze(R"({"id": 7, "text": "the deploy finished"})" "\n");
    CHECK(r.code == 0);
    CHECK(r.out == "{\"id\":7," + quiet_result + "\n");
}

TEST_CASE("Each result carries flags, scores and cues with rule, label and byte span",
          "[app][analyze]")
{
    const auto r = analyze(R"({"text": "well you numbskull", "id": "m-1", "source": "x"})" "\n");
    REQUIRE(r.lines.size() == 1);
    const auto result = json::parse(r.lines[0]);
    CHECK(result["id"] == "m-1");
    CHECK(result["flags"] == json::parse(R"({"conflict":true,"distress":false,"crisis":false})"));
    CHECK(result["scores"]["conflict"].get<double>() > 0.75);
    CHECK(result["scores"]["distress"] == 0);
    REQUIRE(result["cues"].size() == 1);
    const auto& cue = result["cues"][0];
    CHECK(cue["rule"] == "apptest.insult_at_person");
    CHECK(cue["category"] == "conflict");
    CHECK(cue["label"] == "an insult aimed at a person");
    const auto begin = cue["span"][0].get<std::size_t>();
    const auto end = cue["span"][1].get<std::size_t>();
    CHECK(std::string("well you numbskull").substr(begin, end - begin).find("numbskull") !=
          std::string::npos);
    // Exact key order of the contract.
    CHECK(r.lines[0].rfind(R"({"id":"m-1","flags":{"conflict":true,"distress":false,"crisis":false},"scores":{"conflict":)", 0) == 0);
    CHECK(r.lines[0].find(R"(,"cues":[{"rule":"apptest.insult_at_person","category":"conflict","label":"an insult aimed at a person","span":[)") != std::string::npos);
}

TEST_CASE("Output has one line per input line, in input order", "[app][analyze]")
{
    std::string input;
    for (int i = 0; i < 1000; ++i) {
        input += "{\"id\":" + std::to_string(i) + ",\"text\":\"" +
                 (i % 3 == 0 ? "you dimwit" : i % 3 == 1 ? "I feel hopeless" : "lunch at noon") +
                 "\"}\n";
    }
    const auto r = analyze(input);
    REQUIRE(r.lines.size() == 1000);
    for (int i = 0; i < 1000; ++i) {
        const auto result = json::parse(r.lines[i]);
        REQUIRE(result["id"] == i);
        CHECK(result["flags"]["conflict"] == (i % 3 == 0));
        CHECK(result["flags"]["distress"] == (i % 3 == 1));
    }
}

TEST_CASE("The id is echoed as given and is null when absent", "[app][analyze]")
{
    const auto r = analyze(
        "{\"id\": \"a\\\"b\", \"text\": \"x\"}\n"
        "{\"id\": 12345678901234567890, \"text\": \"x\"}\n"
        "{\"id\": -3, \"text\": \"x\"}\n"
        "{\"id\": 1.50, \"text\": \"x\"}\n"
        "{\"id\": [1, {\"k\": \"v\"}], \"text\": \"x\"}\n"
        "{\"id\": null, \"text\": \"x\"}\n"
        "{\"text\": \"x\", \"meta\": {\"id\": 99}}\n"
        "{\"id\": true, \"text\": \"x\"}\n");
    REQUIRE(r.lines.size() == 8);
    CHECK(r.lines[0].rfind(R"({"id":"a\"b",)", 0) == 0);
    CHECK(r.lines[1].rfind(R"({"id":12345678901234567890,)", 0) == 0);
    CHECK(r.lines[2].rfind(R"({"id":-3,)", 0) == 0);
    CHECK(r.lines[3].rfind(R"({"id":1.50,)", 0) == 0);
    CHECK(r.lines[4].rfind(R"({"id":[1,{"k":"v"}],)", 0) == 0);
    CHECK(r.lines[5].rfind(R"({"id":null,)", 0) == 0);
    CHECK(r.lines[6].rfind(R"({"id":null,)", 0) == 0);   // only the top-level id counts
    CHECK(r.lines[7].rfind(R"({"id":true,)", 0) == 0);
}

TEST_CASE("Bad lines give an error object and processing goes on", "[app][analyze][bad-input]")
{
    const auto r = analyze(
        "not json at all\n"
        "[1, 2, 3]\n"
        "\"just a string\"\n"
        "{\"id\": 4, \"txt\": \"typo\"}\n"
        "{\"id\": 5, \"text\": 42}\n"
        "{\"id\": 6, \"text\": \"ok\"\n"
        "\n"
        "{\"id\": 8, \"text\": \"you dimwit\"} trailing\n"
        "{\"id\": 9, \"text\": \"the end\"}\n");
    CHECK(r.code == 1);
    REQUIRE(r.lines.size() == 9);
    CHECK(r.lines[0] == R"({"id":null,"error":"not valid JSON: syntax error near byte 2"})");
    CHECK(r.lines[1] == R"({"id":null,"error":"not a JSON object"})");
    CHECK(r.lines[2] == R"({"id":null,"error":"not a JSON object"})");
    CHECK(r.lines[3] == R"({"id":4,"error":"missing \"text\""})");
    CHECK(r.lines[4] == R"({"id":5,"error":"\"text\" is not a string"})");
    CHECK(r.lines[5] == R"({"id":6,"error":"not valid JSON: unexpected end of line near byte 23"})");
    CHECK(r.lines[6] == R"({"id":null,"error":"empty line"})");
    CHECK(r.lines[7].rfind(R"({"id":8,"error":"not valid JSON: syntax error near byte )", 0) == 0);
    CHECK(r.lines[8] == "{\"id\":9," + quiet_result);
    CHECK(r.err.find("9 messages (8 bad lines)") != std::string::npos);
}

TEST_CASE("Error messages never quote the line's text", "[app][analyze][privacy]")
{
    const auto r = analyze("{\"text\": \"secretword\" oops}\n");
    REQUIRE(r.lines.size() == 1);
    CHECK(r.lines[0].find("secretword") == std::string::npos);
    CHECK(r.lines[0].find("\"error\":") != std::string::npos);
}

TEST_CASE("Invalid UTF-8 in a line gives a valid JSON error line", "[app][analyze][bad-input]")
{
    const auto r = analyze("{\"id\": 1, \"text\": \"bad \xFF\xFE bytes\"}\n{\"id\": 2, \"text\": \"fine\"}\n");
    REQUIRE(r.lines.size() == 2);
    const auto first = json::parse(r.lines[0]);
    CHECK(first["error"] == "not valid JSON: invalid UTF-8 near byte 24");
    CHECK(json::parse(r.lines[1])["id"] == 2);
}

TEST_CASE("NUL bytes are analysed when escaped and rejected when raw", "[app][analyze][bad-input]")
{
    std::string input = "{\"id\": 1, \"text\": \"you\\u0000 numbskull\"}\n";
    input += std::string("{\"id\": 2, \"text\": \"raw \0 nul\"}\n", 30);
    const auto r = analyze(input);
    REQUIRE(r.lines.size() == 2);
    CHECK(json::parse(r.lines[0]).contains("flags"));
    CHECK(json::parse(r.lines[1])["error"] ==
          "not valid JSON: unescaped control character in a string near byte 24");
}

TEST_CASE("An empty text is analysed as quiet", "[app][analyze][bad-input]")
{
    const auto r = analyze("{\"id\": 1, \"text\": \"\"}\n");
    CHECK(r.out == "{\"id\":1," + quiet_result + "\n");
}

TEST_CASE("A 1 MB line is analysed and the next line still is", "[app][analyze][bad-input]")
{
    std::string text;
    while (text.size() < (1u << 20)) text += "all good here and nothing heated at all ";
    text += "you numbskull";
    const auto r = analyze("{\"id\": 1, \"text\": \"" + text + "\"}\n{\"id\": 2, \"text\": \"you dimwit\"}\n");
    REQUIRE(r.lines.size() == 2);
    CHECK(json::parse(r.lines[0])["id"] == 1);
    CHECK(json::parse(r.lines[0]).contains("flags"));
    CHECK(json::parse(r.lines[1])["flags"]["conflict"] == true);
}

TEST_CASE("The last line may end without a newline and CRLF endings work", "[app][analyze]")
{
    const auto r = analyze("{\"id\": 1, \"text\": \"a\"}\r\n{\"id\": 2, \"text\": \"b\"}");
    REQUIRE(r.lines.size() == 2);
    CHECK(r.lines[0] == "{\"id\":1," + quiet_result);
    CHECK(r.lines[1] == "{\"id\":2," + quiet_result);
    CHECK(analyze("").out.empty());
}

TEST_CASE("Sensitivity changes which categories are flagged", "[app][analyze]")
{
    CHECK(analyze("{\"text\": \"hi\"}\n", "medium").code == 0);
    std::istringstream in("{\"text\": \"hi\"}\n");
    std::ostringstream out;
    std::ostringstream err;
    CHECK(app::run_analyze_jsonl({test_rules, "extreme"}, in, out, err) == 2);
    CHECK(err.str() == "nudgebot analyze: unknown sensitivity \"extreme\" (expected low, medium or high)\n");
}

TEST_CASE("The summary on stderr gives count, seconds and messages per second", "[app][analyze]")
{
    const auto r = analyze("{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
    CHECK(r.err.rfind("nudgebot analyze: 2 messages (0 bad lines) in ", 0) == 0);
    CHECK(r.err.find(" messages/s (CPU ") != std::string::npos);
    CHECK(r.err.find(" messages per CPU second)\n") != std::string::npos);
}

TEST_CASE("Packs that do not load stop analyze with exit code 2", "[app][analyze]")
{
    std::istringstream in("{\"text\": \"hi\"}\n");
    std::ostringstream out;
    std::ostringstream err;
    CHECK(app::run_analyze_jsonl({NUDGEBOT_SOURCE_DIR "/tests/app/data/broken_rules", "medium"}, in,
                                 out, err) == 2);
    CHECK(out.str().empty());
    CHECK(err.str().find(": error: ") != std::string::npos);
}

TEST_CASE("A line longer than 16 MiB is skipped with an error and the next line is analysed",
          "[app][analyze][bad-input]")
{
    std::string input = "{\"id\": 1, \"text\": \"";
    input.append(std::size_t{17} << 20, 'a');
    input += "\"}\n{\"id\": 2, \"text\": \"you dimwit\"}\n";
    const auto r = analyze(input);
    REQUIRE(r.lines.size() == 2);
    CHECK(r.lines[0] == R"({"id":null,"error":"line longer than 16 MiB; skipped"})");
    CHECK(json::parse(r.lines[1])["flags"]["conflict"] == true);
}

TEST_CASE("A repeated key counts by its last value", "[app][analyze]")
{
    const auto r = analyze(
        "{\"id\": 1, \"text\": \"you dimwit\", \"text\": \"all calm\", \"id\": 2}\n"
        "{\"text\": \"fine\", \"text\": 3}\n");
    REQUIRE(r.lines.size() == 2);
    CHECK(r.lines[0] == "{\"id\":2," + quiet_result);
    CHECK(r.lines[1] == R"({"id":null,"error":"\"text\" is not a string"})");
}

TEST_CASE("Deeply nested or odd values in other fields are validated but ignored",
          "[app][analyze][bad-input]")
{
    const std::string deep = std::string(5000, '[') + std::string(5000, ']');
    const auto r = analyze("{\"meta\": " + deep + ", \"text\": \"ok\", \"n\": -1.5e300}\n");
    REQUIRE(r.lines.size() == 1);
    CHECK(r.lines[0] == "{\"id\":null," + quiet_result);
}

TEST_CASE("analyze stops with exit code 2 when its output cannot be written", "[app][analyze]")
{
    std::istringstream in("{\"text\": \"a\"}\n");
    std::ostringstream out;
    out.setstate(std::ios::badbit);
    std::ostringstream err;
    CHECK(app::run_analyze_jsonl({test_rules, "medium"}, in, out, err) == 2);
    CHECK(err.str().find("cannot write the results") != std::string::npos);
}

TEST_CASE("Randomly damaged lines always give exactly one valid JSON object each",
          "[app][analyze][bad-input]")
{
    const std::vector<std::string> seeds{
        R"({"id": "a-1", "text": "you numbskull, stop it", "source": "x", "labels": {"c": 1}})",
        R"({"id": 42, "text": "I feel hopeless \u00e9\ud83d\ude00 today"})",
        R"({"text": "line with \"quotes\" and \\ slashes", "id": [1, 2.5, null]})",
        R"({"id": -7.25e3, "text": ""})",
    };
    std::uint32_t state = 12345;   // fixed seed: the test is repeatable
    const auto next = [&] {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    };
    std::string input;
    std::size_t count = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string line = seeds[next() % seeds.size()];
        const auto edits = next() % 4;
        for (std::uint32_t e = 0; e < edits && !line.empty(); ++e) {
            const auto at = next() % line.size();
            char byte = static_cast<char>(next() & 0xFF);
            if (byte == '\n') byte = ' ';
            switch (next() % 3) {
            case 0: line[at] = byte; break;
            case 1: line.insert(line.begin() + at, byte); break;
            default: line.erase(at, 1 + next() % 5); break;
            }
        }
        input += line;
        input += '\n';
        ++count;
    }
    const auto r = analyze(input);
    REQUIRE(r.lines.size() == count);
    for (const auto& line : r.lines) {
        const auto result = json::parse(line, nullptr, false);
        REQUIRE_FALSE(result.is_discarded());
        REQUIRE(result.is_object());
        REQUIRE(result.contains("id"));
        REQUIRE((result.contains("error") || result.contains("flags")));
    }
}
