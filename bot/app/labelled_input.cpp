#include "app/labelled_input.hpp"

#include "app/verbs.hpp"
#include "engine/analyzer.hpp"

#include <ostream>

namespace nudgebot::app {

std::unique_ptr<core::line_reader> open_labelled(std::string_view verb, const std::string& path, std::ostream& err)
{
    auto in = std::make_unique<core::line_reader>(path, "labelled file");
    if (in->open_error().empty()) return in;
    err << "nudgebot " << verb << ": " << path << ": " << in->open_error() << '\n';
    return nullptr;
}

std::optional<labelled_run> open_labelled_run(std::string_view verb, const std::string& path,
                                              const std::string& rules_dir, std::ostream& err)
{
    labelled_run run{open_labelled(verb, path, err), nullptr};
    if (!run.in) return std::nullopt;
    run.analyzer = load_packs_for_verb(verb, rules_dir, err);
    if (!run.analyzer) return std::nullopt;
    return run;
}

std::optional<eval::record_result> read_record(const core::line_reader& in, std::string_view line, std::string& text,
                                               std::string& error)
{
    if (in.too_long()) {
        error = "line longer than " + std::to_string(in.max_line_bytes() >> 20) + " MiB";
        return std::nullopt;
    }
    return eval::parse_record(line, text, error);
}

}  // namespace nudgebot::app
