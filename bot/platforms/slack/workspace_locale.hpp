// The workspace's locale, read from Slack's member list: Slack has no workspace-wide locale field
// (team.info carries none), but users.list with include_locale=true gives each member's locale
// ("de-DE"). The crisis card uses it to name the national lines of where the team is, when
// moderators chose no country.
//
// Contract: platforms/slack internal, pure (no I/O); the adapter feeds it users.list pages. The
// primary owner's locale wins (the person who set the workspace up); without one, the locale most
// members use (people only: bots, deactivated accounts and the bot's own user are not counted;
// a tie goes to the first seen). Untrusted input: any JSON value is accepted, a locale that is not
// of the form "ll", "ll-CC" or "ll_CC" (letters and digits, at most 16 bytes) is ignored. Names,
// e-mail addresses and every other field of a member are never read or kept.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace nudgebot::slack {

class workspace_locale {
public:
    // One users.list answer body. Returns its next_cursor ("" when it was the last page).
    std::string add_page(const nlohmann::json& body);
    // "" when no member had a usable locale.
    std::string result() const;
    std::size_t members_counted() const noexcept { return counted_; }

private:
    std::string owner_;
    std::vector<std::pair<std::string, std::size_t>> counts_;   // in the order first seen
    std::size_t counted_ = 0;
};

// True for "de", "de-DE", "en_GB", "zh-Hant-TW"; false for anything else.
bool plausible_locale(const std::string& locale) noexcept;

}  // namespace nudgebot::slack
