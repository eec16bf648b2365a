// default_rules_dir(): where the English packs are when --rules is not given (see verbs.hpp).
#include "app/verbs.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace nudgebot::app {

namespace {

std::filesystem::path executable_dir()
{
    std::error_code ec;
    // Linux only, like the rest of nudgebot; on failure we simply skip the exe-relative guesses.
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    return exe.parent_path();
}

bool is_dir(const std::filesystem::path& p)
{
    std::error_code ec;
    return !p.empty() && std::filesystem::is_directory(p, ec);
}

}  // namespace

std::string default_rules_dir()
{
    if (const char* env = std::getenv("NUDGEBOT_RULES_DIR"); env != nullptr && *env != '\0') {
        return env;   // an explicit choice wins, even when it does not exist: the loader says so
    }
    const auto exe_dir = executable_dir();
    if (!exe_dir.empty()) {
        // Installed layouts (<prefix>/bin/nudgebot with <prefix>/rules/en or
        // <prefix>/share/nudgebot/rules/en), then a copy beside the executable.
        for (const auto& candidate : {exe_dir / ".." / "rules" / "en",
                                      exe_dir / ".." / "share" / "nudgebot" / "rules" / "en",
                                      exe_dir / "rules" / "en"}) {
            if (is_dir(candidate)) return candidate.lexically_normal().string();
        }
    }
    // A build tree: the source checkout it was configured from.
    return (std::filesystem::path(NUDGEBOT_SOURCE_DIR) / "rules" / "en").string();
}

}  // namespace nudgebot::app
