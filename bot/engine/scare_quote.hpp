// Scare quotes: a few words of someone else's put in quotes to mock them ("your 'guide' bricked
// my server", "lol 'injured' again"). The feature @scare_quote (rules/README.md) marks the first
// such quote of a message; rules combine it with words that aim it at someone.
//
// Contract: find_scare_quote() returns the bytes of the first quoted stretch of one to four words
// that opens with ' " ‘ or “ after the start of the text, a space, '(' or '[', starts with a
// lower-case ASCII letter (a capital usually names a button, a page or a title: 'Save'), and
// closes with the matching mark (' or ’, " or ”) before a space, punctuation or the end, within
// one line and 48 bytes. An apostrophe inside or after a word (don't, the players') never opens
// or closes one. Linear in the text, no allocation. Owner: engine.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "engine/analysis.hpp"

namespace nudgebot::engine {

std::optional<byte_span> find_scare_quote(std::string_view text) noexcept;
// The same, given quote_marks::list_candidates() of the text (normalized_text::quote_mark_bytes).
std::optional<byte_span> find_scare_quote(std::string_view text, std::span<const std::uint32_t> candidates) noexcept;

}  // namespace nudgebot::engine
