// libFuzzer target: any bytes as a rule pack (and as scoring.json, and as learned.json beside a
// small pack) through the compiler; when a pack or a model compiles, its examples run and a few
// messages are analysed. Errors must come out as diagnostics, never as a crash, an exception or
// a hang.
#include "engine/analyzer.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/json_document.hpp"
#include "engine/examples.hpp"

using namespace nudgebot::engine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string text(reinterpret_cast<const char*>(data), size);
    static const pack_source scoring{"scoring.json", R"({"categories": {
      "conflict": {"bias": -1, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}},
      "distress": {"bias": -1, "thresholds": {"low": 0.9, "medium": 0.75, "high": 0.6}},
      "crisis": {"bias": 0, "thresholds": {"low": 0.9, "medium": 0.5, "high": 0.3}}}})"};
    nudgebot::core::diagnostics diags;
    auto rules = compile_rules({{"fuzz.json", text}}, &scoring, diags);
    if (rules) {
        auto report = run_examples(*rules);
        (void)report;
        analysis a;
        rules->analyze("you are such an idiot, I can't take it anymore!!", sensitivity::high, a);
        rules->analyze(text, sensitivity::low, a);
    } else if (!diags.has_errors()) {
        std::abort();   // a refusal must say why
    }
    nudgebot::core::diagnostics scoring_diags;
    const pack_source as_scoring{"s.json", text};
    compile_rules({{"a.json", R"({"pack": "a"})"}}, &as_scoring, scoring_diags);
    nudgebot::core::diagnostics learned_diags;
    static const pack_source small_pack{"p.json", R"({"pack": "p",
      "lexicons": {"you": {"label": "you", "terms": ["you"]}, "insult": {"label": "an insult", "terms": ["idiot"]},
                   "laughter": {"label": "laughter", "terms": ["lol"]}},
      "rules": [{"id": "p.insult", "category": "conflict", "label": "an insult", "weight": 2, "all": ["you", "insult"]}],
      "modifiers": [{"id": "p.laughter", "label": "laughter", "when": ["laughter"], "effect": {"conflict": -1}}]})"};
    const pack_source as_learned{"learned.json", text};
    if (auto with_model = compile_rules({small_pack}, &scoring, learned_diags, &as_learned)) {
        analysis a;
        with_model->analyze("you idiot lol, so late again", sensitivity::medium, a);
        with_model->analyze(text, sensitivity::high, a);
    } else if (!learned_diags.has_errors()) {
        std::abort();   // a refusal must say why
    }
    nudgebot::core::diagnostics doc_diags;
    if (auto doc = nudgebot::core::json_document::parse(text, "doc.json", doc_diags)) {
        doc->check_keys("", {"pack"}, doc_diags);
        doc->expect_string("/pack", doc_diags);
    }
    return 0;
}
