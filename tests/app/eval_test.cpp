#include "app/eval_report.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/verbs.hpp"

using namespace nudgebot::app;
using eval::label;

namespace {

eval::record_result make(std::string source, std::optional<bool> conflict, bool flag_medium, float score = 0.f,
                         std::optional<bool> distress = std::nullopt)
{
    eval::record_result r;
    r.source = std::move(source);
    r.labels[0] = conflict;
    r.labels[1] = distress;
    r.scores[0] = score;
    r.flags[1][0] = flag_medium;
    return r;
}

std::filesystem::path scratch_dir(const std::string& name)
{
    auto dir = std::filesystem::temp_directory_path() / ("nudgebot_eval_test_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

void write(const std::filesystem::path& p, const std::string& text)
{
    std::ofstream f(p, std::ios::binary);
    f << text;
}

}  // namespace

TEST_CASE("A labelled line yields its source, its labels and its text, with null meaning not annotated", "[eval]")
{
    std::string text, error;
    const auto r = eval::parse_record(
        R"({"id":"a1","text":"hello there","source":"chat","labels":{"conflict":1,"distress":null,"crisis":0,"empathy":2}})",
        text, error);
    REQUIRE(r);
    CHECK(text == "hello there");
    CHECK(r->source == "chat");
    CHECK(r->labels[0] == true);
    CHECK_FALSE(r->labels[1].has_value());
    CHECK(r->labels[2] == false);
    CHECK(r->labels[3] == true);   // empathy 2 counts as empathic
}

TEST_CASE("A bad line is rejected with a reason that never quotes its text", "[eval][bad-input]")
{
    std::string text, error;
    CHECK_FALSE(eval::parse_record("{not json secret words", text, error));
    CHECK(error == "not valid JSON");
    CHECK_FALSE(eval::parse_record(R"(["secret words"])", text, error));
    CHECK(error == "not a JSON object");
    CHECK_FALSE(eval::parse_record(R"({"text":5,"labels":{}})", text, error));
    CHECK(error == "missing \"text\" string");
    CHECK_FALSE(eval::parse_record(R"({"text":"secret words"})", text, error));
    CHECK(error == "missing \"labels\" object");
    CHECK_FALSE(eval::parse_record(R"({"text":"secret words","labels":{"conflict":2}})", text, error));
    CHECK(error == "bad value for label \"conflict\"");
    CHECK(error.find("secret") == std::string::npos);
    CHECK_FALSE(eval::parse_record("{\"text\":\"bad \xff\xfe utf8\",\"labels\":{}}", text, error));
}

TEST_CASE("A record may say it answers someone else's message; anything but true or false is an error", "[eval]")
{
    std::string text, error;
    auto plain = eval::parse_record(R"({"text":"x","labels":{"conflict":1}})", text, error);
    REQUIRE(plain);
    CHECK_FALSE(plain->reply);
    auto reply = eval::parse_record(R"({"text":"x","reply":true,"labels":{"conflict":1}})", text, error);
    REQUIRE(reply);
    CHECK(reply->reply);
    auto null_reply = eval::parse_record(R"({"text":"x","reply":null,"labels":{}})", text, error);
    REQUIRE(null_reply);
    CHECK_FALSE(null_reply->reply);
    CHECK_FALSE(eval::parse_record(R"({"text":"secret words","reply":"yes","labels":{}})", text, error));
    CHECK(error == "\"reply\" is not true or false");
}

TEST_CASE("Precision, recall and F1 follow their definitions and are undefined on empty denominators", "[eval]")
{
    eval::counts c;
    for (int i = 0; i < 3; ++i) c.add(true, true);    // 3 tp
    c.add(false, true);                               // 1 fp
    for (int i = 0; i < 2; ++i) c.add(true, false);   // 2 fn
    for (int i = 0; i < 4; ++i) c.add(false, false);  // 4 tn
    CHECK(*c.precision() == Approx(0.75));
    CHECK(*c.recall() == Approx(0.6));
    CHECK(*c.f1() == Approx(2 * 0.75 * 0.6 / 1.35));
    CHECK(c.flag_rate() == Approx(0.4));

    eval::counts none;
    none.add(false, false);
    CHECK_FALSE(none.precision());
    CHECK_FALSE(none.recall());
    CHECK_FALSE(none.f1());
}

TEST_CASE("Counts are kept overall and per source, and unannotated records are skipped", "[eval]")
{
    std::vector<eval::record_result> results{
        make("games", true, true), make("games", false, true), make("games", std::nullopt, true),
        make("forum", true, false), make("forum", false, false, 0.f, false)};
    const auto s = eval::summarise(results, "tiny.jsonl", 2);
    CHECK(s.records == 5);
    CHECK(s.bad_lines == 2);
    CHECK(s.sources == std::vector<std::string>{"forum", "games"});
    const auto& all = s.overall[1][0];
    CHECK(all.tp == 1);
    CHECK(all.fp == 1);
    CHECK(all.fn == 1);
    CHECK(all.tn == 1);
    CHECK(s.by_source.at("games")[1][0].total() == 2);
    CHECK(s.by_source.at("forum")[1][0].fn == 1);
    // Only the forum record is annotated 0 for both conflict and distress.
    CHECK(s.everyday_records == 1);
    CHECK(s.everyday_flagged[1][0] == 0);
}

TEST_CASE("A flag on everyday chat counts against every category", "[eval]")
{
    auto r = make("chat", false, true, 0.9f, false);
    r.flags[1][2] = true;   // crisis flagged too
    const auto s = eval::summarise({r}, "x", 0);
    CHECK(s.everyday_records == 1);
    CHECK(s.everyday_flagged[1][0] == 1);
    CHECK(s.everyday_flagged[1][2] == 1);
    CHECK(s.everyday_flagged[0][0] == 0);
}

TEST_CASE("The precision-recall curve sweeps the threshold from the highest score down", "[eval]")
{
    const auto curve = eval::pr_curve({{0.9f, true}, {0.8f, false}, {0.8f, true}, {0.3f, true}, {0.f, true}});
    REQUIRE(curve.size() == 3);
    CHECK(curve[0].threshold == Approx(0.9f));
    CHECK(curve[0].precision == Approx(1.0));
    CHECK(curve[0].recall == Approx(0.25));
    CHECK(curve[1].precision == Approx(2.0 / 3));   // ties at 0.8 enter together
    CHECK(curve[1].recall == Approx(0.5));
    CHECK(curve[2].recall == Approx(0.75));          // a score of 0 is never a flag
    CHECK(eval::pr_curve({{0.5f, false}}).empty());
}

TEST_CASE("The table shows every sensitivity and the everyday-chat rate; the report is self-contained", "[eval]")
{
    std::vector<eval::record_result> results{make("games", true, true, 0.8f), make("games", false, false, 0.1f, false)};
    const auto s = eval::summarise(results, "tiny.jsonl", 0);
    std::ostringstream table;
    eval::print_table(s, table);
    const auto t = table.str();
    CHECK(t.find("medium  conflict  ALL") != std::string::npos);
    CHECK(t.find("medium  conflict  games") != std::string::npos);
    CHECK(t.find("low     conflict  ALL") != std::string::npos);
    CHECK(t.find("everyday chat (1 records") != std::string::npos);

    std::ostringstream html;
    eval::write_html(s, html);
    const auto h = html.str();
    CHECK(h.rfind("<!doctype html>", 0) == 0);
    CHECK(h.find("<svg") != std::string::npos);
    CHECK(h.find("<polyline") != std::string::npos);
    CHECK(h.find("<script") == std::string::npos);
    CHECK(h.find("http://") == h.find("http://www.w3.org/2000/svg"));   // no external resources
    CHECK(h.find("https://") == std::string::npos);
}

TEST_CASE("nudgebot eval measures a pack on a labelled file and counts bad lines without stopping", "[eval][verb]")
{
    const auto dir = scratch_dir("verb");
    std::filesystem::create_directories(dir / "rules");
    write(dir / "rules" / "mini.json", R"({
      "pack": "mini",
      "description": "test pack",
      "lexicons": {
        "mini_you": { "label": "you", "terms": ["you"] },
        "mini_insult": { "label": "an insult", "terms": ["nitwit"], "negatable": true }
      },
      "rules": [ { "id": "mini.insult", "category": "conflict", "label": "an insult at you", "weight": 3.0,
                   "all": ["mini_you", "mini_insult"],
                   "examples": { "fire": ["you nitwit"], "quiet": ["you are not a nitwit"] } } ]
    })");
    write(dir / "rules" / "scoring.json",
          R"({"categories":{"conflict":{"bias":-1.0,"thresholds":{"low":0.9,"medium":0.8,"high":0.5}}}})");
    write(dir / "data.jsonl",
          R"({"id":"1","text":"you nitwit","source":"a","labels":{"conflict":1,"distress":null}})" "\n"
          R"({"id":"2","text":"you are kind","source":"a","labels":{"conflict":0,"distress":0}})" "\n"
          "this line is not json\n"
          R"({"id":"3","text":"hello nitwit","source":"b","labels":{"conflict":1}})" "\n");

    eval_options options;
    options.file = (dir / "data.jsonl").string();
    options.rules_dir = (dir / "rules").string();
    options.report = (dir / "report.html").string();
    std::ostringstream out, err;
    const int rc = run_eval(options, out, err);
    CHECK(rc == 1);   // one bad line
    const auto t = out.str();
    INFO(t << err.str());
    CHECK(t.find("3 records, 1 bad lines") != std::string::npos);
    // score sigmoid(-1 + 3) = 0.88: flagged at medium and high, not at low (0.9).
    CHECK(t.find("medium  conflict  ALL                    2       1       1     1.000   0.500   0.667") !=
          std::string::npos);
    CHECK(t.find("low     conflict  ALL                    2       1       0         -   0.000       -") !=
          std::string::npos);
    CHECK(err.str().find(":3: bad line: not valid JSON") != std::string::npos);
    CHECK(err.str().find("not json") == std::string::npos);   // never the text itself
    CHECK(std::filesystem::file_size(dir / "report.html") > 1000);
    std::filesystem::remove_all(dir);
}

TEST_CASE("nudgebot eval fails clearly when the file cannot be opened", "[eval][verb]")
{
    const auto dir = scratch_dir("missing");
    std::filesystem::create_directories(dir / "rules");
    write(dir / "rules" / "scoring.json", R"({"categories":{}})");
    eval_options options;
    options.file = (dir / "nope.jsonl").string();
    options.rules_dir = (dir / "rules").string();
    std::ostringstream out, err;
    CHECK(run_eval(options, out, err) == 2);
    CHECK(err.str() == "nudgebot eval: " + options.file + ": cannot read the file: No such file or directory\n");
    std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------- rules fit (bot/app/rules_fit.hpp)

#include "app/rules_fit.hpp"

TEST_CASE("Rewriting a rule's weight changes only that rule's number", "[eval][fit]")
{
    std::string pack = R"({ "rules": [
      { "id": "a.one", "category": "conflict", "label": "x", "weight": 2.5, "all": ["l"] },
      { "id": "a.two", "category": "conflict", "label": "y", "weight": 1.0, "all": ["l"] } ] })";
    REQUIRE(set_rule_weight(pack, "a.two", 0.75));
    CHECK(pack.find("\"weight\": 2.5,") != std::string::npos);
    CHECK(pack.find("\"weight\": 0.75,") != std::string::npos);
    CHECK_FALSE(set_rule_weight(pack, "a.three", 1.0));
}

