// Fast JSON output helpers for the command-line tools (analyze --jsonl writes one object per line).
//
// Contract: append-only writers into a caller-owned std::string, so a hot loop can reuse one big
// buffer and flush it in blocks. Output is always valid JSON, whatever the input bytes: invalid
// UTF-8 becomes U+FFFD, control characters (NUL included) become \u00XX escapes. Stateless and
// thread-safe. Owner: bot/app (the CLI).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nudgebot::app {

// Appends `text` as a quoted JSON string.
void append_json_string(std::string& out, std::string_view text);

// Appends a float in the shortest form that reads back the same ("0", "0.25", "0.7310586").
// Non-finite values are written as 0, since JSON cannot hold them.
void append_json_number(std::string& out, float value);

// Appends an unsigned integer.
void append_json_number(std::string& out, std::uint64_t value);

// Appends a signed integer.
void append_json_number(std::string& out, std::int64_t value);

}  // namespace nudgebot::app
