// Reading a text file one line at a time with a bound on each line, for the offline verbs that
// read labelled JSONL (eval, eval --suggestions, rules fit, rules learn).
//
// Contract: never throws for I/O problems. open_error() is empty when the file opened; otherwise
// it is read_file's text ("is a folder, not a <what>", "cannot read the file: <reason>"). next()
// hands out each line without its "\n" or "\r\n" and counts line numbers from 1. A line longer
// than `max_line_bytes` is never held whole: its first bytes are dropped, the rest is skipped to
// the end of the line, and next() returns it empty with too_long() true, so memory stays bounded
// whatever the file holds. Not thread-safe; one reader per file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

namespace nudgebot::core {

inline constexpr std::size_t default_line_limit = std::size_t{16} << 20;   // as `analyze --jsonl`

class line_reader {
public:
    explicit line_reader(const std::string& path, std::string_view what = "file",
                         std::size_t max_line_bytes = default_line_limit);

    const std::string& open_error() const noexcept { return open_error_; }

    // The next line into `line`; false at the end of the file (or on a read error).
    bool next(std::string& line);
    std::uint64_t line_number() const noexcept { return line_number_; }
    // The line next() returned last was longer than the bound (and was returned empty).
    bool too_long() const noexcept { return too_long_; }
    std::size_t max_line_bytes() const noexcept { return max_line_bytes_; }

private:
    std::ifstream in_;
    std::string open_error_;
    std::size_t max_line_bytes_;
    std::uint64_t line_number_ = 0;
    bool too_long_ = false;
};

// True when a line holds nothing but spaces, tabs and carriage returns (not a record).
bool blank_line(std::string_view line) noexcept;

}  // namespace nudgebot::core
