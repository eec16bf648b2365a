// The shipped English rule packs and suggestion library, loaded once per test program, for tests
// that check what people would really read.
#pragma once

#include "engine/analyzer.hpp"
#include "nudge/composer.hpp"

#include <catch2/catch.hpp>

#include <memory>

namespace nudgebot::testing {

inline std::shared_ptr<const engine::analyzer> english()
{
    static const auto a = [] {
        core::diagnostics diags;
        auto loaded = engine::load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
        INFO(diags.to_string());
        REQUIRE(loaded);
        return loaded;
    }();
    return a;
}

// A fresh composer (its rotation starts empty) with the shipped library and crisis resources.
inline std::unique_ptr<nudge::composer> shipped()
{
    core::diagnostics diags;
    auto c = nudge::load_composer(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
    INFO(diags.to_string());
    REQUIRE(c);
    return c;
}

// The shipped library's restatement words (loaded once per test program).
inline const nudge::restatement_library& restating()
{
    static const auto c = shipped();
    return c->library().restatements;
}

}  // namespace nudgebot::testing
