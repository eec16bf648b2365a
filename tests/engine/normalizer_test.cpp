#include "engine/normalizer.hpp"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace nudgebot::engine;

namespace {

struct fixture {
    normalizer norm;
    vocabulary vocab;
    normalized_text out;

    fixture() : fixture({"idiot", "stupid", "ass", "kill", "so", "kms", "you", "hate"}) {}
    // A vocabulary of just these exact words and prefixes (`word*`), added in this order.
    fixture(std::initializer_list<std::string_view> words,
            std::initializer_list<std::string_view> prefixes = {})
    {
        for (auto w : words) vocab.add_word(w);
        for (auto p : prefixes) vocab.add_prefix(p);
    }

    std::vector<std::string> words(std::string_view text, bool with_vocab = true)
    {
        norm.normalize(text, out, with_vocab ? &vocab : nullptr);
        std::vector<std::string> result;
        for (const auto& t : out.tokens) result.emplace_back(out.text(t));
        return result;
    }

    // The original bytes behind token i.
    std::string original(std::string_view text, std::size_t i) const
    {
        const auto& t = out.tokens.at(i);
        return std::string(text.substr(t.span.begin, t.span.end - t.span.begin));
    }
};

using strings = std::vector<std::string>;

// Up to `max_length` bytes drawn from `alphabet`.
std::string random_word(std::mt19937& random, std::string_view alphabet, unsigned max_length)
{
    std::string w;
    const auto length = random() % (max_length + 1);
    for (unsigned k = 0; k < length; ++k) w += alphabet[random() % alphabet.size()];
    return w;
}

// Some byte comes three times in a row (the normaliser squeezes such runs).
bool has_triple(std::string_view w)
{
    for (std::size_t k = 2; k < w.size(); ++k)
        if (w[k] == w[k - 1] && w[k] == w[k - 2]) return true;
    return false;
}

}  // namespace

TEST_CASE("Plain ASCII text is lower-cased into words with exact byte spans", "[engine][normalizer]")
{
    fixture f;
    std::string_view text = "Hello, World! it's fine";
    CHECK(f.words(text) == strings{"hello", "world", "it's", "fine"});
    CHECK(f.original(text, 0) == "Hello");
    CHECK(f.original(text, 1) == "World");
    CHECK(f.original(text, 2) == "it's");
    CHECK(f.out.tokens[0].sentence == 0);
    CHECK(f.out.tokens[2].sentence == 1);
}

TEST_CASE("Fullwidth, look-alike and small-capital letters fold to plain letters", "[engine][normalizer]")
{
    fixture f;
    std::string fullwidth = "\xEF\xBD\x89\xEF\xBD\x84\xEF\xBD\x89\xEF\xBD\x8F\xEF\xBD\x94";   // ｉｄｉｏｔ
    CHECK(f.words(fullwidth) == strings{"idiot"});
    CHECK(f.original(fullwidth, 0) == fullwidth);
    std::string cyrillic = "\xD1\x96" "d" "\xD1\x96\xD0\xBE" "t";   // і d і о t (Cyrillic і, о)
    CHECK(f.words(cyrillic) == strings{"idiot"});
    std::string small_caps = "\xC9\xAA" "d" "\xC9\xAA" "ot";   // ɪdɪot
    CHECK(f.words(small_caps) == strings{"idiot"});
    CHECK(f.words("Caf\xC3\xA9 GREEK \xCE\x91\xCE\x92") == strings{"cafe", "greek", "ab"});
    CHECK(fold_confusable(U'\u0430') == U'a');
    CHECK(fold_confusable(U'z') == U'z');
}

TEST_CASE("Zero-width characters and combining marks do not split or change a word",
          "[engine][normalizer]")
{
    fixture f;
    std::string zw = "ki\xE2\x80\x8Bll";   // ki<ZWSP>ll
    CHECK(f.words(zw) == strings{"kill"});
    CHECK(f.original(zw, 0) == zw);
    std::string zalgo = "i";
    for (int k = 0; k < 30; ++k) zalgo += "\xCC\x81";   // combining acute
    zalgo += "diot";
    CHECK(f.words(zalgo) == strings{"idiot"});
    CHECK(f.original(zalgo, 0) == zalgo);
}

TEST_CASE("Stretched letters are squeezed, and further when that gives a known word",
          "[engine][normalizer]")
{
    fixture f;
    CHECK(f.words("soooo", false) == strings{"soo"});
    CHECK(f.words("soooo") == strings{"so"});
    CHECK(f.words("stuuupiiid") == strings{"stupid"});
    CHECK(f.words("coool") == strings{"cool"});
    CHECK(f.out.tokens[0].has(token::squeezed));
}

