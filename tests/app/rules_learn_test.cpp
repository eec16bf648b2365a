// `nudgebot rules learn`: trains learned.json reproducibly from labelled lines.
#include "app/rules_learn.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/diagnostics.hpp"
#include "engine/analyzer.hpp"
#include "engine/learned_signal.hpp"

using namespace nudgebot::app;
namespace fs = std::filesystem;

namespace {

// Written for this test: "deadline" and "exhausted" come only with distress, "lunch" only without.
const char* const labelled = R"({"text": "i am exhausted and the deadline is crushing me", "labels": {"conflict": 0, "distress": 1, "crisis": 0}}
{"text": "this deadline is crushing me and i cannot sleep", "labels": {"conflict": 0, "distress": 1, "crisis": 0}}
{"text": "so exhausted, the deadline keeps moving", "labels": {"conflict": 0, "distress": 1, "crisis": 0}}
{"text": "honestly the deadline has me exhausted", "labels": {"conflict": 0, "distress": 1, "crisis": null}}
{"text": "lunch at noon anyone?", "labels": {"conflict": 0, "distress": 0, "crisis": 0}}
{"text": "the new build is green, lunch time", "labels": {"conflict": 0, "distress": 0, "crisis": 0}}
{"text": "who wants lunch after the standup", "labels": {"conflict": 0, "distress": 0, "crisis": 0}}
{"text": "merged the fix, going to lunch", "labels": {"conflict": 0, "distress": 0, "crisis": 0}}
{"text": "you broke the build again", "labels": {"conflict": 1, "distress": null, "crisis": null}}
{"text": "you broke the build again and again", "labels": {"conflict": 1, "distress": null, "crisis": null}}
{"text": "thanks for fixing the build", "labels": {"conflict": 0, "distress": null, "crisis": null}}
)";

fs::path rules_copy(const std::string& name)
{
    const auto dir = fs::temp_directory_path() / ("nudgebot_rules_learn_test_" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const char* file : {"apptest.json", "scoring.json"})
        fs::copy_file(fs::path(NUDGEBOT_SOURCE_DIR "/tests/app/data/rules") / file, dir / file);
    return dir;
}

std::string read(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void write(const fs::path& p, const std::string& text)
{
    std::ofstream f(p, std::ios::binary);
    f << text;
}

int learn(const fs::path& data, const fs::path& dir, bool write_file, std::string& out, bool count_known = false)
{
    rules_learn_options o;
    o.files = {data.string()};
    o.rules_dir = dir.string();
    o.write = write_file;
    o.count_known = count_known;
    std::ostringstream so, se;
    const int code = run_rules_learn(o, so, se);
    out = so.str() + se.str();
    return code;
}

// The n-gram's weights from a learned.json text, or nullopt when it is not there.
std::optional<std::array<double, 3>> weights_of(const std::string& learned_text, const std::string& ngram)
{
    const auto j = nlohmann::json::parse(learned_text, nullptr, true, true);
    for (const auto& row : j["ngrams"])
        if (row[0] == ngram) return std::array<double, 3>{row[1].get<double>(), row[2].get<double>(), row[3].get<double>()};
    return std::nullopt;
}

}  // namespace

