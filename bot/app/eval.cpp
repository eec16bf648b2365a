// `nudgebot eval FILE.jsonl [--report out.html]`: measures the rule packs against labelled data.
//
// Contract: loads the packs from options.rules_dir (every mistake reported on `err`, exit 2 when
// they do not load), reads FILE line by line, analyses each record's text at every sensitivity and
// prints the table of eval_report.hpp on `out`. A line that is not a labelled record is counted,
// reported on `err` by line number with a reason (never its text), and skipped. Exit 0 when every
// line was good, 1 when some lines were bad or nothing could be evaluated, 2 when the file, the
// packs or the report cannot be opened. Only the file and the report path are touched.
#include "app/verbs.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <istream>
#include <optional>
#include <ostream>

#include "app/eval_report.hpp"
#include "app/labelled_input.hpp"
#include "engine/analyzer.hpp"

namespace nudgebot::app {

namespace {

constexpr std::size_t max_bad_lines_listed = 20;   // the count is always complete

// The detector category compared with each eval label.
constexpr std::array<engine::category, eval::label_count> compared{
    engine::category::conflict, engine::category::distress, engine::category::crisis, engine::category::kindness};

constexpr std::array<engine::sensitivity, eval::sensitivity_count> sensitivities{
    engine::sensitivity::low, engine::sensitivity::medium, engine::sensitivity::high};

}  // namespace

int run_eval(const eval_options& options, std::ostream& out, std::ostream& err)
{
    auto inputs = open_labelled_run("eval", options.file, options.rules_dir, err);
    if (!inputs) return 2;
    const auto& [in, analyzer] = *inputs;

    const auto started = std::chrono::steady_clock::now();
    std::vector<eval::record_result> results;
    std::uint64_t bad = 0;
    std::string line, text, error;
    engine::analysis a;
    while (in->next(line)) {
        if (!in->too_long() && core::blank_line(line)) continue;   // blank lines are not records
        auto record = read_record(*in, line, text, error);
        if (!record) {
            if (++bad <= max_bad_lines_listed)
                err << options.file << ':' << in->line_number() << ": bad line: " << error << '\n';
            continue;
        }
        for (std::size_t si = 0; si < eval::sensitivity_count; ++si) {
            analyzer->analyze(text, sensitivities[si], a, engine::message_context{record->reply});
            for (std::size_t li = 0; li < eval::label_count; ++li) {
                record->flags[si][li] = a.flagged(compared[li]);
                if (si == 1) record->scores[li] = a.score(compared[li]);
            }
        }
        results.push_back(std::move(*record));
    }
    if (bad > max_bad_lines_listed) err << "(" << bad - max_bad_lines_listed << " more bad lines not listed)\n";

    auto summary = eval::summarise(results, options.file, bad);
    for (std::size_t si = 0; si < eval::sensitivity_count; ++si)
        for (std::size_t li = 0; li < eval::label_count; ++li)
            summary.thresholds[si][li] = analyzer->threshold(compared[li], sensitivities[si]);
    eval::print_table(summary, out);

    if (options.report) {
        std::ofstream html(*options.report, std::ios::binary | std::ios::trunc);
        if (!html) {
            err << "nudgebot eval: cannot write " << *options.report << '\n';
            return 2;
        }
        eval::write_html(summary, html);
        if (!html.flush()) {
            err << "nudgebot eval: cannot write " << *options.report << '\n';
            return 2;
        }
        err << "report written to " << *options.report << '\n';
    }

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char buf[160];
    std::snprintf(buf, sizeof buf, "%llu records analysed at 3 sensitivities in %.2f s, %llu bad lines\n",
                  static_cast<unsigned long long>(results.size()), seconds, static_cast<unsigned long long>(bad));
    err << buf;
    return bad > 0 || results.empty() ? 1 : 0;
}

}  // namespace nudgebot::app