TEST_CASE("A squeezed word known only through a prefix still becomes the exact word", "[engine][normalizer]")
{
    fixture f({"shit", "soo"}, {"shit"});   // as a pack with both "shit" and "shit*" registers them
    CHECK(f.words("oh shitttt") == strings{"oh", "shit"});   // "shitt" matched shit* but not "oh shit"
    CHECK(f.out.tokens[1].word == f.vocab.find("shit"));
    CHECK(f.words("shitty") == strings{"shitty"});           // not squeezed: left as written
    CHECK(f.words("soooo") == strings{"soo"});               // squeezed and already an exact word
}

TEST_CASE("Leetspeak folds only inside words that mix letters with digits or symbols",
          "[engine][normalizer]")
{
    fixture f;
    CHECK(f.words("id10t") == strings{"idiot"});
    CHECK(f.words("1d1ot") == strings{"idiot"});
    CHECK(f.words("st*pid") == strings{"stupid"});
    CHECK(f.words("@ss") == strings{"ass"});
    CHECK(f.words("h@te") == strings{"hate"});
    CHECK(f.words("kill -9 the job") == strings{"kill", "9", "the", "job"});
    CHECK(f.words("take 800mg") == strings{"take", "800mg"});
    CHECK(f.words("enable 2fa") == strings{"enable", "2fa"});
    CHECK(f.words("*bold* text!") == strings{"bold", "text"});
    std::string_view text = "you id10t";
    f.words(text);
    CHECK(f.original(text, 1) == "id10t");
    CHECK(f.out.tokens[1].has(token::folded));
}

TEST_CASE("Spaced-out letters are joined only when the joined word is known", "[engine][normalizer]")
{
    fixture f;
    std::string_view text = "k i l l it";
    CHECK(f.words(text) == strings{"kill", "it"});
    CHECK(f.original(text, 0) == "k i l l");
    CHECK(f.words("s.t.u.p.i.d") == strings{"stupid"});
    CHECK(f.words("k-m-s") == strings{"kms"});
    CHECK(f.words("a b c") == strings{"a", "b", "c"});
    // The longest known stretch wins; the letters around it stay single.
    CHECK(f.words("u r a k i l l e r") == strings{"u", "r", "a", "kill", "e", "r"});
    CHECK(f.words("k 1 l l") == strings{"kill"});
}

TEST_CASE("Emoji are tokens of their own", "[engine][normalizer]")
{
    fixture f;
    std::string text = "great\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD job";   // great👍🏽 job
    CHECK(f.words(text) == strings{"great", "\xF0\x9F\x91\x8D", "job"});
    CHECK(f.out.tokens[1].has(token::emoji));
    CHECK(f.original(text, 1) == "\xF0\x9F\x91\x8D");
}

TEST_CASE("Quoted text, code spans and quote lines are marked", "[engine][normalizer]")
{
    fixture f;
    f.words("he said \"you idiot\" ok");
    REQUIRE(f.out.tokens.size() == 5);
    CHECK_FALSE(f.out.tokens[1].has(token::quoted));
    CHECK(f.out.tokens[2].has(token::quoted));
    CHECK(f.out.tokens[3].has(token::quoted));
    CHECK_FALSE(f.out.tokens[4].has(token::quoted));
    f.words("run `kill -9 1` now");
    CHECK(f.out.tokens[1].has(token::quoted));
    CHECK_FALSE(f.out.tokens[4].has(token::quoted));
    f.words("> you idiot\nno");
    CHECK(f.out.tokens[0].has(token::quoted));
    CHECK_FALSE(f.out.tokens[2].has(token::quoted));
    f.words("\xE2\x80\x9Cyou idiot\xE2\x80\x9D he wrote");   // curly quotes
    CHECK(f.out.tokens[0].has(token::quoted));
    CHECK_FALSE(f.out.tokens[2].has(token::quoted));
    f.words("an unclosed \" quote");   // no closing mark: not a quotation
    CHECK_FALSE(f.out.tokens[2].has(token::quoted));
}

TEST_CASE("Curly apostrophes become straight ones inside words", "[engine][normalizer]")
{
    fixture f;
    CHECK(f.words("you\xE2\x80\x99re") == strings{"you're"});
}

TEST_CASE("Links and chat markup are skipped", "[engine][normalizer]")
{
    fixture f;
    CHECK(f.words("see https://example.com/kill now") == strings{"see", "now"});
    // Capitalised links too (the scanner only looks for a link at words starting with h or w).
    CHECK(f.words("See HTTPS://example.com/kill and Www.example.com/hate Hello") ==
          strings{"see", "and", "hello"});
    CHECK(f.words("<@123456> hi <#42>") == strings{"hi"});
}

TEST_CASE("Punctuation feeds bursts, questions and sentences", "[engine][normalizer]")
{
    fixture f;
    f.words("what??");
    CHECK(f.out.question_burst);
    CHECK(f.out.question);
    f.words("no!!");
    CHECK(f.out.exclamation_burst);
    CHECK_FALSE(f.out.question_burst);
    f.words("ok? fine! done.");
    CHECK(f.out.question);
    CHECK_FALSE(f.out.question_burst);
    CHECK_FALSE(f.out.exclamation_burst);
    CHECK(f.out.sentences == 3);
    f.words("one. two\nthree");
    CHECK(f.out.tokens[2].sentence == 2);
    f.words("No, you");
    CHECK(f.out.tokens[0].clause != f.out.tokens[1].clause);
}

