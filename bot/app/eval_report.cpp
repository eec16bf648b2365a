#include "app/eval_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <set>

#include <nlohmann/json.hpp>

namespace nudgebot::app::eval {

// ---------------------------------------------------------------- counts

std::optional<double> counts::precision() const noexcept
{
    if (tp + fp == 0) return std::nullopt;
    return static_cast<double>(tp) / static_cast<double>(tp + fp);
}

std::optional<double> counts::recall() const noexcept
{
    if (tp + fn == 0) return std::nullopt;
    return static_cast<double>(tp) / static_cast<double>(tp + fn);
}

std::optional<double> counts::f1() const noexcept
{
    const auto p = precision();
    const auto r = recall();
    if (!p || !r || *p + *r == 0) return p && r ? std::optional<double>(0.0) : std::nullopt;
    return 2 * *p * *r / (*p + *r);
}

double counts::flag_rate() const noexcept
{
    return total() == 0 ? 0.0 : static_cast<double>(tp + fp) / static_cast<double>(total());
}

void counts::add(bool truth, bool flagged) noexcept
{
    if (truth) (flagged ? tp : fn) += 1;
    else (flagged ? fp : tn) += 1;
}

// ---------------------------------------------------------------- parsing

namespace {

// A label value: null -> not annotated; 0/1 (or false/true); empathy also 2. Anything else is bad.
bool parse_label(const nlohmann::json& v, label which, std::optional<bool>& out)
{
    if (v.is_null()) {
        out.reset();
        return true;
    }
    if (v.is_boolean()) {
        out = v.get<bool>();
        return true;
    }
    if (v.is_number_integer() || v.is_number_unsigned()) {
        const auto n = v.get<std::int64_t>();
        const std::int64_t max = which == label::empathy ? 2 : 1;
        if (n < 0 || n > max) return false;
        out = n > 0;
        return true;
    }
    return false;
}

}  // namespace

std::optional<record_result> parse_record(std::string_view line, std::string& text, std::string& error)
{
    // Parse without exceptions: a bad line is data, not a failure of the tool.
    const auto doc = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (doc.is_discarded()) {
        error = "not valid JSON";
        return std::nullopt;
    }
    if (!doc.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    const auto t = doc.find("text");
    if (t == doc.end() || !t->is_string()) {
        error = "missing \"text\" string";
        return std::nullopt;
    }
    const auto l = doc.find("labels");
    if (l == doc.end() || !l->is_object()) {
        error = "missing \"labels\" object";
        return std::nullopt;
    }
    record_result r;
    for (std::size_t i = 0; i < label_count; ++i) {
        const auto v = l->find(std::string(label_names[i]));
        if (v == l->end()) continue;
        if (!parse_label(*v, static_cast<label>(i), r.labels[i])) {
            error = "bad value for label \"" + std::string(label_names[i]) + "\"";
            return std::nullopt;
        }
    }
    const auto k = doc.find("kind");
    if (k != doc.end() && !k->is_null()) {
        if (!k->is_string()) {
            error = "\"kind\" is not a string";
            return std::nullopt;
        }
        r.kind = k->get<std::string>();
    }
    const auto rp = doc.find("reply");
    if (rp != doc.end() && !rp->is_null()) {
        if (!rp->is_boolean()) {
            error = "\"reply\" is not true or false";
            return std::nullopt;
        }
        r.reply = rp->get<bool>();
    }
    const auto s = doc.find("source");
    r.source = s != doc.end() && s->is_string() ? s->get<std::string>() : std::string("unknown");
    if (r.source.empty()) r.source = "unknown";
    text = t->get<std::string>();
    return r;
}

// ---------------------------------------------------------------- summarising

std::vector<pr_point> pr_curve(std::vector<std::pair<float, bool>> scored)
{
    std::vector<pr_point> curve;
    std::uint64_t positives = 0;
    for (const auto& [score, truth] : scored) positives += truth ? 1 : 0;
    if (positives == 0) return curve;
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::uint64_t tp = 0, flagged = 0;
    for (std::size_t i = 0; i < scored.size(); ++i) {
        if (scored[i].first <= 0) break;   // a score of 0 means no rule fired: never a flag
        ++flagged;
        tp += scored[i].second ? 1 : 0;
        // One point per distinct score: emit after the last record sharing this score.
        if (i + 1 == scored.size() || scored[i + 1].first != scored[i].first) {
            curve.push_back({scored[i].first, static_cast<double>(tp) / static_cast<double>(flagged),
                             static_cast<double>(tp) / static_cast<double>(positives)});
        }
    }
    return curve;
}

summary summarise(const std::vector<record_result>& results, std::string file, std::uint64_t bad_lines)
{
    summary s;
    s.file = std::move(file);
    s.records = results.size();
    s.bad_lines = bad_lines;
    std::set<std::string> sources;
    std::array<std::vector<std::pair<float, bool>>, label_count> scored;
    for (const auto& r : results) {
        sources.insert(r.source);
        auto& per_source = s.by_source[r.source];
        const bool everyday = r.labels[0] == false && r.labels[1] == false;
        if (everyday) ++s.everyday_records;
        const bool lookalike = everyday && r.labels[2] == false;
        if (lookalike) ++s.lookalike_records;
        if (!r.kind.empty()) {
            auto& per_kind = s.by_kind[r.kind];
            for (std::size_t li = 0; li < 3; ++li)
                if (r.labels[li]) per_kind[li].add(*r.labels[li], r.flags[1][li]);
        }
        for (std::size_t li = 0; li < label_count; ++li) {
            for (std::size_t si = 0; si < sensitivity_count; ++si) {
                if (everyday && r.flags[si][li]) ++s.everyday_flagged[si][li];
                if (lookalike && r.flags[si][li]) ++s.lookalike_flagged[si][li];
                if (!r.labels[li]) continue;
                s.overall[si][li].add(*r.labels[li], r.flags[si][li]);
                per_source[si][li].add(*r.labels[li], r.flags[si][li]);
            }
            if (r.labels[li]) scored[li].emplace_back(r.scores[li], *r.labels[li]);
        }
    }
    s.sources.assign(sources.begin(), sources.end());
    for (std::size_t li = 0; li < label_count; ++li) s.curves[li] = pr_curve(std::move(scored[li]));
    return s;
}

std::vector<kind_row> kinds_worst_first(const summary& s)
{
    std::vector<kind_row> rows;
    for (const auto& [kind, by_label] : s.by_kind) {
        kind_row row{kind, 0, by_label, 0};
        for (const auto& c : by_label) row.records = std::max(row.records, c.total());
        for (const auto& c : by_label) {
            // A label that only a few of the kind's records carry (a conflict message that also
            // shows distress) is shown but does not decide the order.
            if (c.positives() > 0 && 4 * c.positives() >= row.records)
                row.worst = std::max(row.worst, 1.0 - *c.recall());
            if (c.negatives() > 0 && 4 * c.negatives() >= row.records)
                row.worst = std::max(row.worst, static_cast<double>(c.fp) / static_cast<double>(c.negatives()));
        }
        rows.push_back(std::move(row));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const kind_row& a, const kind_row& b) { return a.worst > b.worst; });
    return rows;
}

// ---------------------------------------------------------------- text table

namespace {

std::string fixed3(std::optional<double> v)
{
    if (!v) return "-";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.3f", *v);
    return buf;
}

std::string percent(std::uint64_t part, std::uint64_t whole)
{
    char buf[24];
    if (whole == 0) return "-";
    std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
    return buf;
}

void row(std::ostream& out, std::string_view sens, std::string_view cat, std::string_view source, const counts& c)
{
    char buf[200];
    std::snprintf(buf, sizeof buf, "%-7s %-9s %-16s %7llu %7llu %7llu %9s %7s %7s\n", std::string(sens).c_str(),
                  std::string(cat).c_str(), std::string(source).c_str(),
                  static_cast<unsigned long long>(c.positives()), static_cast<unsigned long long>(c.negatives()),
                  static_cast<unsigned long long>(c.tp + c.fp), fixed3(c.precision()).c_str(),
                  fixed3(c.recall()).c_str(), fixed3(c.f1()).c_str());
    out << buf;
}

void header(std::ostream& out)
{
    char buf[200];
    std::snprintf(buf, sizeof buf, "%-7s %-9s %-16s %7s %7s %7s %9s %7s %7s\n", "sens", "category", "source", "pos",
                  "neg", "flagged", "precision", "recall", "F1");
    out << buf;
}

using flag_counts = std::array<std::array<std::uint64_t, label_count>, sensitivity_count>;

// "medium: everyday chat (N records annotated 0 for ...) flagged: conflict x% ..." for a set of
// records on which any flag is a false alarm.
void false_alarm_line(std::string_view what, std::string_view annotated, std::uint64_t records,
                      const flag_counts& flagged, std::size_t si, std::ostream& out)
{
    out << sensitivity_names[si] << ": " << what << " (" << records << " records annotated 0 for " << annotated
        << ") flagged:";
    for (std::size_t li = 0; li < 3; ++li) out << ' ' << label_names[li] << ' ' << percent(flagged[si][li], records);
    out << '\n';
}

void everyday_line(const summary& s, std::size_t si, std::ostream& out)
{
    false_alarm_line("everyday chat", "conflict and distress", s.everyday_records, s.everyday_flagged, si, out);
}

void lookalike_line(const summary& s, std::size_t si, std::ostream& out)
{
    false_alarm_line("look-alikes", "conflict, distress and crisis", s.lookalike_records, s.lookalike_flagged, si,
                     out);
}

// A kind's cell for one label: recall on its positives ("R 0.42 11/26"), else the false alarms on
// its negatives ("FA 2/23"), "." when it has negatives and none flagged, "-" when not annotated.
std::string kind_cell(const counts& c)
{
    char buf[64];
    if (c.positives() > 0) {
        std::snprintf(buf, sizeof buf, "R %.2f %llu/%llu", *c.recall(), static_cast<unsigned long long>(c.tp),
                      static_cast<unsigned long long>(c.positives()));
        return buf;
    }
    if (c.negatives() == 0) return "-";
    if (c.fp == 0) return ".";
    std::snprintf(buf, sizeof buf, "FA %llu/%llu", static_cast<unsigned long long>(c.fp),
                  static_cast<unsigned long long>(c.negatives()));
    return buf;
}

void kind_table(const summary& s, std::ostream& out)
{
    out << "\nper kind at sensitivity medium, worst first (R: recall on the kind's positives; FA: its "
           "negatives flagged):\n";
    char buf[200];
    std::snprintf(buf, sizeof buf, "%-30s %5s  %-16s %-16s %-16s %6s\n", "kind", "n", "conflict", "distress", "crisis",
                  "worst");
    out << buf;
    for (const auto& row : kinds_worst_first(s)) {
        std::snprintf(buf, sizeof buf, "%-30s %5llu  %-16s %-16s %-16s %6.2f\n", row.kind.c_str(),
                      static_cast<unsigned long long>(row.records), kind_cell(row.by_label[0]).c_str(),
                      kind_cell(row.by_label[1]).c_str(), kind_cell(row.by_label[2]).c_str(), row.worst);
        out << buf;
    }
}

constexpr std::size_t medium = 1;
// The per-source tables come medium first.
constexpr std::array<std::size_t, sensitivity_count> detail_order{medium, 0, 2};

// One sensitivity's per-source rows in order: each annotated label overall ("ALL"), then its
// sources that have records; `emit(label, source, counts, overall)`.
template <class Emit>
void for_each_source_row(const summary& s, std::size_t si, const Emit& emit)
{
    for (std::size_t li = 0; li < label_count; ++li) {
        if (s.overall[si][li].total() == 0) continue;
        emit(label_names[li], std::string_view("ALL"), s.overall[si][li], true);
        for (const auto& source : s.sources) {
            const auto& c = s.by_source.at(source)[si][li];
            if (c.total() > 0) emit(label_names[li], std::string_view(source), c, false);
        }
    }
}

}  // namespace

void print_table(const summary& s, std::ostream& out)
{
    out << "nudgebot eval " << s.file << ": " << s.records << " records, " << s.bad_lines << " bad lines\n";
    out << "(pos/neg: records annotated 1/0; empathy is compared with the kindness category)\n\n";
    header(out);
    // Summary first: every sensitivity, overall only, so the headline fits on one screen.
    for (std::size_t si = 0; si < sensitivity_count; ++si)
        for (std::size_t li = 0; li < label_count; ++li)
            if (s.overall[si][li].total() > 0) row(out, sensitivity_names[si], label_names[li], "ALL", s.overall[si][li]);
    out << '\n';
    for (std::size_t si = 0; si < sensitivity_count; ++si) everyday_line(s, si, out);
    if (s.lookalike_records > 0)
        for (std::size_t si = 0; si < sensitivity_count; ++si) lookalike_line(s, si, out);
    if (!s.by_kind.empty()) kind_table(s, out);

    // Then each sensitivity in full, medium first, per source.
    for (std::size_t si : detail_order) {
        out << "\nper source at sensitivity " << sensitivity_names[si] << ":\n";
        header(out);
        for_each_source_row(s, si, [&](std::string_view label, std::string_view source, const counts& c, bool) {
            row(out, sensitivity_names[si], label, source, c);
        });
    }
}

// ---------------------------------------------------------------- HTML

namespace {

std::string escape_html(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    for (char c : in) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

void html_rows(std::ostream& out, std::string_view sens, std::string_view cat, std::string_view source,
               const counts& c, bool strong)
{
    out << "<tr" << (strong ? " class=all" : "") << "><td>" << sens << "</td><td>" << cat << "</td><td>"
        << escape_html(source) << "</td><td>" << c.positives() << "</td><td>" << c.negatives() << "</td><td>"
        << (c.tp + c.fp) << "</td><td>" << fixed3(c.precision()) << "</td><td>" << fixed3(c.recall())
        << "</td><td>" << fixed3(c.f1()) << "</td></tr>\n";
}

void html_table_head(std::ostream& out)
{
    out << "<table><tr><th>sensitivity</th><th>category</th><th>source</th><th>pos</th><th>neg</th>"
           "<th>flagged</th><th>precision</th><th>recall</th><th>F1</th></tr>\n";
}

// A precision-recall plot: recall on x, precision on y, the swept curve as a polyline and the
// three sensitivity operating points as labelled dots.
void svg_plot(std::ostream& out, const summary& s, std::size_t li)
{
    constexpr double w = 360, h = 300, left = 48, top = 16, plot = 240;
    char buf[160];
    out << "<figure><svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
        << "' viewBox='0 0 " << w << ' ' << h << "' role='img' aria-label='precision-recall curve for "
        << label_names[li] << "'>\n";
    out << "<rect x='" << left << "' y='" << top << "' width='" << plot << "' height='" << plot
        << "' class='frame'/>\n";
    for (int i = 0; i <= 4; ++i) {
        const double v = i / 4.0;
        const double x = left + v * plot, y = top + (1 - v) * plot;
        std::snprintf(buf, sizeof buf, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", x, top, x,
                      top + plot);
        out << buf;
        std::snprintf(buf, sizeof buf, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' class='grid'/>", left, y,
                      left + plot, y);
        out << buf;
        std::snprintf(buf, sizeof buf, "<text x='%.1f' y='%.1f' class='tick' text-anchor='middle'>%.2f</text>", x,
                      top + plot + 14, v);
        out << buf;
        std::snprintf(buf, sizeof buf, "<text x='%.1f' y='%.1f' class='tick' text-anchor='end'>%.2f</text>\n",
                      left - 4, y + 4, v);
        out << buf;
    }
    out << "<text x='" << left + plot / 2 << "' y='" << top + plot + 32
        << "' text-anchor='middle' class='axis'>recall</text>";
    out << "<text x='12' y='" << top + plot / 2 << "' text-anchor='middle' class='axis' transform='rotate(-90 12 "
        << top + plot / 2 << ")'>precision</text>\n";
    const auto& curve = s.curves[li];
    if (!curve.empty()) {
        out << "<polyline class='curve' points='";
        // Start at the top-left of the first point so a one-point curve still shows.
        for (const auto& p : curve) {
            std::snprintf(buf, sizeof buf, "%.1f,%.1f ", left + p.recall * plot, top + (1 - p.precision) * plot);
            out << buf;
        }
        out << "'/>\n";
        for (const auto& p : curve) {
            std::snprintf(buf, sizeof buf,
                          "<circle cx='%.1f' cy='%.1f' r='1.6' class='pt'><title>threshold %.3f: P %.3f R "
                          "%.3f</title></circle>",
                          left + p.recall * plot, top + (1 - p.precision) * plot, p.threshold, p.precision, p.recall);
            out << buf;
        }
        out << '\n';
    } else {
        out << "<text x='" << left + plot / 2 << "' y='" << top + plot / 2
            << "' text-anchor='middle' class='axis'>no positives annotated</text>\n";
    }
    for (std::size_t si = 0; si < sensitivity_count; ++si) {
        const auto& c = s.overall[si][li];
        const auto p = c.precision();
        const auto r = c.recall();
        if (!p || !r) continue;
        const double x = left + *r * plot, y = top + (1 - *p) * plot;
        std::snprintf(buf, sizeof buf,
                      "<circle cx='%.1f' cy='%.1f' r='4.5' class='op op%zu'><title>%s: P %.3f R %.3f</title></circle>"
                      "<text x='%.1f' y='%.1f' class='oplabel'>%s</text>\n",
                      x, y, si, std::string(sensitivity_names[si]).c_str(), *p, *r, x + 6, y - 6,
                      std::string(sensitivity_names[si]).c_str());
        out << buf;
    }
    out << "</svg><figcaption>" << label_names[li] << " (detector: " << detector_names[li];
    for (std::size_t si = 0; si < sensitivity_count; ++si) {
        if (!s.thresholds[si][li]) continue;
        std::snprintf(buf, sizeof buf, "; %s &ge; %.2f", std::string(sensitivity_names[si]).c_str(),
                      static_cast<double>(*s.thresholds[si][li]));
        out << buf;
    }
    out << ")</figcaption></figure>\n";
}

// A heading, a sentence and the share of `records` flagged per sensitivity and category.
void html_false_alarms(std::ostream& out, std::string_view heading, std::string_view records_are,
                       std::uint64_t records, const flag_counts& flagged)
{
    out << "<h2>" << heading << "</h2>\n<p>" << records << records_are << "</p>\n<table><tr><th>sensitivity</th>";
    for (std::size_t li = 0; li < 3; ++li) out << "<th>" << label_names[li] << "</th>";
    out << "</tr>\n";
    for (std::size_t si = 0; si < sensitivity_count; ++si) {
        out << "<tr><td>" << sensitivity_names[si] << "</td>";
        for (std::size_t li = 0; li < 3; ++li) out << "<td>" << percent(flagged[si][li], records) << "</td>";
        out << "</tr>\n";
    }
    out << "</table>\n";
}

// The per-kind table: one row a kind, worst first, with a bar for how much it misses or
// falsely flags, so the weak families stand out at a glance.
void html_kinds(const summary& s, std::ostream& out)
{
    out << "<h2>Per kind (team chat), sensitivity medium, worst first</h2>\n<p>R: recall on the kind's "
           "positives; FA: its negatives flagged; the bar is the worst of its miss and false-alarm rates.</p>\n"
           "<table class=kinds><tr><th>kind</th><th>n</th><th>conflict</th><th>distress</th><th>crisis</th>"
           "<th>worst</th></tr>\n";
    char buf[64];
    for (const auto& row : kinds_worst_first(s)) {
        std::snprintf(buf, sizeof buf, "%.2f", row.worst);
        const int width = static_cast<int>(row.worst * 120 + 0.5);
        out << "<tr><td>" << escape_html(row.kind) << "</td><td>" << row.records << "</td>";
        for (const auto& c : row.by_label) out << "<td>" << kind_cell(c) << "</td>";
        out << "<td><span class=bar style='width:" << width << "px'></span> " << buf << "</td></tr>\n";
    }
    out << "</table>\n";
}

}  // namespace

void write_html(const summary& s, std::ostream& out)
{
    out << "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>\n<title>nudgebot eval: "
        << escape_html(s.file) << "</title>\n<style>\n"
           "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}\n"
           "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}\n"
           "table{border-collapse:collapse;margin:.5em 0}td,th{padding:2px 10px;border-bottom:1px solid #ddd;"
           "text-align:right}td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}\n"
           "tr.all td{font-weight:600;background:#f4f6fa}\n"
           "figure{display:inline-block;margin:0 1em 1em 0}figcaption{text-align:center}\n"
           ".frame{fill:#fff;stroke:#888}.grid{stroke:#eee}.tick{font-size:10px;fill:#666}.axis{font-size:12px}\n"
           ".curve{fill:none;stroke:#2b6cb0;stroke-width:1.5}.pt{fill:#2b6cb0}\n"
           ".op{stroke:#222;stroke-width:1}.op0{fill:#38a169}.op1{fill:#dd6b20}.op2{fill:#e53e3e}\n"
           ".oplabel{font-size:11px}\n"
           ".kinds td:nth-child(-n+3){text-align:left}.kinds td{white-space:nowrap}"
           ".bar{display:inline-block;height:9px;background:#e53e3e;vertical-align:middle}\n"
           "</style></head><body>\n";
    out << "<h1>nudgebot eval: " << escape_html(s.file) << "</h1>\n<p>" << s.records << " records, " << s.bad_lines
        << " bad lines. Precision, recall and F1 per category at each sensitivity; pos/neg count records "
           "annotated 1/0 (unannotated records are skipped for that category). Empathy is compared with the "
           "kindness category. No message text appears in this report.</p>\n";

    out << "<h2>Precision-recall curves</h2>\n<p>Each curve sweeps a threshold over the scores; the dots mark "
           "the low, medium and high sensitivities.</p>\n";
    for (std::size_t li = 0; li < label_count; ++li)
        if (s.overall[1][li].total() > 0) svg_plot(out, s, li);

    out << "<h2>Overall</h2>\n";
    html_table_head(out);
    for (std::size_t si = 0; si < sensitivity_count; ++si)
        for (std::size_t li = 0; li < label_count; ++li)
            if (s.overall[si][li].total() > 0)
                html_rows(out, sensitivity_names[si], label_names[li], "ALL", s.overall[si][li], true);
    out << "</table>\n";

    html_false_alarms(out, "Everyday chat",
                      " records annotated 0 for both conflict and distress; any flag there is a false alarm.",
                      s.everyday_records, s.everyday_flagged);
    if (s.lookalike_records > 0)
        html_false_alarms(out, "Look-alikes",
                          " records annotated 0 for conflict, distress and crisis: team chat's quiet messages and "
                          "the traps that look like a positive (swearing at things, fiction, jokes, supportive "
                          "replies).",
                          s.lookalike_records, s.lookalike_flagged);
    if (!s.by_kind.empty()) html_kinds(s, out);

    for (std::size_t si : detail_order) {
        out << "<h2>Per source, sensitivity " << sensitivity_names[si] << "</h2>\n";
        html_table_head(out);
        for_each_source_row(s, si, [&](std::string_view label, std::string_view source, const counts& c, bool overall) {
            html_rows(out, sensitivity_names[si], label, source, c, overall);
        });
        out << "</table>\n";
    }
    out << "</body></html>\n";
}

}  // namespace nudgebot::app::eval
