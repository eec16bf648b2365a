// libFuzzer target: any bytes through the normaliser (with and without a vocabulary) and the
// analyzer built from the engine's test pack. Checks that spans stay inside the input and token
// texts are non-empty; the sanitizers check the rest.
#include "engine/normalizer.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/analyzer.hpp"

using namespace nudgebot::engine;

namespace {

const analyzer& rules()
{
    static std::shared_ptr<const analyzer> loaded = [] {
        nudgebot::core::diagnostics diags;
        auto r = load_rules(NUDGEBOT_SOURCE_DIR "/tests/engine/data/basic", diags);
        if (!r) std::abort();
        return r;
    }();
    return *loaded;
}

void check(const normalized_text& out, std::string_view text)
{
    for (const auto& t : out.tokens) {
        if (t.span.begin >= t.span.end || t.span.end > text.size()) std::abort();
        if (t.text_size == 0 || t.text_begin + t.text_size > out.chars.size()) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static vocabulary vocab = [] {
        vocabulary v;
        for (auto w : {"idiot", "kill", "kms", "stupid", "so", "you"}) v.add_word(w);
        v.add_prefix("kil");
        return v;
    }();
    normalizer norm;
    normalized_text out;
    norm.normalize(text, out);
    check(out, text);
    norm.normalize(text, out, &vocab);
    check(out, text);
    analysis a;
    rules().analyze(text, sensitivity::high, a);
    for (const auto& c : a.cues)
        if (c.span.end > text.size() || c.span.begin > c.span.end) std::abort();
    for (float s : a.scores)
        if (!(s >= 0 && s <= 1)) std::abort();
    return 0;
}