TEST_CASE("A comma or a dot and a space between plain words end the clause or the sentence",
          "[engine][normalizer]")
{
    fixture f;
    std::string_view text = "Hello, my friend. How are you. https://example.com ok";
    REQUIRE(f.words(text) == strings{"hello", "my", "friend", "how", "are", "you", "ok"});
    const auto& t = f.out.tokens;
    const std::uint32_t sentences[] = {0, 0, 0, 1, 1, 1, 2};
    const std::uint32_t clauses[] = {0, 1, 1, 2, 2, 2, 3};
    for (std::size_t k = 0; k < t.size(); ++k) {
        INFO(k);
        CHECK(t[k].sentence == sentences[k]);
        CHECK(t[k].clause == clauses[k]);
    }
    CHECK(f.original(text, 1) == "my");
    CHECK(f.original(text, 3) == "How");
    CHECK(f.out.sentences == 3);
    // A dot, then only a URL: no words in a second sentence.
    f.words("see this. https://example.com");
    CHECK(f.out.sentences == 1);
    // The word after the dot goes the general way (an apostrophe) and still opens sentence 2.
    REQUIRE(f.words("fine. don't go, ok") == strings{"fine", "don't", "go", "ok"});
    CHECK(f.out.tokens[1].sentence == 1);
    CHECK(f.out.tokens[3].clause == f.out.tokens[2].clause + 1);
    CHECK(f.out.sentences == 2);
    // A dot between letters or digits is no sentence end; nor a dot without a space.
    f.words("a.b c");
    CHECK(f.out.tokens.back().sentence == 0);
}

TEST_CASE("Invalid UTF-8 and NUL bytes are separators, never a crash", "[engine][normalizer][bad]")
{
    fixture f;
    CHECK(f.words("ab\xFF" "cd") == strings{"ab", "cd"});
    CHECK(f.words(std::string("ab\0cd", 5)) == strings{"ab", "cd"});
    CHECK(f.words("\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80x") == strings{"x"});   // overlong, surrogate, > U+10FFFF
    CHECK(f.words("\xE2\x82") == strings{});                               // truncated
    CHECK(f.words("").empty());
}

TEST_CASE("Ten thousand combining marks and a megabyte of text stay linear", "[engine][normalizer][bad]")
{
    fixture f;
    std::string marks = "a";
    for (int k = 0; k < 10000; ++k) marks += "\xCD\x8F\xCC\x80";
    auto started = std::chrono::steady_clock::now();
    CHECK(f.words(marks) == strings{"a"});
    std::string big;
    while (big.size() < (1u << 20)) big += "you are s o o o a k i l l e r id10t \"x\" `y` ";
    f.words(big);
    CHECK(f.out.tokens.size() > 100000);
    std::string leet(1u << 20, '1');   // one huge token of digits
    leet[0] = 'a';
    f.words(leet);
    CHECK(f.out.tokens.size() == 1);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("Word-at-a-time scanning gives the same words as a plain reference", "[engine][normalizer]")
{
    // Reference: split at spaces, squeeze runs of a letter to two. Random texts over a tiny
    // alphabet produce many repeats at every offset of the eight-byte steps.
    std::mt19937 random(42);
    const std::string alphabet = "aaaAbbBc  ";
    normalizer norm;
    normalized_text out;
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        auto length = random() % 40;
        for (unsigned k = 0; k < length; ++k) text += alphabet[random() % alphabet.size()];
        std::vector<std::string> expected;
        std::string word;
        auto flush = [&] {
            if (!word.empty()) expected.push_back(word);
            word.clear();
        };
        for (char c : text) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (c == ' ') {
                flush();
                continue;
            }
            auto n = word.size();
            if (n >= 2 && word[n - 1] == c && word[n - 2] == c) continue;
            word += c;
        }
        flush();
        norm.normalize(text, out);
        std::vector<std::string> got;
        for (const auto& t : out.tokens) got.emplace_back(out.text(t));
        INFO(text);
        REQUIRE(got == expected);
    }
}

