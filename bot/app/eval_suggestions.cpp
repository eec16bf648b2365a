// `nudgebot eval --suggestions FILE.jsonl`: what a person would be offered for each flagged
// record, and how good those offers are, so a reviewer can read fifty at a glance.
//
// Contract: loads the packs and the composer from options.rules_dir (exit 2 when they do not
// load), reads FILE's labelled records (the format `nudgebot eval` reads; bad lines are reported
// by number, never by text, and skipped) and analyses each at sensitivity medium. For a record
// flagged conflict it prints the calmer draft (or that none exists and the library line shown
// instead); for one flagged distress, the reply ideas "Suggest a kind reply" would offer (with
// the situation reflected when one was found); for crisis, that the fixed card is shown. Each
// draft and reflection is re-analysed. The summary on `out` gives, for conflict-flagged records
// and for those among them labelled conflict, the share with a draft, the share of drafts that
// flag conflict again, the share that keep every code span, link and mention, the share that
// restate the point instead of rewriting the words; for reflections
// the share that flag distress or conflict; and the most times one suggestion text was shown
// within any 100 consecutive flagged records (the crisis card, fixed by design, apart). One
// reviewer is simulated (one rotation), as for `nudgebot check`. The file's text goes to `out`
// only (the operator's own terminal): nothing is logged or written elsewhere.
// Exit 0 when every line was good, 1 when some were bad or nothing was flagged, 2 on load errors.
#include "app/verbs.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <ostream>

#include "app/eval_report.hpp"
#include "app/labelled_input.hpp"
#include "engine/analyzer.hpp"
#include "nudge/calmer_draft.hpp"
#include "nudge/composer.hpp"
#include "nudge/reflection.hpp"
#include "nudge/text_spans.hpp"

namespace nudgebot::app {

namespace {

constexpr std::size_t max_bad_lines_listed = 20;
constexpr std::size_t repeat_window = 100;

std::string one_line(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '\n') out += " / ";
        else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
        else out += c;
    }
    return out;
}

struct share {
    std::uint64_t hit = 0, of = 0;
    void add(bool h) { hit += h, ++of; }
    std::string str() const
    {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%llu/%llu (%.1f %%)", static_cast<unsigned long long>(hit),
                      static_cast<unsigned long long>(of), of ? 100.0 * static_cast<double>(hit) / static_cast<double>(of) : 0.0);
        return buf;
    }
};

struct draft_stats {
    share drafted, reflag, kept, restated;
};

}  // namespace