TEST_CASE("Fitting lowers the weight of a rule that fires mostly on negatives and can rewrite the pack",
          "[eval][fit]")
{
    const auto dir = scratch_dir("fit");
    std::filesystem::create_directories(dir / "rules");
    write(dir / "rules" / "mini.json", R"({
      "pack": "mini",
      "description": "test pack",
      "lexicons": { "mini_word": { "label": "a word", "terms": ["grumble"] } },
      "rules": [ { "id": "mini.word", "category": "conflict", "label": "a word", "weight": 3.0,
                   "all": ["mini_word"], "examples": { "fire": ["grumble"], "quiet": ["hello"] } } ]
    })");
    write(dir / "rules" / "scoring.json",
          R"({"categories":{"conflict":{"bias":-1.0,"thresholds":{"low":0.9,"medium":0.8,"high":0.5}}}})");
    std::string data;
    for (int i = 0; i < 9; ++i) data += R"({"text":"grumble","labels":{"conflict":0}})" "\n";
    data += R"({"text":"grumble","labels":{"conflict":1}})" "\n";
    write(dir / "data.jsonl", data);

    rules_fit_options options;
    options.file = (dir / "data.jsonl").string();
    options.rules_dir = (dir / "rules").string();
    options.write = true;
    options.l2 = 0.01;   // let the data speak; the weight is clamped at min_weight
    std::ostringstream out, err;
    REQUIRE(run_rules_fit(options, out, err) == 0);
    INFO(out.str() << err.str());
    CHECK(out.str().find("mini.word") != std::string::npos);
    std::ifstream f(dir / "rules" / "mini.json");
    std::stringstream text;
    text << f.rdbuf();
    CHECK(text.str().find("\"weight\": 3.0") == std::string::npos);   // lowered
    CHECK(text.str().find("\"weight\": 0.20") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("Records with a kind are counted per kind and listed worst first, with look-alikes apart", "[eval][kind]")
{
    std::string text, error;
    auto parsed = eval::parse_record(
        R"({"text": "x", "kind": "crisis-farewell", "labels": {"conflict": 0, "distress": 1, "crisis": 1}})", text, error);
    REQUIRE(parsed);
    CHECK(parsed->kind == "crisis-farewell");
    CHECK_FALSE(eval::parse_record(R"({"text": "x", "kind": 3, "labels": {}})", text, error));
    CHECK(error == "\"kind\" is not a string");

    auto rec = [](std::string kind, std::array<int, 3> labels, std::array<bool, 3> flags) {
        eval::record_result r;
        r.source = "chat";
        r.kind = std::move(kind);
        for (std::size_t i = 0; i < 3; ++i) {
            r.labels[i] = labels[i] != 0;
            r.flags[1][i] = flags[i];
        }
        return r;
    };
    std::vector<eval::record_result> rs;
    // farewells: crisis positives, 1 of 4 found
    rs.push_back(rec("crisis-farewell", {0, 1, 1}, {false, true, true}));
    for (int k = 0; k < 3; ++k) rs.push_back(rec("crisis-farewell", {0, 1, 1}, {false, false, false}));
    // fiction traps: 1 of 2 flagged as crisis
    rs.push_back(rec("trap-fiction", {0, 0, 0}, {false, false, true}));
    rs.push_back(rec("trap-fiction", {0, 0, 0}, {false, false, false}));
    // quiet chat: nothing flagged
    rs.push_back(rec("benign-thanks", {0, 0, 0}, {false, false, false}));
    // blame: 4 of 5 found; the one message that also shows distress is missed there, but a label
    // carried by fewer than a quarter of the kind's records does not rank it
    for (int k = 0; k < 4; ++k) rs.push_back(rec("conflict-blame", {1, 0, 0}, {true, false, false}));
    rs.push_back(rec("conflict-blame", {1, 1, 0}, {false, false, false}));
    const auto s = eval::summarise(rs, "f.jsonl", 0);

    CHECK(s.lookalike_records == 3);
    CHECK(s.lookalike_flagged[1][2] == 1);
    const auto rows = eval::kinds_worst_first(s);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].kind == "crisis-farewell");
    CHECK(rows[0].records == 4);
    CHECK(rows[0].by_label[2].tp == 1);
    CHECK(rows[0].worst == Approx(0.75));
    CHECK(rows[1].kind == "trap-fiction");
    CHECK(rows[1].worst == Approx(0.5));
    CHECK(rows[2].kind == "conflict-blame");
    CHECK(rows[2].worst == Approx(0.2));
    CHECK(rows[3].kind == "benign-thanks");
    CHECK(rows[3].worst == 0);

    std::ostringstream table, html;
    eval::print_table(s, table);
    CHECK(table.str().find("medium: look-alikes (3 records annotated 0 for conflict, distress and crisis) flagged: "
                           "conflict 0.00% distress 0.00% crisis 33.33%") != std::string::npos);
    const auto kinds_at = table.str().find("per kind at sensitivity medium, worst first");
    REQUIRE(kinds_at != std::string::npos);
    CHECK(table.str().find("crisis-farewell", kinds_at) < table.str().find("trap-fiction", kinds_at));
    CHECK(table.str().find("R 0.25 1/4") != std::string::npos);
    CHECK(table.str().find("FA 1/2") != std::string::npos);
    eval::write_html(s, html);
    CHECK(html.str().find("Per kind (team chat)") != std::string::npos);
    CHECK(html.str().find("<td>trap-fiction</td>") != std::string::npos);
}