TEST_CASE("rules learn is deterministic and learns the obvious", "[app][learned]")
{
    const auto a = rules_copy("a");
    const auto b = rules_copy("b");
    const auto data = fs::temp_directory_path() / "nudgebot_rules_learn_test.jsonl";
    write(data, labelled);
    std::string out;

    REQUIRE(learn(data, a, false, out) == 0);
    INFO(out);
    CHECK_FALSE(fs::exists(a / "learned.json"));
    CHECK(out.find("records: 11") != std::string::npos);
    CHECK(out.find("distress") != std::string::npos);

    REQUIRE(learn(data, a, true, out) == 0);
    REQUIRE(learn(data, b, true, out) == 0);
    const auto first = read(a / "learned.json");
    REQUIRE_FALSE(first.empty());
    CHECK(first == read(b / "learned.json"));   // same input, same file, byte for byte
    CHECK(first.find(data.string()) == std::string::npos);   // no path of this machine

    // A word only in positives gets a positive weight, one only in negatives a negative one.
    const auto deadline = weights_of(first, "deadline");
    const auto lunch = weights_of(first, "lunch");
    REQUIRE(deadline);
    REQUIRE(lunch);
    CHECK((*deadline)[1] > 0.05);
    CHECK((*lunch)[1] < -0.05);
    CHECK((*deadline)[0] < 0);   // never with conflict
    CHECK(weights_of(first, "you broke").has_value());
    CHECK(((*weights_of(first, "you broke"))[0]) > 0.05);
    // Seen in one record only: left out (min-df 2).
    CHECK_FALSE(weights_of(first, "honestly"));
    CHECK_FALSE(weights_of(first, "sleep"));

    // It loads, and the rules folder now flags with it.
    nudgebot::core::diagnostics diags;
    auto rules = nudgebot::engine::load_rules(a.string(), diags);
    INFO(diags.to_string());
    REQUIRE(rules);
    CHECK(rules->learned_model().size() > 10);
    CHECK(rules->learned_probabilities("the deadline, exhausted")[1] > rules->learned_probabilities("lunch")[1]);

    // Retraining keeps the combination settings of the existing file; only the bias is replaced.
    auto edited = first;
    const std::string from = "\"label\": \"words that often come with distress language in team chat\"";
    const auto at = edited.find(from);
    REQUIRE(at != std::string::npos);
    edited.replace(at, from.size(), "\"label\": \"tired words\"");
    const auto scale_at = edited.find("\"scale\": 1", at);
    REQUIRE(scale_at != std::string::npos);
    edited.replace(scale_at, 10, "\"scale\": 2.5");
    const std::string undamped = "\"damp\": false}";
    const auto damp_at = edited.find(undamped, at);
    REQUIRE(damp_at != std::string::npos);
    edited.replace(damp_at, undamped.size(), "\"damp\": true, \"yield_to_modifiers\": true}");
    write(a / "learned.json", edited);
    REQUIRE(learn(data, a, true, out) == 0);
    const auto again = read(a / "learned.json");
    CHECK(again == edited);   // same data, so the same bias and weights
    const auto j = nlohmann::json::parse(again, nullptr, true, true);
    CHECK(j["categories"]["distress"]["label"] == "tired words");
    CHECK(j["categories"]["distress"]["scale"] == 2.5);
    CHECK(j["categories"]["distress"]["damp"] == true);
    CHECK(j["categories"]["distress"]["yield_to_modifiers"] == true);
    CHECK_FALSE(j["categories"]["conflict"].contains("yield_to_modifiers"));
    CHECK(j["categories"]["conflict"]["scale"] == 1);

    // Bad options and a broken existing learned.json are refused.
    rules_learn_options bad;
    bad.files = {data.string()};
    bad.rules_dir = a.string();
    bad.order = 4;
    std::ostringstream so, se;
    CHECK(run_rules_learn(bad, so, se) == 2);
    write(b / "learned.json", "{\"order\": 2, \"ngrams\": 3}");
    CHECK(learn(data, b, true, out) == 2);
    CHECK(out.find("learned.json:1:") != std::string::npos);

    // --count known: N is the kept n-grams; the file says so, and the analyzer counts the same way.
    fs::remove(b / "learned.json");
    REQUIRE(learn(data, b, true, out, true) == 0);
    const auto known_text = read(b / "learned.json");
    CHECK(known_text.find("\"count\": \"known\"") != std::string::npos);
    CHECK(known_text.find("--count known") != std::string::npos);
    CHECK(known_text != first);   // other scales, other weights
    nudgebot::core::diagnostics known_diags;
    auto known_rules = nudgebot::engine::load_rules(b.string(), known_diags);
    INFO(known_diags.to_string());
    REQUIRE(known_rules);
    CHECK(known_rules->learned_model().counts_known_only());
    CHECK(known_rules->learned_probabilities("the deadline, exhausted")[1] >
          known_rules->learned_probabilities("lunch")[1]);

    fs::remove_all(a);
    fs::remove_all(b);
    fs::remove(data);
}