int run_eval_suggestions(const eval_options& options, std::ostream& out, std::ostream& err)
{
    auto inputs = open_labelled_run("eval", options.file, options.rules_dir, err);
    if (!inputs) return 2;
    const auto& [in, analyzer] = *inputs;
    core::diagnostics diags;
    auto composer = nudge::load_composer(options.rules_dir, diags);
    if (!composer) {
        diags.print(err);
        return 2;
    }
    const auto sensitivity = engine::sensitivity::medium;
    const core::user_id reviewer{"eval"};
    const auto reanalyse = [&](std::string_view t, engine::analysis& a) { analyzer->analyze(t, sensitivity, a); };

    draft_stats all_flagged, labelled_positive;
    share reflection_found, reflection_reflag;
    std::uint64_t bad = 0, crisis_cards = 0, flagged_records = 0;
    std::deque<std::string> window;   // the suggestion text of the last 100 flagged records
    std::size_t most_repeated = 0;
    std::string most_repeated_text;
    auto shown = [&](std::string text) {
        window.push_back(std::move(text));
        if (window.size() > repeat_window) window.pop_front();
        std::map<std::string_view, std::size_t> counts;
        for (const auto& t : window) {
            auto n = ++counts[t];
            if (n > most_repeated) {
                most_repeated = n;
                most_repeated_text = t;
            }
        }
    };

    std::string line, text, error;
    engine::analysis a, again;
    while (in->next(line)) {
        const auto line_no = in->line_number();
        if (!in->too_long() && core::blank_line(line)) continue;
        auto record = read_record(*in, line, text, error);
        if (!record) {
            if (++bad <= max_bad_lines_listed) err << options.file << ':' << line_no << ": bad line: " << error << '\n';
            continue;
        }
        analyzer->analyze(text, sensitivity, a);
        const bool conflict = a.flagged(engine::category::conflict);
        const bool distress = a.flagged(engine::category::distress);
        if (!conflict && !distress && !a.flagged(engine::category::crisis)) continue;
        ++flagged_records;
        out << '#' << line_no << " [" << record->source << "] " << one_line(text) << '\n';
        if (a.flagged(engine::category::crisis)) {
            ++crisis_cards;
            out << "  crisis card (fixed text)\n";
            continue;
        }
        if (conflict) {
            const bool positive = record->labels[0].value_or(false);
            auto draft = nudge::calmer_rewrite(text, a, reanalyse, composer->library().restatements);
            bool reflags = false, kept = false;
            if (draft) {
                analyzer->analyze(draft->text, sensitivity, again);
                reflags = again.flagged(engine::category::conflict);
                kept = nudge::keeps_protected(text, draft->text);
                out << "  draft (" << draft->reason() << "): " << one_line(draft->text)
                    << (reflags ? "  [FLAGS AGAIN]" : "") << (kept ? "" : "  [LOST CODE/LINK/MENTION]") << '\n';
                shown(draft->text);
            } else {
                auto lines = composer->suggestions(nudge::situation::check_calmer, storage::style::gentle, reviewer,
                                                   a.feeling, 1);
                out << "  no safe rewrite; library line: " << (lines.empty() ? "(none)" : lines[0]) << '\n';
                shown(lines.empty() ? std::string() : lines[0]);
            }
            for (auto* s : {&all_flagged, positive ? &labelled_positive : nullptr}) {
                if (!s) continue;
                s->drafted.add(draft.has_value());
                if (draft) {
                    s->reflag.add(reflags);
                    s->kept.add(kept);
                    s->restated.add(!draft->restated.empty());
                }
            }
            continue;
        }
        // Distress: the reply ideas a reader asking "Suggest a kind reply" would see.
        auto phrase = nudge::situation_phrase(text, a);
        reflection_found.add(!phrase.empty());
        auto ideas = composer->suggestions(nudge::situation::pull_reply, storage::style::gentle, reviewer, a.feeling,
                                           3, phrase);
        if (!ideas.empty()) {
            analyzer->analyze(ideas.front(), sensitivity, again);
            const bool reflags = again.flagged(engine::category::distress) || again.flagged(engine::category::conflict);
            if (!phrase.empty()) reflection_reflag.add(reflags);
            out << "  reply idea: " << ideas.front() << (reflags ? "  [FLAGS AGAIN]" : "") << '\n';
            shown(ideas.front());
        }
    }
    if (bad > max_bad_lines_listed) err << "(" << bad - max_bad_lines_listed << " more bad lines not listed)\n";

    out << "\nsuggestions at sensitivity medium, " << flagged_records << " flagged records of " << options.file << ":\n";
    for (auto [name, s] : {std::pair{"flagged conflict", &all_flagged},
                           std::pair{"flagged and labelled conflict", &labelled_positive}}) {
        out << "  " << name << ": calmer draft " << s->drafted.str() << "; drafts flagging conflict again "
            << s->reflag.str() << "; drafts keeping every code span, link and mention " << s->kept.str()
            << "; drafts that restate the point (nothing of the words left to keep) " << s->restated.str() << '\n';
    }
    out << "  flagged distress: situation reflected " << reflection_found.str()
        << "; reflections flagging distress or conflict again " << reflection_reflag.str() << '\n';
    out << "  most times one suggestion text was shown in any " << repeat_window
        << " consecutive flagged records: " << most_repeated
        << (most_repeated_text.empty() ? std::string() : " (\"" + one_line(most_repeated_text).substr(0, 80) + "\")")
        << "; crisis cards (fixed text, not counted): " << crisis_cards << '\n';
    return bad > 0 || flagged_records == 0 ? 1 : 0;
}

}  // namespace nudgebot::app
