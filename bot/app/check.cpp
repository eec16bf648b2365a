// `nudgebot check [TEXT]`: a human-readable analysis of one message.
//
// Contract: analyses TEXT (or all of stdin when no TEXT is given) at the chosen sensitivity and
// writes to `out`: one line per reported category (score, flagged or not), the cues that fired
// in plain words with the matched part of the text, and for the situation the message shows:
// a calmer draft of it (nudge/calmer_draft.hpp) with the reason when it reads as heated, else
// ONE suggestion from the pack folder's suggestions.json; the crisis card (with the national
// lines of --country, from crisis_resources.json beside the pack folder) when crisis language
// is flagged. The text is shown only back to the person who typed it, on their own
// terminal; it is never logged. Exit 0 after an analysis, 2 when the packs cannot be loaded or an
// option is wrong. The suggestion comes from nudge::composer (the same one the bot uses for
// `/nudge check`), as the situation `check_calmer`, `own_distress` or the crisis card.
#include "app/verbs.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "core/diagnostics.hpp"
#include "engine/analyzer.hpp"
#include "nudge/calmer_draft.hpp"
#include "nudge/composer.hpp"
#include "nudge/crisis_resources.hpp"
#include "nudge/situation.hpp"

namespace nudgebot::app {

namespace {

// The matched part of the message for display: control characters become spaces, long spans
// are shortened in the middle.
std::string excerpt(std::string_view text, engine::byte_span span)
{
    if (span.begin > text.size() || span.end > text.size() || span.begin > span.end) return "";
    std::string shown(text.substr(span.begin, span.end - span.begin));
    for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    }
    if (shown.size() > 80) shown = shown.substr(0, 38) + " ... " + shown.substr(shown.size() - 38);
    return shown;
}

}  // namespace

int run_check(const check_options& options, std::istream& in, std::ostream& out, std::ostream& err)
{
    const auto sensitivity = engine::parse_sensitivity(options.sensitivity);
    if (!sensitivity) {
        err << "nudgebot check: unknown sensitivity \"" << options.sensitivity
            << "\" (expected low, medium or high)\n";
        return 2;
    }
    if (options.style != "gentle" && options.style != "direct") {
        err << "nudgebot check: unknown style \"" << options.style << "\" (expected gentle or direct)\n";
        return 2;
    }
    const auto analyzer = load_packs_for_verb("check", options.rules_dir, err);
    if (!analyzer) return 2;

    std::string text;
    if (options.text) {
        text = *options.text;
    } else {
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    }

    const auto result = analyzer->analyze(text, *sensitivity, engine::message_context{options.reply});

    out << "Sensitivity: " << engine::to_string(*sensitivity) << '\n';
    for (std::size_t i = 0; i < engine::reported_category_count; ++i) {
        const auto cat = static_cast<engine::category>(i);
        char line[96];
        std::snprintf(line, sizeof line, "  %-9s %.2f  %s (threshold %.2f)\n",
                      std::string(engine::to_string(cat)).c_str(),
                      static_cast<double>(result.score(cat)),
                      result.flagged(cat) ? "FLAGGED" : "not flagged",
                      static_cast<double>(analyzer->threshold(cat, *sensitivity)));
        out << line;
    }

    if (result.cues.empty()) {
        out << "Cues: none fired.\n";
    } else {
        out << "Cues:\n";
        for (const auto& cue : result.cues) {
            out << "  - " << cue.label << " [" << engine::to_string(cue.cat) << ", " << cue.rule_id
                << "]: \"" << excerpt(text, cue.span) << "\" (bytes " << cue.span.begin << '-'
                << cue.span.end << ")\n";
        }
    }
    // Message-level signals the conversation context uses across turns, in plain words.
    const auto& f = result.features;
    std::string signals;
    const auto add = [&](bool on, const char* words) {
        if (!on) return;
        if (!signals.empty()) signals += ", ";
        signals += words;
    };
    add(f.reply, "a reply to someone else (--reply)");
    add(f.second_person, "addresses someone");
    add(f.first_person, "talks about the writer");
    add(f.shouting, "shouting in capitals");
    add(f.question_burst, "repeated question marks");
    add(f.exclamation_burst, "repeated exclamation marks");
    add(f.quoted, "some words were quoted and ignored");
    if (!signals.empty()) out << "Signals: " << signals << '\n';

    // The situation a person would be nudged about for their own message; crisis first.
    std::optional<nudge::situation> situation;
    if (result.flagged(engine::category::crisis)) {
        situation = nudge::situation::own_crisis;
    } else if (result.flagged(engine::category::conflict)) {
        situation = nudge::situation::check_calmer;
    } else if (result.flagged(engine::category::distress)) {
        situation = nudge::situation::own_distress;
    }
    if (!situation) {
        out << "Suggestion: none; nothing here reads as heated or distressed at this sensitivity.\n";
        return 0;
    }
    core::diagnostics library_diags;
    auto loaded = nudge::load_composer(options.rules_dir, library_diags);
    if (!loaded) {
        library_diags.print(err);
        out << "Suggestion: unavailable (the suggestion library did not load).\n";
        return 0;
    }
    auto& composer = *loaded;
    if (*situation == nudge::situation::own_crisis) {
        auto code = nudge::normal_country_code(options.country);
        out << "Support:\n  " << composer.crisis_text({code.value_or(""), ""}) << '\n';
        return 0;
    }
    if (*situation == nudge::situation::check_calmer) {
        const auto draft = nudge::calmer_rewrite(
            text, result, [&](std::string_view t, engine::analysis& a) {
                analyzer->analyze(t, *sensitivity, a, engine::message_context{options.reply});
            },
            composer.library().restatements);
        if (draft) {
            out << "Calmer draft (" << draft->reason() << "):\n";
            std::string_view rest = draft->text;
            for (;;) {
                auto nl = rest.find('\n');
                out << "  " << rest.substr(0, nl) << '\n';
                if (nl == std::string_view::npos) break;
                rest.remove_prefix(nl + 1);
            }
            return 0;
        }
        out << "Calmer draft: none that keeps what you meant; a library line instead.\n";
    }
    const auto style = options.style == "direct" ? storage::style::direct : storage::style::gentle;
    const auto picks =
        composer.suggestions(*situation, style, core::user_id("nudgebot-check"), result.feeling, 1);
    if (picks.empty()) {
        out << "Suggestion: none in the library for " << nudge::to_string(*situation) << ".\n";
    } else {
        out << "Suggestion:\n  " << picks.front() << '\n';
    }
    return 0;
}

}  // namespace nudgebot::app
