// The letter automaton's limits: its word ids are 16 bits (vocabulary::letter_words()), so a
// vocabulary with more words builds none and the normaliser looks words up by hash instead.
#include "engine/vocabulary.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/normalizer.hpp"

using nudgebot::engine::no_word;
using nudgebot::engine::normalized_text;
using nudgebot::engine::normalizer;
using nudgebot::engine::vocabulary;
using nudgebot::engine::word_id;

namespace {
// The n-th four-letter spelling over `a`-`p`.
std::string spelling(std::size_t n)
{
    std::string w(4, 'a');
    for (std::size_t k = 0; k < 4; ++k, n /= 16) w[3 - k] = static_cast<char>('a' + n % 16);
    return w;
}

bool has_triple(const std::string& w)
{
    return (w[0] == w[1] && w[1] == w[2]) || (w[1] == w[2] && w[2] == w[3]);
}

// `count` words, the spellings without a letter three times in a row (the normaliser squeezes
// such runs, so a token is never spelt that way), in order: word n has id n.
std::vector<std::string> words(std::size_t count)
{
    std::vector<std::string> out;
    for (std::size_t n = 0; out.size() < count; ++n)
        if (!has_triple(spelling(n))) out.push_back(spelling(n));
    return out;
}

vocabulary with_words(const std::vector<std::string>& list)
{
    vocabulary vocab;
    for (const auto& w : list) vocab.add_word(w);
    vocab.build_letter_automaton();
    return vocab;
}
}  // namespace

TEST_CASE("The letter automaton is built while every word id fits 16 bits", "[engine][vocabulary]")
{
    const auto list = words(vocabulary::letter_word_max + 1);   // ids 0 .. letter_word_max
    auto vocab = with_words(list);
    REQUIRE(vocab.has_letter_automaton());
    // The last ids too: a wider id cut to 16 bits would come back as another word or negative.
    for (std::size_t n = list.size() - 300; n < list.size(); ++n) {
        std::uint32_t state = vocabulary::letter_start();
        for (char c : list[n]) state = vocab.letter_step(state, c);
        INFO(list[n]);
        CHECK(vocab.letter_word(state) == static_cast<word_id>(n));
        CHECK(vocab.letter_words()[state] == static_cast<word_id>(n));
    }
}

TEST_CASE("Past 16-bit word ids no letter automaton is built and words are still found", "[engine][vocabulary]")
{
    const auto list = words(vocabulary::letter_word_max + 2);
    auto vocab = with_words(list);
    CHECK_FALSE(vocab.has_letter_automaton());
    const auto last = static_cast<word_id>(list.size() - 1);
    REQUIRE(last > static_cast<word_id>(vocabulary::letter_word_max));
    REQUIRE(vocab.find(list.back()) == last);
    // The normaliser gives the same ids without the automaton.
    normalizer norm;
    normalized_text out;
    norm.normalize(list[5] + " " + list.back() + " qqzq", out, &vocab);
    REQUIRE(out.tokens.size() == 3);
    CHECK(out.tokens[0].word == 5);
    CHECK(out.tokens[1].word == last);
    CHECK(out.tokens[2].word == no_word);
}
