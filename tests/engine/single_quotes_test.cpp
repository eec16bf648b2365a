#include "engine/single_quotes.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/analyzer.hpp"

using namespace nudgebot::engine;

namespace {

// The words of `text` that the normaliser (which marks single quotes last) left quoted.
std::vector<std::string> quoted_words(std::string_view text)
{
    normalizer norm;
    normalized_text out;
    norm.normalize(text, out, nullptr);
    std::vector<std::string> words;
    for (const auto& t : out.tokens)
        if (t.has(token::quoted)) words.emplace_back(out.text(t));
    return words;
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("Words between single quote marks are quoted", "[engine][single_quotes]")
{
    CHECK(quoted_words("she sang 'i don't wanna go' at karaoke") == strings{"i", "don't", "wanna", "go"});
    CHECK(quoted_words("'whole message'") == strings{"whole", "message"});
    CHECK(quoted_words("he said: 'stop' and left") == strings{"stop"});
    CHECK(quoted_words("(\xE2\x80\x98" "curly ones\xE2\x80\x99)") == strings{"curly", "ones"});
    CHECK(quoted_words("my friend says 'kms', should i worry?") == strings{"kms"});
    CHECK(quoted_words("'one' and 'two'") == strings{"one", "two"});
}

TEST_CASE("Apostrophes in and after words never open or close a quotation", "[engine][single_quotes]")
{
    CHECK(quoted_words("don't do that, it's fine").empty());
    CHECK(quoted_words("the players' lounge and the teachers' room").empty());
    CHECK(quoted_words("back in the '90s it was fine").empty());
    CHECK(quoted_words("an unclosed 'quote runs to the end").empty());
    CHECK(quoted_words("'first line\nsecond' line").empty());     // one line only
    CHECK(quoted_words("a ' lone mark ' here").empty());            // a space after the opening mark
    CHECK(quoted_words("it's the 90's 'thing' now") == strings{"thing"});
}

TEST_CASE("Crisis words sung or reported in single quotes do not fire", "[engine][single_quotes]")
{
    nudgebot::core::diagnostics diags;
    auto rules = load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    INFO(diags.to_string());
    REQUIRE(rules);
    const auto reported = rules->analyze("karaoke pick tonight: 'i want to die' by the old punk band",
                                         sensitivity::medium);
    CHECK_FALSE(reported.flagged(category::crisis));
    const auto own = rules->analyze("tonight i want to die", sensitivity::medium);
    CHECK(own.flagged(category::crisis));
}
