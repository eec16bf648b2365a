#include "app/config_reload.hpp"

namespace nudgebot::app {

std::vector<std::string> restart_only_changes(const config& in_use, const config& fresh)
{
    std::vector<std::string> out;
    if (in_use.rules.sensitivity != fresh.rules.sensitivity) out.emplace_back("rules.sensitivity");
    if (!(in_use.storage == fresh.storage)) out.emplace_back("storage");
    if (!(in_use.nudges == fresh.nudges)) out.emplace_back("nudges");
    if (in_use.log.format != fresh.log.format) out.emplace_back("log.format");
    if (!(in_use.ops == fresh.ops)) out.emplace_back("ops");
    if (!(in_use.discord == fresh.discord)) out.emplace_back("platforms.discord");
    if (!(in_use.slack == fresh.slack)) out.emplace_back("platforms.slack");
    if (!(in_use.mattermost == fresh.mattermost)) out.emplace_back("platforms.mattermost");
    return out;
}

}  // namespace nudgebot::app
