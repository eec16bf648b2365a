// The command-line verbs of the `nudgebot` executable, one function each.
//
// Contract: main.cpp parses the command line (CLI11) into these option structs and calls the
// verb; the verb writes its results to `out`, human messages and summaries to `err`, and returns
// the process exit code (0 success, 1 problems found / bad input, 2 usage or start-up failure).
// Verbs never read ../shared; paths come from the caller. Owner: bot/app (the CLI helper), except
// run_eval (bot/app/eval*.cpp). Each verb is single-threaded and opens no socket.
//
//   check [TEXT]        one message (TEXT or all of stdin): per category score and flag, the cues
//                       that fired in plain words with the matched words, ONE suggestion (the
//                       crisis card for crisis language). check.cpp.
//   analyze --jsonl     JSON lines {"id", "text"} in, exactly one JSON object per line out, in
//                       order: {"id","flags","scores","cues":[{"rule","category","label","span"}]}
//                       or {"id","error"} for a bad line; summary (count, seconds, messages/s) on
//                       stderr; exit 1 when any line was bad. analyze_jsonl.cpp has the details.
//   eval FILE           precision/recall/F1 per category, source and sensitivity (eval.cpp).
//   rules test [DIR]    runs every example of every pack; failures as file:line:col: error: ...,
//                       then "N passed, M failed"; exit 1 on a failure or a load error.
//   config check FILE   every mistake as FILE:line:col: error: ..., sorted, exit 1; else
//                       "FILE: ok", exit 0 (config.hpp has the schema).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace nudgebot::engine {
class analyzer;
}

namespace nudgebot::app {

// Where the English packs live when --rules is not given: $NUDGEBOT_RULES_DIR, else the first
// existing folder of <exe dir>/../rules/en, <exe dir>/../share/nudgebot/rules/en,
// <exe dir>/rules/en, else the source tree's rules/en (NUDGEBOT_SOURCE_DIR).
std::string default_rules_dir();

// Loads the packs in `rules_dir` for a verb; on failure prints every diagnostic and
// "nudgebot VERB: the rule packs in DIR did not load (N errors)" to `err` and returns null
// (warnings are printed either way). verb_packs.cpp.
std::shared_ptr<const engine::analyzer> load_packs_for_verb(std::string_view verb,
                                                            const std::string& rules_dir,
                                                            std::ostream& err);

struct check_options {
    std::optional<std::string> text;   // read stdin when empty
    std::string rules_dir;
    std::string sensitivity = "medium";
    std::string style = "gentle";
    std::string country;   // the crisis card's country ("" = neutral wording)
    bool reply = false;    // read it as a reply to someone else's message (@reply)
};
int run_check(const check_options& options, std::istream& in, std::ostream& out, std::ostream& err);

struct analyze_options {
    std::string rules_dir;
    std::string sensitivity = "medium";
};
int run_analyze_jsonl(const analyze_options& options, std::istream& in, std::ostream& out,
                      std::ostream& err);

struct eval_options {
    std::string file;                  // labelled JSONL
    std::string rules_dir;
    std::optional<std::string> report; // HTML report path
};
int run_eval(const eval_options& options, std::ostream& out, std::ostream& err);
// `eval --suggestions FILE` (eval_suggestions.cpp): the suggestion shown for each flagged record
// and how often drafts flag again, keep code/links/mentions, and repeat.
int run_eval_suggestions(const eval_options& options, std::ostream& out, std::ostream& err);

struct rules_test_options {
    std::string rules_dir;
};
int run_rules_test(const rules_test_options& options, std::ostream& out, std::ostream& err);

struct config_check_options {
    std::string file;
};
int run_config_check(const config_check_options& options, std::ostream& out, std::ostream& err);

}  // namespace nudgebot::app