TEST_CASE("The letter automaton gives exactly the ids the word table gives", "[engine][vocabulary]")
{
    vocabulary vocab;
    for (auto w : {"you", "your", "youre", "you're", "idiot", "id10t", "a", "i", "aa", "stupidity",
                   "extraordinarily", "hate", "hat", "h", "zz", "kms", "zzz", "brrr"})
        vocab.add_word(w);
    vocab.add_prefix("stupid");
    vocab.add_prefix("ha");
    REQUIRE_FALSE(vocab.has_letter_automaton());
    vocab.build_letter_automaton();
    REQUIRE(vocab.has_letter_automaton());
    auto walk = [&](std::string_view w) {
        std::uint32_t state = vocabulary::letter_start();
        for (char c : w) state = vocab.letter_step(state, c);
        return vocab.letter_word(state);
    };
    for (std::size_t id = 0; id < vocab.word_count(); ++id) {
        auto w = vocab.word(static_cast<word_id>(id));
        bool letters = std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
        bool triple = w.find("zzz") != std::string_view::npos || w.find("rrr") != std::string_view::npos;
        INFO(w);
        CHECK(walk(w) == (letters && !triple ? static_cast<word_id>(id) : no_word));
    }
    // Words with a letter three times in a row are left out, so a live walk never saw such a run.
    CHECK(walk("zzz") == no_word);
    CHECK(walk("brrr") == no_word);
    // Random strings of letters, many of them prefixes or extensions of words.
    std::mt19937 random(7);
    const std::string alphabet = "youraeidthsmkz";
    for (int round = 0; round < 20000; ++round) {
        const std::string w = random_word(random, alphabet, 16);
        const bool triple = has_triple(w);
        INFO(w);
        REQUIRE(walk(w) == (triple ? no_word : vocab.find(w)));
        std::uint32_t state = vocabulary::letter_start();
        for (char c : w) state = vocab.letter_step(state, c);
        REQUIRE((state == 0) == triple);   // state 0: three equal letters in a row, and only then
        // The same walk starting with the state after the first two letters (letter_pairs()),
        // as the normaliser takes them.
        if (w.size() >= 2) {
            std::uint32_t paired = vocab.letter_pairs()[vocabulary::letter_pair(w[0], w[1])];
            for (std::size_t k = 2; k < w.size(); ++k) paired = vocab.letter_step(paired, w[k]);
            REQUIRE(paired == state);
        }
    }
    // Every pair of letters, words ("aa", "zz", "hat") or not.
    for (char a = 'a'; a <= 'z'; ++a)
        for (char b = 'a'; b <= 'z'; ++b)
            CHECK(vocab.letter_pairs()[vocabulary::letter_pair(a, b)] ==
                  vocab.letter_step(vocab.letter_step(vocabulary::letter_start(), a), b));
    CHECK(walk("") == no_word);
    CHECK(walk("stupid") == no_word);   // a prefix is not a word
    // Adding a word afterwards drops the automaton until it is built again.
    vocab.add_word("new");
    CHECK_FALSE(vocab.has_letter_automaton());
    vocab.build_letter_automaton();
    CHECK(walk("new") == vocab.find("new"));
}

