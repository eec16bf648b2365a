#include "engine/quote_marks.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/scare_quote.hpp"

namespace qm = nudgebot::engine::quote_marks;

namespace {
// The candidates one byte at a time, as next_candidate() promises them.
std::vector<std::uint32_t> naive_candidates(std::string_view text)
{
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\'' || c == '"' || c == 0xE2) out.push_back(static_cast<std::uint32_t>(i));
    }
    return out;
}
}  // namespace

TEST_CASE("The next possible quote mark is found at every offset, across the 16-byte steps", "[engine][quote_marks]")
{
    // Random texts of every length up to 70 (the vector loop, its overlapping last load and the
    // byte loop for short texts), mostly letters and spaces with a few mark bytes.
    std::mt19937 random(11);
    const std::string alphabet = "abc de'\"\xE2\x80\x98.";
    for (std::size_t length = 0; length <= 70; ++length)
        for (int round = 0; round < 40; ++round) {
            std::string text;
            for (std::size_t k = 0; k < length; ++k) {
                const bool mark = random() % 9 == 0;
                text += mark ? alphabet[6 + random() % 3] : alphabet[random() % 5];
            }
            const auto expected = naive_candidates(text);
            std::vector<std::uint32_t> listed;
            qm::list_candidates(text, listed);
            INFO(text);
            REQUIRE(listed == expected);
            // From every offset, the first candidate at or after it (or the end).
            std::size_t at = 0;
            for (std::size_t from = 0; from <= text.size(); ++from) {
                while (at < expected.size() && expected[at] < from) ++at;
                const std::size_t want = at < expected.size() ? expected[at] : text.size();
                REQUIRE(qm::next_candidate(text, from) == want);
            }
        }
}

TEST_CASE("A cursor over listed candidates answers as next_candidate() does", "[engine][quote_marks]")
{
    const std::string text = "she said 'fine' and then \xE2\x80\x9Cgreat\xE2\x80\x9D, twice";
    std::vector<std::uint32_t> listed;
    qm::list_candidates(text, listed);
    qm::candidate_cursor cursor(listed, text.size());
    for (std::size_t from = 0; from <= text.size(); ++from) {
        INFO(from);
        CHECK(cursor.next(from) == qm::next_candidate(text, from));
    }
}

TEST_CASE("Marks are told apart, and a closing mark ends only before a non-word byte", "[engine][quote_marks]")
{
    CHECK(qm::mark_at("'", 0).what == qm::mark::apostrophe);
    CHECK(qm::mark_at("\"", 0).what == qm::mark::straight_double);
    CHECK(qm::mark_at("\xE2\x80\x98x", 0).what == qm::mark::left_single);
    CHECK(qm::mark_at("\xE2\x80\x99x", 0).what == qm::mark::right_single);
    CHECK(qm::mark_at("\xE2\x80\x9Cx", 0).what == qm::mark::left_double);
    CHECK(qm::mark_at("\xE2\x80\x9Dx", 0).what == qm::mark::right_double);
    CHECK(qm::mark_at("\xE2\x80\x9D", 0).length == 3);
    CHECK(qm::mark_at("\xE2\x80\x94", 0).what == qm::mark::none);   // an em dash
    CHECK(qm::mark_at("\xE2\x80", 0).what == qm::mark::none);       // cut short
    CHECK(qm::mark_at("x", 0).what == qm::mark::none);
    CHECK(qm::may_end_before("it's", 4));
    CHECK(qm::may_end_before("it's.", 3) == false);
    CHECK(qm::may_end_before("'x, y", 2));
    CHECK_FALSE(qm::may_end_before("90's", 3));
    CHECK_FALSE(qm::may_end_before("don't", 4));
}

TEST_CASE("The scare-quote search gives the same answer from listed candidates", "[engine][scare_quote]")
{
    for (std::string_view text : {"thanks for the 'quick fix' again", "I don't think it's 'that' bad",
                                  "no quotes here at all, just words", "a \"very\" long \"helpful\" review",
                                  "'start' of the text", "ends with an open 'quote"}) {
        std::vector<std::uint32_t> listed;
        qm::list_candidates(text, listed);
        const auto plain = nudgebot::engine::find_scare_quote(text);
        const auto from_list = nudgebot::engine::find_scare_quote(text, listed);
        INFO(text);
        REQUIRE(plain.has_value() == from_list.has_value());
        if (plain) {
            CHECK(plain->begin == from_list->begin);
            CHECK(plain->end == from_list->end);
        }
    }
}
