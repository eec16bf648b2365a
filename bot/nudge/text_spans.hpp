// The parts of a chat message a suggestion must never change, and where its sentences and clauses
// end: what the calmer-draft rewriter and the reflection builder cut along.
//
// Contract: owned by nudge/. Pure functions over the text (no I/O, no state), linear in its
// length; offsets are bytes into the text given. Kept verbatim ("protected"): code spans
// (`inline` and ``` fenced ```), links (http://, https://, www., and platform link forms
// <...|label>), mentions (@name, <@id>, <#id>, <!here>, <@&role>) and #references (#123,
// #release). Sentence and clause boundaries never fall inside a protected span.
#pragma once

#include "engine/analysis.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::nudge {

enum class kept_kind : std::uint8_t { code, link, mention };

struct kept_span {
    engine::byte_span span;
    kept_kind kind = kept_kind::code;
};

// Every protected span, in text order, not overlapping.
std::vector<kept_span> protected_spans(std::string_view text);

// The texts of the protected spans (what a rewrite must still contain, each as often).
std::vector<std::string_view> protected_texts(std::string_view text);

// True when every protected span of `original` occurs in `rewrite` at least as often.
bool keeps_protected(std::string_view original, std::string_view rewrite);

// [begin, end) pieces of the text: sentences end after . ! ? runs followed by a space or the end,
// and at line breaks; clauses also end at , ; : and dashes set off by spaces. Pieces cover the
// whole text; each ends just after its closing punctuation (the following spaces belong to the
// next piece).
std::vector<engine::byte_span> sentences(std::string_view text);
std::vector<engine::byte_span> clauses(std::string_view text);
// The same, given the text's protected_spans (for callers that already have them).
std::vector<engine::byte_span> sentences(std::string_view text, const std::vector<kept_span>& kept);
std::vector<engine::byte_span> clauses(std::string_view text, const std::vector<kept_span>& kept);

bool overlaps(engine::byte_span a, engine::byte_span b) noexcept;

}  // namespace nudgebot::nudge
