// Reading a whole file into memory, with one error shape for every reader (config, rule packs,
// the suggestion library, state files, labelled data).
//
// Contract: never throws for I/O problems. On success `error` is empty; otherwise it is one of
//   "is a folder, not a <what>"
//   "cannot read the file: <reason from the system>"
//   "the <what> is larger than <N> MiB"
// where <what> names the kind of file ("config file", "rule pack", "file"). The diagnostics
// overload reports that text as `path: error: …` (line and column 0) and returns nullopt. Reads
// anything the process may read; callers decide whether the text is trusted.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::core {

class diagnostics;

inline constexpr std::size_t default_read_limit = 64u * 1024 * 1024;

struct file_text {
    std::string text;
    std::string error;   // empty when the whole file was read
    bool ok() const noexcept { return error.empty(); }
};

file_text read_file(const std::string& path, std::string_view what = "file",
                    std::size_t max_bytes = default_read_limit);

std::optional<std::string> read_file(const std::string& path, diagnostics& diags, std::string_view what = "file",
                                     std::size_t max_bytes = default_read_limit);

}  // namespace nudgebot::core
