// Cost of composing one suggestion for an analysed message: the calmer draft (with its
// re-analyses) and the composed push nudge around it, and the reply reflection (situation phrase
// and the pull suggestions). The first analysis of the message is the engine's benchmark and is
// not counted. Target (issue 14): <= 20 us per suggestion.
// Usage: suggestion_bench [rounds=2000] [FILE.jsonl]  (FILE: {"text": ...} lines to use instead of
// the built-in messages; only flagged ones are timed). Prints the median of 5 runs per kind.
#include "engine/analyzer.hpp"
#include "nudge/calmer_draft.hpp"
#include "nudge/composer.hpp"
#include "nudge/reflection.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace nudgebot;

namespace {

// Our own examples (team chat), not taken from any data set.
const std::vector<std::string> builtin{
    "you ALWAYS break the build",
    "@sam you never update the changelog before tagging, seriously?!",
    "The staging deploy is down again. Are you even trying??",
    "we lost the demo because nobody sent the fucking slides",
    "<@4481> you idiot, the config in `deploy/prod.yaml` points at the old database",
    "What is WRONG with you?! The migration dropped the users table",
    "Honestly, you always ignore the on-call rota and then complain about pages",
    "this release crunch has me running on fumes, I'm so tired",
    "I'm so stressed about the move next week, nothing is packed",
    "honestly I'm exhausted, work has been crushing me for weeks",
};

}  // namespace

int main(int argc, char** argv)
{
    const long rounds = argc > 1 ? std::atol(argv[1]) : 2000;
    std::vector<std::string> texts = builtin;
    if (argc > 2) {
        texts.clear();
        std::ifstream in(argv[2]);
        std::string line;
        while (std::getline(in, line)) {
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.contains("text") && j["text"].is_string()) texts.push_back(j["text"]);
        }
    }
    core::diagnostics diags;
    auto analyzer = engine::load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    auto composer = nudge::load_composer(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    if (!analyzer || !composer) {
        std::fprintf(stderr, "%s", diags.to_string().c_str());
        return 2;
    }
    const auto s = engine::sensitivity::medium;
    struct item {
        std::string text;
        engine::analysis a;
    };
    std::vector<item> heated, struggling;
    for (const auto& t : texts) {
        auto a = analyzer->analyze(t, s);
        if (a.flagged(engine::category::crisis)) continue;
        if (a.flagged(engine::category::conflict)) heated.push_back({t, a});
        else if (a.flagged(engine::category::distress)) struggling.push_back({t, a});
    }
    if (heated.empty() || struggling.empty()) {
        std::fprintf(stderr, "need flagged conflict and distress messages (got %zu, %zu)\n", heated.size(),
                     struggling.size());
        return 2;
    }
    std::size_t analyses = 0;
    const auto reanalyse = [&](std::string_view t, engine::analysis& out) {
        ++analyses;
        analyzer->analyze(t, s, out);
    };
    nudge::decision d;
    d.recipient = core::user_id{"700000000000000001"};
    d.situation = nudge::situation::own_heated;
    d.deliver = true;
    std::size_t sink = 0, drafts = 0;

    auto time_it = [&](const char* name, std::size_t per_round, auto&& body) {
        std::vector<double> us;
        for (int run = 0; run < 5; ++run) {
            const auto t0 = std::chrono::steady_clock::now();
            for (long r = 0; r < rounds; ++r) body();
            const double total = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
            us.push_back(total / static_cast<double>(rounds * static_cast<long>(per_round)));
        }
        std::sort(us.begin(), us.end());
        std::printf("%-34s %8.2f us per suggestion (median of 5 runs; min %.2f, max %.2f)\n", name, us[2], us.front(),
                    us.back());
    };

    time_it("calmer draft + composed nudge", heated.size(), [&] {
        for (const auto& h : heated) {
            auto draft = nudge::calmer_rewrite(h.text, h.a, reanalyse, composer->library().restatements);
            nudge::composer::extras x;
            if (draft) {
                x.draft = &*draft;
                ++drafts;
            }
            sink += composer->compose(d, storage::style::gentle, h.a, "800000000000000001", x).text.size();
        }
    });
    time_it("reflection + 3 reply ideas", struggling.size(), [&] {
        for (const auto& m : struggling) {
            auto phrase = nudge::situation_phrase(m.text, m.a);
            for (const auto& idea : composer->suggestions(nudge::situation::pull_reply, storage::style::gentle,
                                                          d.recipient, m.a.feeling, 3, phrase))
                sink += idea.size();
        }
    });
    const double drafted = static_cast<double>(5 * rounds * static_cast<long>(heated.size()));
    std::printf("%zu heated and %zu struggling messages; drafts per heated message %.2f, re-analyses per heated "
                "message %.1f (checksum %zu)\n",
                heated.size(), struggling.size(), static_cast<double>(drafts) / drafted,
                static_cast<double>(analyses) / drafted, sink);
    // The analyzer alone on the same messages, for scale (the machine's speed right now).
    const auto t0 = std::chrono::steady_clock::now();
    engine::analysis scratch;
    for (long r = 0; r < rounds; ++r)
        for (const auto& h : heated) analyzer->analyze(h.text, s, scratch);
    std::printf("one analysis of a heated message: %.2f us\n",
                std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
                    static_cast<double>(rounds * static_cast<long>(heated.size())));
    return 0;
}
