// The restatement lines of a suggestion library (composer_restatements.cpp, library_lint.cpp):
// loaded from the "restatements" section, every family required, mistakes reported with file,
// line and column, and `rules test`'s spelling and placeholder checks run on every line.
#include "nudge/composer.hpp"
#include "nudge/library_lint.hpp"

#include "core/read_file.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace nudgebot;
using namespace nudgebot::nudge;

namespace {

std::string shipped_text()
{
    core::diagnostics diags;
    auto text = core::read_file(NUDGEBOT_SOURCE_DIR "/rules/en/suggestions.json", diags, "suggestion library");
    REQUIRE(text);
    return *text;
}

std::string replaced(std::string text, std::string_view from, std::string_view to)
{
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

bool mentions(const std::vector<std::string>& problems, std::string_view part)
{
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& p) { return p.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("The shipped library has words for every restatement family", "[nudge][composer][restate]")
{
    core::diagnostics diags;
    auto lib = parse_suggestions(shipped_text(), "suggestions.json", diags);
    INFO(diags.to_string());
    REQUIRE(lib);
    for (std::size_t i = 0; i < restatement_families.size(); ++i) {
        INFO(restatement_families[i]);
        const auto& w = lib->restatements[i];
        CHECK_FALSE(w.leaves_out.empty());
        CHECK_FALSE(w.said_as.empty());
        CHECK(w.feelings.size() >= 3);
        CHECK(w.asks.size() >= 3);
        CHECK_FALSE(w.thing_asks.empty());
    }
}

TEST_CASE("A missing or malformed restatements section is reported with file, line and column",
          "[nudge][composer][restate][load]")
{
    const auto text = shipped_text();
    {
        // Without the section at all.
        const auto begin = text.find("  \"restatements\": {");
        const auto end = text.find("  \"crisis_card\": {");
        REQUIRE(begin < end);
        core::diagnostics diags;
        CHECK_FALSE(parse_suggestions(text.substr(0, begin) + text.substr(end), "s.json", diags));
        CHECK(diags.to_string().find("missing required key \"restatements\"") != std::string::npos);
        CHECK(diags.to_string().find("s.json:") == 0);
    }
    {
        // A family missing, a list that is a string, an empty list, an unknown family.
        auto broken = replaced(text, "\"gaslighting\": {", "\"gaslightng\": {");
        broken = replaced(broken, "\"thing_asks\": [\n        \"Can we rethink {thing} for the next round?\"\n      ]",
                          "\"thing_asks\": \"Can we rethink {thing}?\"");
        broken = replaced(broken, "\"asks\": [\n        \"Want me to walk through it?\",",
                          "\"asks\": [], \"unused\": [\n        \"Want me to walk through it?\",");
        core::diagnostics diags;
        CHECK_FALSE(parse_suggestions(broken, "s.json", diags));
        const auto report = diags.to_string();
        INFO(report);
        CHECK(report.find("missing required key \"gaslighting\" in restatements") != std::string::npos);
        CHECK(report.find("unknown key \"gaslightng\"") != std::string::npos);
        CHECK(report.find("restatements.trash_talk.thing_asks: expected an array") != std::string::npos);
        CHECK(report.find("\"asks\" needs at least one line") != std::string::npos);
        CHECK(report.find("unknown key \"unused\"") != std::string::npos);
        // Every problem is FILE:LINE:COL: error: ...
        for (const auto& d : diags.items()) {
            CHECK(d.file == "s.json");
            CHECK(d.line > 0);
            CHECK(d.column > 0);
        }
    }
}

TEST_CASE("rules test's spelling and placeholder checks run on every restatement line", "[nudge][quality][restate]")
{
    auto text = replaced(shipped_text(), "\"Could we park {thing} for now?\"", "\"Could we park it for now?\"");
    text = replaced(text, "\"Could we compare notes?\"", "\"Could we compare {thing}?\"");
    text = replaced(text, "\"I remember this differently.\"", "\"I remember this differently {when}\"");
    text = replaced(text, "\"Can we sort it out?\"", "\"Can we sort it it out?\"");
    core::diagnostics diags;
    auto lib = parse_suggestions(text, "s.json", diags);
    INFO(diags.to_string());
    REQUIRE(lib);
    const composer c(std::move(*lib));
    const auto problems = lint_library(c);
    for (const auto& p : problems) UNSCOPED_INFO(p);
    CHECK(mentions(problems, "restatements.dismissal, thing_asks line 2: a \"thing_asks\" line without {thing}"));
    CHECK(mentions(problems, "restatements.gaslighting, asks line 2: {thing} outside \"thing_asks\""));
    CHECK(mentions(problems, "restatements.gaslighting, feelings line 1: unknown slot {when}"));
    CHECK(mentions(problems, "restatements.gaslighting, feelings line 1: does not end with closing punctuation"));
    CHECK(mentions(problems, "restatements.passive_aggression, asks line 3: the doubled word \"it it\""));
}