TEST_CASE("Words of plain letters get the same tokens with and without the letter automaton",
          "[engine][normalizer]")
{
    // The one-loop path for letter-only words takes word ids from the automaton when the
    // vocabulary has one, else from find(); every other field must not depend on it either.
    vocabulary with;
    vocabulary without;
    for (auto w : {"idiot", "stupid", "you", "are", "so", "a", "i", "hate", "kill", "kms", "aa", "www",
                   "http", "extraordinarily", "don't", "cafe"}) {
        with.add_word(w);
        without.add_word(w);
    }
    with.build_letter_automaton();
    normalizer norm;
    normalized_text a;
    normalized_text b;
    std::mt19937 random(11);
    const std::vector<std::string> pieces = {
        "you", "YOU", "Are", "so", "sooooo", "stuuupid", "idiot", "IDIOT", "a", "I", "k", "i", "l",
        " ", " ", " ", "  ", ",", ".", "!", "?", "\n", "'", "\"", "`", "1", "@", "$", "*", "caf\xC3\xA9",
        "http://x.y/z", "www.example.org", "<@123>", "> ", "-", "extraordinarily", "EXTRAORDINARILYYYY",
        "hate", "don't", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xF0\x9F\x98\x80", "\xFF", std::string(1, '\0')};
    for (int round = 0; round < 5000; ++round) {
        std::string text;
        auto count = random() % 24;
        for (unsigned k = 0; k < count; ++k) text += pieces[random() % pieces.size()];
        norm.normalize(text, a, &with);
        norm.normalize(text, b, &without);
        INFO(text);
        REQUIRE(a.tokens.size() == b.tokens.size());
        for (std::size_t k = 0; k < a.tokens.size(); ++k) {
            const auto& x = a.tokens[k];
            const auto& y = b.tokens[k];
            CHECK(a.text(x) == b.text(y));
            CHECK(x.word == y.word);
            CHECK(x.flags == y.flags);
            CHECK(x.letters == y.letters);
            CHECK(x.sentence == y.sentence);
            CHECK(x.clause == y.clause);
            CHECK(x.span.begin == y.span.begin);
            CHECK(x.span.end == y.span.end);
            if (x.word != no_word) CHECK(with.word(x.word) == a.text(x));
        }
        CHECK(a.has_lower == b.has_lower);
        CHECK(a.sentences == b.sentences);
    }
}

TEST_CASE("Letter-only words keep flags, spans and hand-over to the general path exactly",
          "[engine][normalizer]")
{
    fixture f;
    std::string_view text = "YOU are SOOOO stuuupid, I  said";
    REQUIRE(f.words(text) == strings{"you", "are", "so", "stupid", "i", "said"});
    const auto& t = f.out.tokens;
    CHECK(t[0].has(token::all_caps));
    CHECK_FALSE(t[1].has(token::all_caps));
    CHECK(t[2].has(token::all_caps));
    CHECK(t[2].has(token::squeezed));
    CHECK(t[2].has(token::folded));   // soo -> so, a known word
    CHECK(f.original(text, 2) == "SOOOO");
    CHECK(t[2].letters == 5);
    CHECK(t[3].has(token::folded));   // stuupid -> stupid, a known word
    CHECK(f.original(text, 3) == "stuuupid");
    CHECK(t[4].has(token::single));
    CHECK_FALSE(t[4].has(token::all_caps));
    CHECK(t[4].clause == t[3].clause + 1);
    CHECK(f.original(text, 5) == "said");
    CHECK(t[0].word != no_word);
    CHECK(t[5].word == no_word);
    CHECK(f.out.has_lower);
    // Letters followed by a byte that may continue the word go the general way.
    CHECK(f.words("st*pid abc1 don't r@te caf\xC3\xA9 ki\xE2\x80\x8Bll") ==
          strings{"stupid", "abc1", "don't", "r@te", "cafe", "kill"});
    // Links at a word start are skipped, in either case.
    CHECK(f.words("see http://x.y/idiot and WWW.idiot.com or Https://a b") ==
          strings{"see", "and", "or", "b"});
    // Inside quotes the words are quoted; the quote ends them.
    CHECK(f.words("you \"stupid idiot\" you") == strings{"you", "stupid", "idiot", "you"});
    CHECK_FALSE(f.out.tokens[0].has(token::quoted));
    CHECK(f.out.tokens[1].has(token::quoted));
    CHECK(f.out.tokens[2].has(token::quoted));
    CHECK_FALSE(f.out.tokens[3].has(token::quoted));
    // Spaced-out single letters are still joined.
    CHECK(f.words("k i l l it") == strings{"kill", "it"});
}

TEST_CASE("Apostrophes, marks and one-byte separators between plain words keep tokens and flags",
          "[engine][normalizer]")
{
    fixture f;
    // Apostrophes inside a word (straight or curly) keep it one token; letters count without them.
    std::string_view text = "I'm fine, you\xE2\x80\x99re NOT. Don't";
    REQUIRE(f.words(text) == strings{"i'm", "fine", "you're", "not", "don't"});
    const auto& t = f.out.tokens;
    CHECK(f.original(text, 2) == "you\xE2\x80\x99re");
    CHECK(t[2].letters == 5);
    CHECK(t[2].clause == 1);
    CHECK(t[3].has(token::all_caps));
    CHECK(t[4].sentence == 1);
    CHECK(f.out.sentences == 2);
    REQUIRE(f.words("WHAT'S UP") == strings{"what's", "up"});
    CHECK(f.out.tokens[0].has(token::all_caps));
    CHECK(f.out.tokens[0].letters == 5);
    CHECK_FALSE(f.out.has_lower);
    // `?` and `!` after a word end the sentence; one mark is no burst.
    REQUIRE(f.words("so? you! ok.") == strings{"so", "you", "ok"});
    for (std::uint32_t k = 0; k < 3; ++k) CHECK(f.out.tokens[k].sentence == k);
    CHECK(f.out.question);
    CHECK_FALSE(f.out.question_burst);
    CHECK_FALSE(f.out.exclamation_burst);
    CHECK(f.out.sentences == 3);
    // One separator, dot or newline between two words: only the newline ends the sentence.
    REQUIRE(f.words("a_b a/b a.b c\nd").size() == 8);
    for (std::size_t k = 0; k < 7; ++k) CHECK(f.out.tokens[k].sentence == 0);
    CHECK(f.out.tokens[7].sentence == 1);
    CHECK(f.out.tokens[7].clause == 1);
    REQUIRE(f.words("kill, kill; kill:kill(kill)kill").size() == 6);
    for (std::uint32_t k = 0; k < 6; ++k) CHECK(f.out.tokens[k].clause == k);
    // has_lower ignores quoted words and capitals.
    f.words("\"quoted text\" HEY YOU");
    CHECK_FALSE(f.out.has_lower);
    f.words("\"quoted\" hey");
    CHECK(f.out.has_lower);
    // Only whole link prefixes are links.
    CHECK(f.words("see http") == strings{"see", "http"});
    CHECK(f.words("wwwx now") == strings{"wwx", "now"});
    CHECK(f.words("go www.") == strings{"go"});
    CHECK(f.words("go http://x") == strings{"go"});
    f.words("you. http://x.y");
    CHECK(f.out.sentences == 1);
    // A link at the start of a line leaves the line start for a `> ` quote after it.
    REQUIRE(f.words("x\nhttp://a > b") == strings{"x", "b"});
    CHECK(f.out.tokens[1].has(token::quoted));
    CHECK(f.out.tokens[1].sentence == 1);
    // A mention is one leet token.
    REQUIRE(f.words("hey @john you") == strings{"hey", "@john", "you"});
    CHECK(f.out.tokens[1].has(token::leet));
}

TEST_CASE("A mention is folded exactly when one of its readings is known", "[engine][normalizer]")
{
    // at_word() rules out the readings of most mentions (`a` and the letters, some doubled
    // letters dropped) from their first three bytes, last byte and sizes; these are the cases
    // where a reading is known, or where that cannot be told so.
    fixture f({"ass", "angry", "abalon", "aardvark", "allow"}, {"abso"});
    CHECK(f.words("@ngry") == strings{"angry"});
    CHECK(f.words("@NGRY") == strings{"angry"});
    CHECK(f.words("@bsolutely") == strings{"absolutely"});   // through the prefix abso*
    CHECK(f.words("@baloon") == strings{"abalon"});          // a doubled letter dropped
    CHECK(f.words("@baloo") == strings{"@baloo"});           // abalo, abaloo: no such word
    CHECK(f.words("@ardvark") == strings{"aardvark"});       // second byte doubles the first
    CHECK(f.words("@llow") == strings{"allow"});             // third byte doubles the second
    CHECK(f.words("@llo") == strings{"@llo"});
    CHECK(f.words("@user @ss") == strings{"@user", "ass"});
    CHECK(f.words("@b @bc") == strings{"@b", "@bc"});
    // Among many tokens, and next to spaced letters that are joined (tokens move).
    std::string many;
    for (int k = 0; k < 70; ++k) many += "word ";
    REQUIRE(f.words(many + "@user @ngry").size() == 72);
    CHECK(f.out.text(f.out.tokens[70]) == "@user");
    CHECK(f.out.text(f.out.tokens[71]) == "angry");
    f.vocab.add_word("kill");
    CHECK(f.words("@user k i l l @ngry @ss") == strings{"@user", "kill", "angry", "ass"});
}

TEST_CASE("Token texts survive growth of the text buffer and copies of the result", "[engine][normalizer]")
{
    // U+3316 (a square katakana word) decomposes to six letters: the output outgrows the room
    // sized for the input.
    std::string ligatures;
    for (int k = 0; k < 200; ++k) ligatures += "\xE3\x8C\x96";
    normalizer norm;
    normalized_text alone;
    norm.normalize(ligatures, alone);
    REQUIRE(alone.tokens.size() == 1);
    CHECK(alone.text(alone.tokens[0]).size() > ligatures.size());
    normalized_text out;
    norm.normalize("short", out);
    norm.normalize("you " + ligatures + " there", out);
    REQUIRE(out.tokens.size() == 3);
    CHECK(out.text(out.tokens[0]) == "you");
    CHECK(out.text(out.tokens[1]) == alone.text(alone.tokens[0]));
    CHECK(out.text(out.tokens[2]) == "there");
    CHECK(out.chars.size() == 3 + alone.chars.size() + 5);
    const normalized_text copy = out;
    REQUIRE(copy.tokens.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) CHECK(copy.text(copy.tokens[k]) == out.text(out.tokens[k]));
    normalized_text assigned;
    norm.normalize("other words", assigned);
    assigned = copy;
    CHECK(assigned.text(assigned.tokens[1]) == alone.text(alone.tokens[0]));
    normalized_text moved = std::move(assigned);
    CHECK(moved.text(moved.tokens[2]) == "there");
    CHECK(assigned.chars.size() == 0);   // NOLINT(bugprone-use-after-move): moved-from is empty
    norm.normalize("again", assigned);   // and usable
    CHECK(assigned.text(assigned.tokens[0]) == "again");
    norm.normalize("", moved);
    CHECK(moved.tokens.empty());
    CHECK(moved.chars.size() == 0);
}

TEST_CASE("Prefix lookups and the vocabulary's exact rejections agree with a plain reference",
          "[engine][vocabulary]")
{
    // for_each_prefix() and known() filter on the first three or four bytes before walking the
    // trie; may_start(), may_be_word() and may_have_prefix() must never reject a word that is
    // there. Prefixes of three bytes (any fourth byte) and shorter ones (every word) included.
    std::mt19937 random(5);
    const std::string letters = "abcs@'";
    auto random_word = [&](std::size_t max_size) {
        std::string w(1 + random() % max_size, 'a');
        for (auto& c : w) c = letters[random() % letters.size()];
        return w;
    };
    for (int round = 0; round < 3; ++round) {
        vocabulary vocab;
        std::vector<std::string> words, prefixes;
        std::vector<word_id> prefix_ids;
        for (int k = 0; k < 30; ++k) {
            words.push_back(random_word(6));
            vocab.add_word(words.back());
            std::string p = random_word(round == 2 ? 6 : 5);
            if (round < 2 && p.size() < 3) p += "abc";   // rounds 0, 1: no prefix shorter than three
            prefixes.push_back(p);
            prefix_ids.push_back(vocab.add_prefix(p));
        }
        if (round == 1) {
            prefixes.push_back("sab");
            prefix_ids.push_back(vocab.add_prefix("sab"));
        }
        auto id_of = [&](const std::string& p) {
            return prefix_ids[static_cast<std::size_t>(std::find(prefixes.begin(), prefixes.end(), p) - prefixes.begin())];
        };
        for (int k = 0; k < 3000; ++k) {
            const std::string w = random_word(7);
            std::vector<std::string> expected;
            for (const auto& p : prefixes)
                if (w.compare(0, p.size(), p) == 0 &&
                    std::find(expected.begin(), expected.end(), p) == expected.end())
                    expected.push_back(p);
            std::sort(expected.begin(), expected.end(),
                      [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
            std::vector<word_id> ids;
            vocab.for_each_prefix(w, [&](word_id id) { ids.push_back(id); });
            REQUIRE(ids.size() == expected.size());
            for (std::size_t e = 0; e < ids.size(); ++e) CHECK(ids[e] == id_of(expected[e]));
            const bool is_word = std::find(words.begin(), words.end(), w) != words.end();
            CHECK(vocab.known(w) == (is_word || !expected.empty()));
            if (is_word || !expected.empty()) CHECK(vocab.may_start(w[0]));
            if (is_word) CHECK(vocab.may_be_word(w.front(), w.back(), w.size()));
            if (w.size() >= 3 && !expected.empty()) CHECK(vocab.may_have_prefix(w.data()));
        }
    }
}

TEST_CASE("Leet readings that fit only with doubled letters dropped or through a prefix are found",
          "[engine][normalizer]")
{
    // fold_candidates() skips a reading from its first three bytes, last byte and sizes; these
    // readings pass that test only with the right sizes or prefixes.
    fixture f({"killer", "bigot", "ok", "loser", "moron"}, {"idio"});
    CHECK(f.words("k1llerr") == strings{"killer"});      // one doubled letter dropped
    CHECK(f.words("k1lllerrr") == strings{"killer"});    // squeezed, then dropped
    CHECK(f.words("b1gg0t") == strings{"bigot"});
    CHECK(f.words("b1gg0tt") == strings{"bigot"});       // two dropped
    CHECK(f.words("b1ggg0tt") == strings{"bigot"});
    CHECK(f.words("1d10tic") == strings{"idiotic"});     // through the prefix idio*
    CHECK(f.words("1d10t") == strings{"idiot"});
    CHECK(f.words("0kk") == strings{"ok"});              // down to two bytes
    CHECK(f.words("l0s3r") == strings{"loser"});
    CHECK(f.words("m0r0nnn") == strings{"moron"});
    CHECK(f.words("m0r0ns") == strings{"m0r0ns"});       // no such word
    CHECK(f.words("k1ll3d") == strings{"k1ll3d"});
}

TEST_CASE("Words with apostrophes walk the letter automaton to the ids the word table gives",
          "[engine][vocabulary][normalizer]")
{
    vocabulary vocab;
    for (auto w : {"don't", "dont", "don", "y'all", "rock'n'roll", "i'm", "'tis", "o''", "ab'''c", "it's",
                   "its", "s'", "aa'aa"})
        vocab.add_word(w);
    vocab.add_prefix("don");
    vocab.build_letter_automaton();
    REQUIRE(vocab.has_letter_automaton());
    auto walk = [&](std::string_view w) {
        std::uint32_t state = vocabulary::letter_start();
        for (char c : w) {
            const unsigned column = c == '\'' ? vocabulary::letter_apostrophe : static_cast<unsigned char>(c) & 31u;
            state = vocab.letter_table()[(state << 5) | column];
        }
        return state;
    };
    std::mt19937 random(3);
    const std::string alphabet = "dont'yalsim";
    for (int round = 0; round < 20000; ++round) {
        const std::string w = random_word(random, alphabet, 11);
        const bool triple = has_triple(w);
        INFO(w);
        const auto state = walk(w);
        REQUIRE((state == 0) == triple);
        if (!triple) REQUIRE(vocab.letter_word(state) == vocab.find(w));
    }
    for (auto w : {"don't", "y'all", "rock'n'roll", "i'm", "'tis", "s'", "aa'aa"})
        CHECK(vocab.letter_word(walk(w)) == vocab.find(w));
    CHECK(walk("ab'''c") == 0);
    // The normaliser gives the same ids with and without the automaton.
    vocabulary plain;
    for (std::size_t id = 0; id < vocab.word_count(); ++id) plain.add_word(vocab.word(static_cast<word_id>(id)));
    normalizer norm;
    normalized_text a, b;
    for (auto text : {"don't", "DON'T stop", "y'all rock'n'roll", "I'm", "don\xE2\x80\x99t", "doooon't",
                      "don'tttt it's", "aaa'aa", "aa'aaa", "its it's'", "o'' don'", "dont'don't"}) {
        norm.normalize(text, a, &vocab);
        norm.normalize(text, b, &plain);
        INFO(text);
        REQUIRE(a.tokens.size() == b.tokens.size());
        for (std::size_t k = 0; k < a.tokens.size(); ++k) {
            CHECK(a.text(a.tokens[k]) == b.text(b.tokens[k]));
            CHECK(a.tokens[k].word == b.tokens[k].word);
            CHECK(a.tokens[k].word == vocab.find(a.text(a.tokens[k])));
            CHECK(a.tokens[k].flags == b.tokens[k].flags);
        }
    }
    norm.normalize("don't", a, &vocab);
    REQUIRE(a.tokens.size() == 1);
    CHECK(a.tokens[0].word == vocab.find("don't"));
    CHECK(a.tokens[0].word != no_word);
}

TEST_CASE("Link prefixes are matched in any case, with eight bytes left or fewer", "[engine][normalizer]")
{
    fixture f;
    // url_at() compares eight bytes at once when eight are left, else byte by byte.
    CHECK(f.words("a HtTpS://x b") == strings{"a", "b"});
    CHECK(f.words("a hTTp://x b") == strings{"a", "b"});
    CHECK(f.words("a wWw.x b") == strings{"a", "b"});
    CHECK(f.words("a WWW.example.org") == strings{"a"});
    CHECK(f.words("a http://") == strings{"a"});
    CHECK(f.words("a https:/") == strings{"a", "https"});
    CHECK(f.words("a www.") == strings{"a"});
    CHECK(f.words("a http:/x b") == strings{"a", "http", "x", "b"});
    CHECK(f.words("a https:x b") == strings{"a", "https", "x", "b"});
    CHECK(f.words("a http:\x0F/x b") == strings{"a", "http", "x", "b"});   // 0x0F | 0x20 is '/'
    CHECK(f.words("a www\x0Ex b") == strings{"a", "ww", "x", "b"});        // 0x0E | 0x20 is '.'
    CHECK(f.words("a wwwx.y b") == strings{"a", "wwx", "y", "b"});
    CHECK(f.words("a httpsx://y b") == strings{"a", "httpsx", "y", "b"});
    CHECK(f.words("x\nWWW.a") == strings{"x"});
}

TEST_CASE("A quotation opens only when its closing mark comes before the end of the line, near or far",
          "[engine][normalizer]")
{
    // closing_quote_ahead() skips eight bytes at a time up to `"`, a newline or a lead byte of
    // U+201D or U+00BB; a lead byte of something else (an em dash, U+00A0) is passed over.
    fixture f;
    auto first_quoted = [&](std::string_view text) {
        f.words(text);
        REQUIRE(!f.out.tokens.empty());
        return f.out.tokens[0].has(token::quoted);
    };
    CHECK(first_quoted("\"you are such an idiot today friend\" ok"));
    CHECK(first_quoted("\"ab\""));
    CHECK(first_quoted("\"abcdefghijklmnop\xE2\x80\x94qrstuvw\xC2\xA0xyz idiot\xE2\x80\x9D"));
    CHECK(first_quoted("\"abcdefghijklmnopqrstuvwxyz\xC2\xBB"));
    CHECK(first_quoted("\"abcdefgh\xC2\xBB"));
    CHECK_FALSE(first_quoted("\"abcdefghijklmnopqrstuvwxyz\nclose\" later"));
    CHECK_FALSE(first_quoted("\"abcdefghijklmnopqrstuvwxyz \xE2\x80\x94 \xE2\x80 \xC2"));
    CHECK_FALSE(first_quoted("\"abcdefghijklmnopqrstuvwxyz \xE2\x80"));
    CHECK_FALSE(first_quoted("\"abcdefg"));
    CHECK(first_quoted("\xE2\x80\x9C" "abcdefghijklmnopqrstuvwxyz\xE2\x80\x9D"));
    CHECK_FALSE(first_quoted("\xE2\x80\x9C" "abcdefghijklmnopqrstuvwxyz\n\xE2\x80\x9D"));
}

TEST_CASE("Three single characters are enough to join, from either path", "[engine][normalizer]")
{
    // finish() joins only when three tokens at least are single; singles come from plain words
    // and from the general path (digits, capitals inside a word's run, non-ASCII letters).
    fixture f;
    CHECK(f.words("k m s") == strings{"kms"});
    CHECK(f.words("so k m s") == strings{"so", "kms"});
    CHECK(f.words("K M S") == strings{"kms"});
    CHECK(f.words("k m") == strings{"k", "m"});
    CHECK(f.words("k 1 l l") == strings{"kill"});
    CHECK(f.words("\xEF\xBD\x8B m s") == strings{"kms"});   // fullwidth k
    CHECK(f.words("k. m. s") == strings{"k", "m", "s"});   // one byte between only
    CHECK(f.words("k, m s") == strings{"k", "m", "s"});
}
