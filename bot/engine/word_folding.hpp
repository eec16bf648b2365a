// Word folding, the normaliser's last pass: a token spelled with leet symbols or doubled letters
// ("k1ll", "stuuupid") takes the spelling of a known word when one of its readings is one, and
// runs of single characters ("k i l l", "s.t.u.p.i.d") are joined when the joined word is known.
// Only tokens without a word id are tried, and only readings the vocabulary could know
// (vocabulary::may_have_prefix / may_be_word turn most away at once).
//
// Contract: fold_words() changes out.tokens in place (joined runs replace their singles; a folded
// token points at its new spelling, appended to out.chars, and gets token::folded and the word
// id); it reads `input` only at token spans. Tokens longer than 48 bytes are left as they are; at
// most 64 leet readings are tried per token. Owner: engine.
#pragma once

#include <string_view>

#include "engine/normalizer.hpp"
#include "engine/vocabulary.hpp"

namespace nudgebot::engine {

// join_singles: some run of three or more single-character tokens may be there;
// fold_spellings: some token has token::leet or token::squeezed.
void fold_words(std::string_view input, normalized_text& out, const vocabulary& vocab, bool join_singles,
                bool fold_spellings);

}  // namespace nudgebot::engine
