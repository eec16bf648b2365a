// qt(): a name or value in double quotes, for the engine's diagnostics ("unknown lexicon \"x\"").
//
// Contract: pure, header-only, never throws beyond allocation. Shared by the pack compiler and the
// learned signal's reader so both quote alike.
#pragma once

#include <string>
#include <string_view>

namespace nudgebot::engine {

// Built by appending: `"\"" + std::string(s) + "\""` trips a false -Wrestrict in GCC 12 at -O3.
inline std::string qt(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out += s;
    out += '"';
    return out;
}

}  // namespace nudgebot::engine
