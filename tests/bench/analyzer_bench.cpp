// Analyzer speed benchmark (a program run by hand, not a timed test).
//
//   analyzer_bench RULES_DIR TEXTS.jsonl [SECONDS | PASSESx]
//
// "5x" runs exactly five passes over the texts instead of a timed loop (handy under callgrind,
// where instruction counts per message are steadier than time on a shared machine).
// "dump" prints every field of every analysis, one line per text, instead of timing (to check that
// an engine change leaves results identical; compare the output of two builds). It goes to stdout.
// Loads the packs (prints compile time, the learned signal's size and resident memory), reads the "text" field of every JSON
// line, then analyses them round-robin on one thread for SECONDS (default 3) and prints messages
// per second and bytes per second. Texts stay in memory only; nothing is written anywhere.
#include "engine/analyzer.hpp"
#include "engine/learned_signal.hpp"
#include "process_stats.hpp"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using nudgebot::bench::status_kb;
using nudgebot::bench::thread_cpu_seconds;

int main(int argc, char** argv)
{
    using clock = std::chrono::steady_clock;
    if (argc < 3) {
        std::cerr << "usage: analyzer_bench RULES_DIR TEXTS.jsonl [SECONDS]\n";
        return 2;
    }
    std::string how = argc > 3 ? argv[3] : "3";
    bool dump = how == "dump";
    bool by_passes = !dump && !how.empty() && how.back() == 'x';
    double seconds = by_passes || dump ? 0 : std::stod(how);
    std::size_t passes = by_passes ? std::stoul(how.substr(0, how.size() - 1)) : 0;
    long rss_before = status_kb("VmRSS:");
    nudgebot::core::diagnostics diags;
    auto started = clock::now();
    auto rules = nudgebot::engine::load_rules(argv[1], diags);
    double load_ms = std::chrono::duration<double, std::milli>(clock::now() - started).count();
    if (!rules) {
        diags.print(std::cerr);
        return 1;
    }
    long rss_loaded = status_kb("VmRSS:");
    std::printf("packs: %zu, rules: %zu, lexicons: %zu\n", rules->packs().size(),
                rules->rules().size(), rules->lexicons().size());
    std::printf("cues: %zu (cue masks %s, limit %zu)\n", rules->cue_count(), rules->uses_cue_masks() ? "on" : "OFF",
                nudgebot::engine::analyzer::cue_mask_limit());
    std::printf("learned signal: %zu n-grams of up to %u words (%zu KiB)\n", rules->learned_model().size(),
                rules->learned_model().order(), rules->learned_model().memory_bytes() / 1024);
    std::printf("compile: %.2f ms (load incl. file reading: %.2f ms), compiled size ~%zu KiB\n",
                rules->compile_ms(), load_ms, rules->memory_bytes() / 1024);
    std::printf("RSS: %ld KiB before loading, %ld KiB with packs loaded\n", rss_before, rss_loaded);

    std::vector<std::string> texts;
    std::ifstream in(argv[2]);
    std::string line;
    std::size_t bytes = 0;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("text") && j["text"].is_string()) {
            texts.push_back(j["text"].get<std::string>());
            bytes += texts.back().size();
        }
    }
    if (texts.empty()) {
        std::cerr << "no texts in " << argv[2] << "\n";
        return 1;
    }
    std::printf("texts: %zu, mean %.1f bytes\n", texts.size(),
                static_cast<double>(bytes) / static_cast<double>(texts.size()));

    nudgebot::engine::analysis out;
    if (dump) {
        for (const auto& t : texts) {
            rules->analyze(t, nudgebot::engine::sensitivity::medium, out);
            const auto& f = out.features;
            std::printf("%d%d%d%d%d%d %.6g '%.*s' |", f.second_person, f.first_person, f.shouting,
                        f.question_burst, f.exclamation_burst, f.quoted, f.intensity,
                        static_cast<int>(out.feeling.size()), out.feeling.data());
            for (std::size_t c = 0; c < out.scores.size(); ++c)
                std::printf(" %.9g%s", out.scores[c], out.flags[c] ? "!" : "");
            std::printf(" |");
            for (const auto& q : out.cues)
                std::printf(" %.*s:%d:%u-%u:%.6g", static_cast<int>(q.rule_id.size()), q.rule_id.data(),
                            static_cast<int>(q.cat), q.span.begin, q.span.end, q.weight);
            std::printf("\n");
        }
        return 0;
    }
    std::size_t flagged = 0;
    for (const auto& t : texts) {   // warm-up pass (also counts flags)
        rules->analyze(t, nudgebot::engine::sensitivity::medium, out);
        flagged += out.flagged(nudgebot::engine::category::conflict) ||
                   out.flagged(nudgebot::engine::category::distress) ||
                   out.flagged(nudgebot::engine::category::crisis);
    }
    std::size_t messages = 0;
    std::size_t analysed_bytes = 0;
    std::size_t cues = 0;
    auto begin = clock::now();
    double cpu_begin = thread_cpu_seconds();
    auto deadline = begin + std::chrono::duration<double>(seconds);
    for (std::size_t pass = 0; by_passes ? pass < passes : clock::now() < deadline; ++pass) {
        for (const auto& t : texts) {
            rules->analyze(t, nudgebot::engine::sensitivity::medium, out);
            cues += out.cues.size();
            analysed_bytes += t.size();
        }
        messages += texts.size();
    }
    double elapsed = std::chrono::duration<double>(clock::now() - begin).count();
    double cpu = thread_cpu_seconds() - cpu_begin;
    std::printf("analyzed %zu messages in %.2f s wall, %.2f s CPU on one thread\n", messages,
                elapsed, cpu);
    std::printf("speed: %.0f messages per CPU second (%.0f per wall second), %.1f MB per CPU "
                "second; %zu of one pass flagged, %zu cues\n",
                static_cast<double>(messages) / cpu, static_cast<double>(messages) / elapsed,
                static_cast<double>(analysed_bytes) / cpu / 1e6, flagged, cues);
    std::printf("RSS at end: %ld KiB (peak %ld KiB, includes the texts)\n", status_kb("VmRSS:"),
                status_kb("VmHWM:"));
    return 0;
}
