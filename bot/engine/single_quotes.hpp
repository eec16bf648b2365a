// Single-quoted speech: 'I don't wanna die' sung at karaoke, a friend who said 'kms', a title in
// 'single quotes'. The scan (message_scan.hpp) reads ' as an apostrophe, so what stands between
// single quote marks is marked quoted afterwards, the way "…" is during the scan: lexicon hits
// there are ignored (rules/README.md "Quoted").
//
// Contract: mark_single_quoted() sets token::quoted on every token whose bytes lie inside a
// single-quoted stretch of `text`: it opens with ' or ‘ at the start of the text or after a space,
// a tab, '(', '[' or ':', directly before a letter (ASCII or any non-ASCII byte), and closes with
// ' or ’ on the same line after a byte that is not a space, before the end, a space or
// punctuation (never before a letter or digit: don't, 90's). An apostrophe inside or after a
// word never opens one, so "don't" and "the players' lounge" stay as they are; an opening mark
// with no closing mark on its line quotes nothing. Linear in the text, no allocation; tokens
// must be in text order (as the normaliser makes them). Owner: engine.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "engine/normalizer.hpp"

namespace nudgebot::engine {

// `candidates`: quote_marks::list_candidates() of the text.
void mark_single_quoted(std::string_view text, std::span<const std::uint32_t> candidates, normalized_text& out) noexcept;

}  // namespace nudgebot::engine
