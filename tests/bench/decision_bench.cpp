// Cost of one decision: conversation context + policy + composer, for an analysed message
// (analysis itself is the engine's benchmark). Target (issue 4): ≤ 20 µs per decision.
// Usage: decision_bench [iterations=200000]
#include "nudge/composer.hpp"
#include "nudge/context.hpp"
#include "nudge/policy.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>

using namespace nudgebot;
using namespace std::chrono_literals;

int main(int argc, char** argv)
{
    const long iterations = argc > 1 ? std::atol(argv[1]) : 200000;
    core::diagnostics diags;
    auto lib = nudge::load_suggestions(NUDGEBOT_SOURCE_DIR "/tests/nudge/data/suggestions.json", diags);
    if (!lib) {
        std::fprintf(stderr, "%s", diags.to_string().c_str());
        return 2;
    }
    nudge::composer composer(std::move(*lib));
    nudge::conversation_context context;
    // No rate limits, so every flagged message goes all the way through the composer (worst case).
    nudge::policy policy(nudge::policy_limits{.user_cooldown = 0s, .channel_max = 1u << 30, .daily_cap = 1u << 30});
    std::unordered_map<std::string, storage::consent> consents;
    for (int u = 0; u < 1000; ++u) consents["7000000000000" + std::to_string(u)] = storage::consent{true, storage::style::gentle, true, {}};
    auto lookup = [&](const core::user_id& u) -> const storage::consent* {
        auto it = consents.find(u.str());
        return it == consents.end() ? nullptr : &it->second;
    };
    storage::server_settings settings;

    engine::analysis heated;
    heated.flags[0] = true;
    heated.scores[0] = 0.9f;
    heated.cues.push_back({"conflict.you_always", engine::category::conflict, "'you always' aimed at a person", {0, 10}, 2.f});
    heated.features.shouting = true;
    heated.features.intensity = 0.6f;
    engine::analysis quiet;

    std::vector<core::chat_message> messages(64);
    for (std::size_t i = 0; i < messages.size(); ++i) {
        auto& m = messages[i];
        m.server = core::server_id{"800000000000000001"};
        m.channel = core::channel_id{"90000000000000000" + std::to_string(i % 8)};
        m.author = core::user_id{"7000000000000" + std::to_string(i % 16)};
        if (i % 3 == 0) m.mentions = {core::user_id{"7000000000000" + std::to_string((i + 1) % 16)}};
    }
    auto now = std::chrono::steady_clock::time_point{} + 1h;
    std::size_t delivered = 0;
    std::size_t bytes = 0;
    auto run = [&](const engine::analysis& a, long n) {
        auto start = std::chrono::steady_clock::now();
        for (long i = 0; i < n; ++i) {
            auto& m = messages[static_cast<std::size_t>(i) % messages.size()];
            m.id = core::message_id{std::to_string(1000000000000000000LL + i)};
            now += 1s;
            auto o = context.observe(m, a, now);
            auto ds = policy.decide({m, a, o, settings}, lookup, now, 20454);
            for (const auto& d : ds)
                if (d.deliver) {
                    ++delivered;
                    bytes += composer.compose(d, storage::style::gentle, a, m.server.str()).text.size();
                }
        }
        return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / n;
    };
    run(heated, 2000);   // warm up
    double heated_us = run(heated, iterations);
    double quiet_us = run(quiet, iterations);
    std::printf("decision_bench: heated message (context+policy+composer, %zu nudges composed): %.2f us/decision\n",
                delivered, heated_us);
    std::printf("decision_bench: quiet message (context+policy): %.2f us/decision (target <= 20 us)\n", quiet_us);
    std::printf("decision_bench: context holds %zu channels; bound %zu turns x ~%zu B per channel\n",
                context.channel_count(), nudge::context_limits{}.max_turns, nudge::conversation_context::bytes_per_turn_bound);
    return heated_us <= 20.0 && bytes > 0 ? 0 : 1;
}
