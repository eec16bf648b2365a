// libFuzzer target, differential: the normaliser reads words of plain ASCII letters in a fast loop
// (plain_words(), walking the vocabulary's letter automaton when it has one) and everything else in
// a general loop, and promises that the fast loop gives exactly what the general one would. Any
// bytes are normalised six ways (fast or general only; a vocabulary with the automaton, the same
// words without it, or none) and every token (text, span, flags, word id, sentence, clause,
// letters) and message flag must agree within each vocabulary, and the two vocabularies must agree
// with each other. A difference aborts.
#include "engine/normalizer.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace nudgebot::engine;

namespace {

vocabulary make_vocabulary(bool automaton)
{
    vocabulary v;
    for (auto w : {"idiot", "kill", "kms", "stupid", "so", "you", "are", "i", "said", "don't", "cafe", "hate",
                   "myself", "never", "always", "rate", "a", "it", "ok", "wtf", "lol"})
        v.add_word(w);
    v.add_prefix("kil");
    v.add_prefix("stupi");
    if (automaton) v.build_letter_automaton();
    return v;
}

bool same(const normalized_text& a, const normalized_text& b)
{
    if (a.tokens.size() != b.tokens.size() || a.has_lower != b.has_lower || a.question != b.question ||
        a.question_burst != b.question_burst || a.exclamation_burst != b.exclamation_burst ||
        a.mention != b.mention || a.sentences != b.sentences)
        return false;
    for (std::size_t k = 0; k < a.tokens.size(); ++k) {
        const token& x = a.tokens[k];
        const token& y = b.tokens[k];
        if (a.text(x) != b.text(y) || x.span.begin != y.span.begin || x.span.end != y.span.end ||
            x.flags != y.flags || x.word != y.word || x.sentence != y.sentence || x.clause != y.clause ||
            x.letters != y.letters)
            return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const vocabulary with_automaton = make_vocabulary(true);
    static const vocabulary without_automaton = make_vocabulary(false);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const normalizer norm;
    normalized_text fast, general;
    for (const vocabulary* vocab : {&with_automaton, &without_automaton, static_cast<const vocabulary*>(nullptr)}) {
        norm.normalize(text, fast, vocab, normalizer::word_loop::fast);
        norm.normalize(text, general, vocab, normalizer::word_loop::general_only);
        if (!same(fast, general)) std::abort();
    }
    normalized_text other;
    norm.normalize(text, fast, &with_automaton);
    norm.normalize(text, other, &without_automaton);
    if (!same(fast, other)) std::abort();
    return 0;
}
