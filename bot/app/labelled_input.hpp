// Reading labelled JSONL for the offline verbs (eval, eval --suggestions, rules fit, rules learn):
// one bounded line reader, one way to say a file cannot be read, one way to treat an overlong line.
//
// Contract: open_labelled() reports an unreadable file on `err` as
// "nudgebot <verb>: <path>: <read_file's error>" and returns nullptr; the caller exits 2. Each line
// is at most core::default_line_limit (16 MiB, as `analyze --jsonl`); read_record() turns a longer
// one into a bad line ("line longer than 16 MiB") without ever holding it whole, and otherwise
// parses it with eval::parse_record. Neither quotes a record's text. open_labelled_run() is what
// eval, eval --suggestions and rules fit start from: the file open and the packs loaded
// (load_packs_for_verb), or nullopt once either said why on `err` (the caller exits 2).
#pragma once

#include "app/eval_report.hpp"
#include "core/line_reader.hpp"

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::engine {
class analyzer;
}

namespace nudgebot::app {

std::unique_ptr<core::line_reader> open_labelled(std::string_view verb, const std::string& path, std::ostream& err);

struct labelled_run {
    std::unique_ptr<core::line_reader> in;
    std::shared_ptr<const engine::analyzer> analyzer;
};
std::optional<labelled_run> open_labelled_run(std::string_view verb, const std::string& path,
                                              const std::string& rules_dir, std::ostream& err);

// The record on the line `in` returned last (see the contract above).
std::optional<eval::record_result> read_record(const core::line_reader& in, std::string_view line, std::string& text,
                                               std::string& error);

}  // namespace nudgebot::app
