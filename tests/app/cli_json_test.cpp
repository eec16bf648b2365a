#include "app/cli_json.hpp"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using nudgebot::app::append_json_number;
using nudgebot::app::append_json_string;

namespace {
std::string escaped(std::string_view text)
{
    std::string out;
    append_json_string(out, text);
    return out;
}
}  // namespace

TEST_CASE("Plain text is quoted as it is", "[app][json]")
{
    CHECK(escaped("") == "\"\"");
    CHECK(escaped("hello there") == "\"hello there\"");
    CHECK(escaped("caf\xC3\xA9 \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
}

TEST_CASE("Quotes, backslashes and control characters are escaped", "[app][json]")
{
    CHECK(escaped("say \"hi\" \\ bye") == R"("say \"hi\" \\ bye")");
    CHECK(escaped("a\nb\tc\rd\be\ff") == R"("a\nb\tc\rd\be\ff")");
    CHECK(escaped(std::string_view("nul\0x\x1f", 6)) == R"("nul\u0000x\u001f")");
}

TEST_CASE("Invalid UTF-8 becomes U+FFFD so the output stays valid JSON", "[app][json]")
{
    CHECK(escaped("a\xFF" "b") == "\"a\xEF\xBF\xBD" "b\"");
    CHECK(escaped("\xC3") == "\"\xEF\xBF\xBD\"");                         // truncated sequence
    CHECK(escaped("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");         // overlong
    CHECK(escaped("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");   // surrogate
    CHECK(escaped("\xF4\x90\x80\x80").find("\xEF\xBF\xBD") != std::string::npos);   // > U+10FFFF
    // Whatever the bytes, nlohmann accepts the result.
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    CHECK_NOTHROW(nlohmann::json::parse(escaped(all)));
}

TEST_CASE("Numbers are written in the shortest form that reads back the same", "[app][json]")
{
    std::string out;
    append_json_number(out, 0.0f);
    out += ' ';
    append_json_number(out, 0.25f);
    out += ' ';
    append_json_number(out, std::uint64_t{18446744073709551615u});
    out += ' ';
    append_json_number(out, std::int64_t{-42});
    out += ' ';
    append_json_number(out, std::numeric_limits<float>::quiet_NaN());
    CHECK(out == "0 0.25 18446744073709551615 -42 0");
}
