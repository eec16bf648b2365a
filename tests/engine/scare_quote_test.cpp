#include "engine/scare_quote.hpp"

#include <string>
#include <string_view>

#include <catch2/catch.hpp>

using nudgebot::engine::find_scare_quote;

namespace {
// The quoted stretch find_scare_quote() reports, marks included, or "" for none.
std::string quoted(std::string_view text)
{
    const auto span = find_scare_quote(text);
    return span ? std::string(text.substr(span->begin, span->end - span->begin)) : std::string();
}
}  // namespace

TEST_CASE("A few lower-case words in quotes are a scare quote", "[engine][scare_quote]")
{
    CHECK(quoted("thanks for your 'quick fix' that took the site down") == "'quick fix'");
    CHECK(quoted("lol 'sick' again, right before the audit") == "'sick'");
    CHECK(quoted("so your \"research\" was one video?") == "\"research\"");
    CHECK(quoted("got the \xE2\x80\x98gentle nudge\xE2\x80\x99 email, cc'ing everyone") == "\xE2\x80\x98gentle nudge\xE2\x80\x99");
    CHECK(quoted("(\xE2\x80\x9C" "expert\xE2\x80\x9D advice, clearly)") == "\xE2\x80\x9C" "expert\xE2\x80\x9D");
}

TEST_CASE("Apostrophes, titles, long quotes and open quotes are not scare quotes", "[engine][scare_quote]")
{
    CHECK(quoted("I don't think it's the players' fault") == "");
    CHECK(quoted("click 'Save' and then 'Publish'") == "");                      // capitals: a button
    CHECK(quoted("she said 'we can ship this on friday if the tests pass'") == "");   // more than four words
    CHECK(quoted("the 'new dashboard is up") == "");                            // never closed
    CHECK(quoted("it's 'rock'n'roll' night") == "'rock'n'roll'");              // inner apostrophes skipped
    CHECK(quoted("rock'n'roll") == "");                                        // no opening after a space
    CHECK(quoted("'") == "");
    CHECK(quoted("'a") == "");
    CHECK(quoted("") == "");
    CHECK(quoted("a 'line\nbreak' here") == "");
}

TEST_CASE("A scare quote is found at any offset, past apostrophes and curly marks", "[engine][scare_quote]")
{
    // The search looks at eight bytes at a time: put the quote at every place in such a block,
    // behind words with apostrophes and a curly apostrophe that must be passed over.
    for (std::size_t pad = 0; pad < 24; ++pad) {
        const std::string lead = std::string(pad, 'x') + " don't it\xE2\x80\x99s ";
        const std::string text = lead + "'quick fix' again";
        const auto span = find_scare_quote(text);
        INFO("pad " << pad);
        REQUIRE(span);
        CHECK(span->begin == lead.size());
        CHECK(span->end == lead.size() + 11);
    }
}
