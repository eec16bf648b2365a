// Errors found in files people write (rule packs, config): each with its place in the file.
//
// Contract: loaders collect every problem they find instead of stopping at the first one, then
// report them sorted by file, line and column in the form compilers use:
//   rules/en/conflict.json:41:9: error: unknown lexicon "insluts" in rule "conflict.targeted"
// Messages never quote user text; they may quote the file's own content (keys, ids).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace nudgebot::core {

enum class severity : std::uint8_t { error, warning };

struct diagnostic {
    std::string file;
    std::uint32_t line = 0;     // 1-based; 0 when the problem concerns the whole file
    std::uint32_t column = 0;   // 1-based, in bytes
    core::severity severity = severity::error;
    std::string message;
};

class diagnostics {
public:
    void error(std::string file, std::uint32_t line, std::uint32_t column, std::string message);
    void warning(std::string file, std::uint32_t line, std::uint32_t column, std::string message);

    bool has_errors() const noexcept;
    const std::vector<diagnostic>& items() const noexcept { return items_; }
    void append(const diagnostics& other);

    // Sorted by file, line, column; one "file:line:col: error: message" per line.
    void print(std::ostream& out) const;
    std::string to_string() const;

private:
    std::vector<diagnostic> items_;
};

std::string format(const diagnostic& d);

}  // namespace nudgebot::core
