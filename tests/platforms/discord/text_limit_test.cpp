// platforms/text_limit.hpp is shared by all three adapters; it is tested once, here.
#include "platforms/text_limit.hpp"

#include <catch2/catch.hpp>

using nudgebot::platforms::truncate_utf8;

TEST_CASE("Outgoing text is cut to a number of code points, never inside a UTF-8 sequence",
          "[platforms][text]")
{
    CHECK(truncate_utf8("hello", 10) == "hello");
    CHECK(truncate_utf8("hello", 5) == "hello");
    CHECK(truncate_utf8("hello", 3) == "hel");
    CHECK(truncate_utf8("hello", 0).empty());
    CHECK(truncate_utf8("", 3).empty());
    // "héllo": é is two bytes but one code point.
    CHECK(truncate_utf8("h\xC3\xA9llo", 2) == "h\xC3\xA9");
    // Emoji (four bytes) are kept whole or dropped whole.
    CHECK(truncate_utf8("\xF0\x9F\x99\x82\xF0\x9F\x99\x82", 1) == "\xF0\x9F\x99\x82");
}
