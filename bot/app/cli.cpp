// The command line of `nudgebot`: every verb, its options and its help text (see cli.hpp).
#include "app/cli.hpp"

#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "app/run.hpp"
#include "app/sandbox_verb.hpp"
#include "app/rules_fit.hpp"
#include "app/rules_learn.hpp"
#include "app/verbs.hpp"

namespace nudgebot::app {

namespace {

constexpr const char* sensitivity_help =
    "How readily a category is flagged: low (fewest, most certain), medium, high";

}  // namespace

int run_cli(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err)
{
    CLI::App app{"nudgebot: notices conflict and distress in chat messages and privately suggests\n"
                 "compassionate phrasing to the people who asked for it. The offline tools below\n"
                 "need no network and no token.",
                 "nudgebot"};
    app.set_version_flag("--version", "nudgebot " NUDGEBOT_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);
    app.footer("Examples:\n"
               "  nudgebot check \"you never listen, this is the third time\"\n"
               "  nudgebot analyze --jsonl < messages.jsonl > results.jsonl\n"
               "  nudgebot eval labelled.jsonl --report report.html\n"
               "  nudgebot eval --suggestions labelled.jsonl\n"
               "  nudgebot rules test rules/en\n"
               "  nudgebot rules fit labelled.jsonl --write\n"
               "  nudgebot rules learn labelled.jsonl --write\n"
               "  nudgebot config check config.json\n\n"
               "Rule packs: --rules DIR, else $NUDGEBOT_RULES_DIR, else the English packs next to "
               "the executable.\nRun `nudgebot <command> --help` for a command's options.");

    const auto sensitivity_check = CLI::IsMember({"low", "medium", "high"});

    // check [TEXT]
    check_options check;
    std::string check_rules;
    auto* check_cmd = app.add_subcommand(
        "check", "Analyse one message (TEXT or stdin): scores, the cues that fired, a suggestion");
    check_cmd->add_option("text", check.text, "The message; read from stdin when left out");
    check_cmd->add_option("--rules", check_rules, "Folder of rule packs")->check(CLI::ExistingDirectory);
    check_cmd->add_option("--sensitivity,-s", check.sensitivity, sensitivity_help)
        ->check(sensitivity_check)
        ->capture_default_str();
    check_cmd->add_flag("--reply", check.reply, "Read it as a reply to someone else's message (rules see @reply)");
    check_cmd->add_option("--country", check.country, "Country code for the crisis card's helplines (e.g. DE)");
    check_cmd->add_option("--style", check.style, "Suggestion style: gentle or direct")
        ->check(CLI::IsMember({"gentle", "direct"}))
        ->capture_default_str();

    // analyze --jsonl
    analyze_options analyze;
    bool jsonl = false;
    auto* analyze_cmd = app.add_subcommand(
        "analyze", "Analyse many messages: JSON lines {\"id\", \"text\"} on stdin, one JSON result "
                   "per line on stdout, a speed summary on stderr");
    analyze_cmd->add_flag("--jsonl", jsonl, "Input and output are JSON lines (required)")->required();
    analyze_cmd->add_option("--rules", analyze.rules_dir, "Folder of rule packs")
        ->check(CLI::ExistingDirectory);
    analyze_cmd->add_option("--sensitivity,-s", analyze.sensitivity, sensitivity_help)
        ->check(sensitivity_check)
        ->capture_default_str();

    // eval FILE
    eval_options eval;
    std::string eval_report;
    auto* eval_cmd = app.add_subcommand(
        "eval", "Measure precision, recall and F1 per category on labelled JSON lines");
    eval_cmd->add_option("file", eval.file, "Labelled JSONL file")->required()->check(CLI::ExistingFile);
    eval_cmd->add_option("--report", eval_report, "Also write a self-contained HTML report here");
    bool eval_suggestions = false;
    eval_cmd->add_flag("--suggestions", eval_suggestions,
                       "Instead: print the suggestion for each flagged record and how often drafts flag again");
    eval_cmd->add_option("--rules", eval.rules_dir, "Folder of rule packs")
        ->check(CLI::ExistingDirectory);

    // rules test [DIR]
    rules_test_options rules_test;
    auto* rules_cmd = app.add_subcommand("rules", "Work with rule packs");
    rules_cmd->require_subcommand(1);
    auto* rules_test_cmd = rules_cmd->add_subcommand(
        "test", "Load every pack in DIR and run every example it contains; exit 1 on any failure");
    rules_test_cmd->add_option("dir", rules_test.rules_dir, "Folder of rule packs");

    // rules fit FILE (app/rules_fit.cpp)
    rules_fit_options rules_fit;
    auto* rules_fit_cmd = rules_cmd->add_subcommand(
        "fit", "Suggest rule weights from labelled JSON lines (logistic regression over the rules "
               "that fired); --write puts them into the pack files");
    rules_fit_cmd->add_option("file", rules_fit.file, "Labelled JSONL file (the format eval reads)")
        ->required()
        ->check(CLI::ExistingFile);
    rules_fit_cmd->add_option("--rules", rules_fit.rules_dir, "Folder of rule packs")
        ->check(CLI::ExistingDirectory);
    rules_fit_cmd->add_flag("--write", rules_fit.write,
                            "Rewrite the \"weight\" numbers in the pack files in place");
    rules_fit_cmd->add_option("--l2", rules_fit.l2, "How strongly weights stay near the written ones")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    rules_fit_cmd->add_option("--false-positive-cost", rules_fit.negative_weight,
                              "Cost of a false positive relative to a miss")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();

    // rules learn FILE... (app/rules_learn.cpp)
    rules_learn_options rules_learn;
    auto* rules_learn_cmd = rules_cmd->add_subcommand(
        "learn", "Train the learned signal (word n-gram model per category) from labelled JSON lines; "
                 "--write puts it into DIR/learned.json");
    rules_learn_cmd->add_option("files", rules_learn.files, "Labelled JSONL files (the format eval reads)")
        ->required()
        ->check(CLI::ExistingFile);
    rules_learn_cmd->add_option("--rules", rules_learn.rules_dir, "Folder of rule packs")
        ->check(CLI::ExistingDirectory);
    rules_learn_cmd->add_flag("--write", rules_learn.write, "Write DIR/learned.json");
    rules_learn_cmd->add_option("--order", rules_learn.order, "Words per n-gram at most")
        ->check(CLI::Range(1, 3))
        ->capture_default_str();
    rules_learn_cmd->add_option("--min-df", rules_learn.min_df, "Records an n-gram must occur in to be kept")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    rules_learn_cmd->add_option("--epochs", rules_learn.epochs, "Passes of stochastic gradient descent")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    rules_learn_cmd->add_option("--rate", rules_learn.rate, "Learning rate")
        ->check(CLI::Range(1e-9, 10.0))
        ->capture_default_str();
    rules_learn_cmd->add_option("--seed", rules_learn.seed, "Seed of the shuffle")->capture_default_str();
    rules_learn_cmd
        ->add_option_function<std::string>(
            "--count", [&](const std::string& v) { rules_learn.count_known = v == "known"; },
            "N in 1/sqrt(N + 1): every n-gram of the message (all) or those the model keeps (known)")
        ->check(CLI::IsMember({"all", "known"}));

    // config check FILE
    config_check_options config_check;
    auto* config_cmd = app.add_subcommand("config", "Work with configuration files");
    config_cmd->require_subcommand(1);
    auto* config_check_cmd = config_cmd->add_subcommand(
        "check", "Validate a config file (opens no sockets); list every mistake, exit 1 on any");
    config_check_cmd->add_option("file", config_check.file, "Config file (JSON with comments)")
        ->required();

    // run --config FILE (app/run.cpp); sandbox is reserved for its issue.
    std::string run_config;
    auto* run_cmd = app.add_subcommand(
        "run", "Connect to the configured chat platforms; tokens come from the environment (exit 0 after "
               "SIGINT/SIGTERM, 2 start-up problem, 3 the platform refused the bot)");
    run_cmd->add_option("--config,-c", run_config, "Config file")->required();
    std::string sandbox_config;
    int sandbox_port = 8080;
    auto* sandbox_cmd = app.add_subcommand(
        "sandbox", "Try nudgebot in a browser: a local chat server and the bot in one process (no account, no token)");
    sandbox_cmd->add_option("--port,-p", sandbox_port, "Port on 127.0.0.1 (0: any free port)")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    sandbox_cmd->add_option("--config,-c", sandbox_config, "Config file");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e, out, err);
        return code == 0 ? 0 : 2;
    }

    const auto rules_or_default = [](const std::string& dir) {
        return dir.empty() ? default_rules_dir() : dir;
    };

    if (*check_cmd) {
        check.rules_dir = rules_or_default(check_rules);
        return run_check(check, in, out, err);
    }
    if (*analyze_cmd) {
        analyze.rules_dir = rules_or_default(analyze.rules_dir);
        return run_analyze_jsonl(analyze, in, out, err);
    }
    if (*eval_cmd) {
        eval.rules_dir = rules_or_default(eval.rules_dir);
        if (!eval_report.empty()) eval.report = eval_report;
        if (eval_suggestions) return run_eval_suggestions(eval, out, err);
        return run_eval(eval, out, err);
    }
    if (*rules_test_cmd) {
        rules_test.rules_dir = rules_or_default(rules_test.rules_dir);
        return run_rules_test(rules_test, out, err);
    }
    if (*rules_fit_cmd) {
        rules_fit.rules_dir = rules_or_default(rules_fit.rules_dir);
        return run_rules_fit(rules_fit, out, err);
    }
    if (*rules_learn_cmd) {
        rules_learn.rules_dir = rules_or_default(rules_learn.rules_dir);
        return run_rules_learn(rules_learn, out, err);
    }
    if (*config_check_cmd) return run_config_check(config_check, out, err);
    if (*run_cmd) return run_bot({run_config}, err);
    if (*sandbox_cmd)
        return run_sandbox({static_cast<std::uint16_t>(sandbox_port), "127.0.0.1", sandbox_config}, out, err);
    return 2;
}

}  // namespace nudgebot::app
