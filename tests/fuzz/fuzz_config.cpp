// libFuzzer target: any bytes as a config file. parse_config must either return a config or
// report at least one error (naming the file), never throw, crash or hang.
#include "app/config.hpp"

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string_view>

using namespace nudgebot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    core::diagnostics diags;
    auto cfg = app::parse_config(text, "fuzz.json", diags);
    if (!cfg && !diags.has_errors()) std::abort();
    if (cfg && diags.has_errors()) std::abort();
    std::ostringstream out;
    diags.print(out);
    if (diags.has_errors() && out.str().find("fuzz.json") == std::string::npos) std::abort();
    return 0;
}
