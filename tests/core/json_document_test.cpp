#include "core/json_document.hpp"

#include <catch2/catch.hpp>
#include <thread>
#include <nlohmann/json.hpp>

using nudgebot::core::diagnostics;
using nudgebot::core::json_document;

namespace {

const char* const sample = R"({
  // a comment
  "name": "demo",
  "port": "80",   /* wrong type */
  "lexicons": {
    "insult": { "lable": "an insult", "terms": ["a", 3] }
  }
})";

}  // namespace

TEST_CASE("A document with comments parses and remembers where values and keys start",
          "[core][json]")
{
    diagnostics diags;
    auto doc = json_document::parse(sample, "pack.json", diags);
    REQUIRE(doc);
    CHECK_FALSE(diags.has_errors());
    CHECK(doc->root()["name"] == "demo");
    CHECK(doc->of("/name").line == 3);
    CHECK(doc->of("/name").column == 11);
    CHECK(doc->key_position("/name").column == 3);
    CHECK(doc->of("/lexicons/insult/terms/1").line == 6);
    CHECK(doc->of("/lexicons/insult/terms/1").column == 54);
    CHECK(doc->of("").line == 1);
}

TEST_CASE("A syntax error is reported once with its own line and column", "[core][json]")
{
    diagnostics diags;
    auto doc = json_document::parse("{\n  \"a\": tru,\n}", "bad.json", diags);
    CHECK_FALSE(doc);
    CHECK(diags.to_string() ==
          "bad.json:2:11: error: syntax error while parsing value - invalid literal; last read: "
          "'\"a\": tru,'\n");
}

TEST_CASE("An empty file is a clear syntax error at 1:1", "[core][json]")
{
    diagnostics diags;
    CHECK_FALSE(json_document::parse("", "empty.json", diags));
    CHECK(diags.to_string() ==
          "empty.json:1:1: error: syntax error while parsing value - unexpected end of input; "
          "expected '[', '{', or a literal\n");
}

TEST_CASE("Wrong types are reported at the value with a readable path", "[core][json]")
{
    diagnostics diags;
    auto doc = json_document::parse(sample, "pack.json", diags);
    REQUIRE(doc);
    CHECK_FALSE(doc->expect_integer("/port", diags));
    CHECK(doc->expect_string("/lexicons/insult/terms/1", diags) == nullptr);
    REQUIRE(doc->expect_string("/name", diags));
    CHECK(*doc->expect_string("/name", diags) == "demo");
    CHECK(diags.to_string() ==
          "pack.json:4:11: error: port: expected an integer, got a string\n"
          "pack.json:6:54: error: lexicons.insult.terms[1]: expected a string, got an integer\n");
}

TEST_CASE("A missing required key points at the enclosing object", "[core][json]")
{
    diagnostics diags;
    auto doc = json_document::parse(sample, "pack.json", diags);
    REQUIRE(doc);
    CHECK(doc->expect_string("/lexicons/insult/label", diags, true) == nullptr);
    CHECK_FALSE(doc->expect_bool("/strict", diags, true));
    CHECK_FALSE(doc->expect_bool("/optional", diags));
    CHECK(diags.to_string() ==
          "pack.json:1:1: error: missing required key \"strict\" at top level\n"
          "pack.json:6:15: error: missing required key \"label\" in lexicons.insult\n");
}

TEST_CASE("Unknown keys are reported at the key, with a suggestion when one is close",
          "[core][json]")
{
    diagnostics diags;
    auto doc = json_document::parse(sample, "pack.json", diags);
    REQUIRE(doc);
    CHECK_FALSE(doc->check_keys("/lexicons/insult", {"label", "terms", "mask"}, diags));
    CHECK_FALSE(doc->check_keys("", {"name", "lexicons"}, diags));
    CHECK(doc->check_keys("/lexicons", {"insult"}, diags));
    CHECK(diags.to_string() ==
          "pack.json:4:3: error: unknown key \"port\" at top level (allowed: name, lexicons)\n"
          "pack.json:6:17: error: unknown key \"lable\" in lexicons.insult; did you mean "
          "\"label\"?\n");
}

TEST_CASE("Duplicate keys in one object are an error", "[core][json]")
{
    diagnostics diags;
    CHECK_FALSE(json_document::parse("{\"a\": 1,\n \"a\": 2}", "dup.json", diags));
    CHECK(diags.to_string() == "dup.json:2:2: error: duplicate key \"a\"\n");
}

TEST_CASE("Absurdly deep nesting is refused without exhausting the stack", "[core][json]")
{
    diagnostics diags;
    std::string deep(100000, '[');
    CHECK_FALSE(json_document::parse(deep, "deep.json", diags));
    CHECK(diags.to_string() == "deep.json:1:258: error: nesting deeper than 256 levels\n");
}

TEST_CASE("Keys with escapes and slashes round-trip through pointers", "[core][json]")
{
    diagnostics diags;
    auto doc = json_document::parse("{\"a/b\": {\"c~d\": [true]}}", "k.json", diags);
    REQUIRE(doc);
    auto pointer = json_document::child(json_document::child("", "a/b"), "c~d");
    CHECK(pointer == "/a~1b/c~0d");
    CHECK(doc->expect_bool(json_document::child(pointer, 0), diags) == true);
    CHECK(doc->display(json_document::child(pointer, 0)) == "a/b.c~d[0]");
    CHECK(doc->of(json_document::child(pointer, 0)).column == 18);
    CHECK(doc->find("/nope/0") == nullptr);
}

TEST_CASE("Places are worked out once, on first use, the same from several threads at once",
          "[core][json]")
{
    // parse() keeps the text and records no place; the first of() or key_position() records them
    // all. Two threads asking at once must both get them (std::call_once) and agree with one
    // thread asking alone.
    diagnostics diags;
    auto doc = json_document::parse(sample, "pack.json", diags);
    REQUIRE(doc);
    nudgebot::core::text_position a{}, b{}, c{};
    std::thread first([&] { a = doc->of("/lexicons/insult/terms/1"); });
    std::thread second([&] { b = doc->key_position("/lexicons/insult/lable"); });
    first.join();
    second.join();
    c = doc->of("/port");
    CHECK(a.line == 6);
    CHECK(a.column == 54);
    CHECK(b.line == 6);
    CHECK(b.column == 17);
    CHECK(c.line == 4);
    CHECK(c.column == 11);
    // The same places from a document asked by one thread alone.
    auto alone = json_document::parse(sample, "pack.json", diags);
    REQUIRE(alone);
    CHECK(alone->of("/lexicons/insult/terms/1").column == a.column);
    CHECK(alone->key_position("/lexicons/insult/lable").column == b.column);
    // A document that is moved keeps its text and its places.
    json_document moved = std::move(*doc);
    CHECK(moved.of("/name").line == 3);
}
