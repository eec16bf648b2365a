// Scoring a detector against labelled records: the numbers behind `nudgebot eval`.
//
// Contract: owned by app/ (the eval verb). Pure: no engine, no I/O except the streams passed in.
// The caller analyses each labelled record and hands over its source, labels, scores and flags;
// this unit counts, computes precision / recall / F1 per category overall and per source at each
// sensitivity, the flag rate on everyday chat (records annotated 0 for both conflict and
// distress), precision-recall curves by sweeping a threshold over the scores, and renders the
// plain text table and the self-contained HTML report. No record text is ever held or printed.
// Not thread-safe (plain values); cheap enough for a few hundred thousand records.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::app::eval {

// The evaluated labels. `empathy` (0/1/2 in the data) counts as positive when > 0 and is compared
// with the engine's `kindness` category.
enum class label : std::uint8_t { conflict, distress, crisis, empathy };
inline constexpr std::size_t label_count = 4;
inline constexpr std::array<std::string_view, label_count> label_names{"conflict", "distress", "crisis",
                                                                       "empathy"};
// What the detector calls the category it compares with each label.
inline constexpr std::array<std::string_view, label_count> detector_names{"conflict", "distress", "crisis",
                                                                          "kindness"};
inline constexpr std::size_t sensitivity_count = 3;
inline constexpr std::array<std::string_view, sensitivity_count> sensitivity_names{"low", "medium", "high"};

// One analysed record. labels: nullopt = not annotated (skipped for that label), else 0/1.
struct record_result {
    std::string source;
    std::string kind;   // the record's `kind` (a family such as "crisis-farewell"), "" when it has none
    bool reply = false; // `"reply": true`: the message answers someone else's (rules see @reply)
    std::array<std::optional<bool>, label_count> labels{};
    std::array<float, label_count> scores{};                                 // detector score per label
    std::array<std::array<bool, label_count>, sensitivity_count> flags{};    // [sensitivity][label]
};

struct counts {
    std::uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
    std::uint64_t positives() const noexcept { return tp + fn; }
    std::uint64_t negatives() const noexcept { return fp + tn; }
    std::uint64_t total() const noexcept { return tp + fp + fn + tn; }
    // Conventions for empty denominators: precision of no flags is undefined (nullopt), recall of
    // no positives is undefined; F1 needs both.
    std::optional<double> precision() const noexcept;
    std::optional<double> recall() const noexcept;
    std::optional<double> f1() const noexcept;
    double flag_rate() const noexcept;   // flagged / total, 0 when empty
    void add(bool truth, bool flagged) noexcept;
};

// One point of a precision-recall curve: flag when score >= threshold.
struct pr_point {
    float threshold = 0;
    double precision = 0;
    double recall = 0;
};

struct summary {
    std::string file;                        // shown in headings
    std::uint64_t records = 0;               // good records
    std::uint64_t bad_lines = 0;             // lines that were not a valid labelled record
    std::vector<std::string> sources;        // sorted
    // [sensitivity][label] overall, and per source.
    std::array<std::array<counts, label_count>, sensitivity_count> overall{};
    std::map<std::string, std::array<std::array<counts, label_count>, sensitivity_count>> by_source;
    // Everyday chat: records annotated 0 for both conflict and distress; flags per sensitivity and
    // label (a flag of any label there is a false alarm).
    std::uint64_t everyday_records = 0;
    std::array<std::array<std::uint64_t, label_count>, sensitivity_count> everyday_flagged{};
    // Look-alikes: records annotated 0 for conflict, distress and crisis alike (team chat's quiet
    // messages and traps); flags per sensitivity and label.
    std::uint64_t lookalike_records = 0;
    std::array<std::array<std::uint64_t, label_count>, sensitivity_count> lookalike_flagged{};
    // Per `kind` at sensitivity medium, for the three reported labels (empty when no record has a
    // kind).
    std::map<std::string, std::array<counts, 3>> by_kind;
    // Precision-recall curve per label (over every record annotated for it).
    std::array<std::vector<pr_point>, label_count> curves;
    // Operating points: the detector's threshold per label and sensitivity, when known.
    std::array<std::array<std::optional<float>, label_count>, sensitivity_count> thresholds{};
};

// Counts everything. `thresholds` are only shown in the report (the flags come from the records).
summary summarise(const std::vector<record_result>& results, std::string file, std::uint64_t bad_lines);

// Precision-recall curve from (score, truth) pairs, one point per distinct score with a flag at
// least once (score > 0), highest threshold first. Empty when there are no positives.
std::vector<pr_point> pr_curve(std::vector<std::pair<float, bool>> scored);

// The aligned plain-text table: every sensitivity overall, the everyday-chat and look-alike lines,
// the per-kind table (when records have kinds), then each sensitivity per source.
void print_table(const summary& s, std::ostream& out);

// One kind's row of the per-kind table: how badly it does, for ordering worst first. `worst` is
// the largest of the miss rates (1 - recall) over labels the kind has positives for and the
// false-alarm rates over labels it has negatives for, counting only labels that at least a
// quarter of the kind's records carry (one distressed message among blame does not rank blame).
struct kind_row {
    std::string kind;
    std::uint64_t records = 0;
    std::array<counts, 3> by_label{};
    double worst = 0;
};
// The kinds, worst first (ties by name).
std::vector<kind_row> kinds_worst_first(const summary& s);

// One self-contained HTML page (inline CSS, inline SVG plots, no scripts).
void write_html(const summary& s, std::ostream& out);

// Parses one JSONL line of labelled data. On failure returns nullopt and sets `error` to a short
// reason that never quotes the text. `text` receives the record's text on success; an optional
// string `kind` is kept (another type is a bad line).
std::optional<record_result> parse_record(std::string_view line, std::string& text, std::string& error);

}  // namespace nudgebot::app::eval
