// The composer: turns a decision into the private message a person reads — one suggestion from
// the suggestion library (rules/<lang>/suggestions.json) for the situation and the person's
// style, its slots filled, a short line saying which cues fired in plain words, a line saying it
// comes from nudgebot, and the Helpful / Not now / Stop these buttons.
//
// Contract: owned by nudge/. load_suggestions() runs at start-up and reports every mistake in the
// file as `FILE:LINE:COL: error: ...` into diagnostics. A composer is used on the dispatcher's
// strand (not thread-safe: it keeps a small per-person rotation so the same person rarely sees the
// same words twice; at most max_rotation_users people are remembered, then the memory restarts).
// Composed text never contains anyone's message text: only library text, slot values taken from
// the library or the analysis (a feeling word), and cue labels.
#pragma once

#include "core/delivery.hpp"
#include "core/diagnostics.hpp"
#include "engine/analysis.hpp"
#include "nudge/policy.hpp"
#include "nudge/situation.hpp"
#include "storage/store.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace nudgebot::nudge {

struct suggestion_family {
    std::string id;
    std::string label;
    std::vector<std::string> gentle;
    std::vector<std::string> direct;
    std::map<std::string, std::string> defaults;   // slot -> value used when the message gives none
};

struct suggestion_library {
    std::vector<suggestion_family> families;
    // situation -> indexes into families, in preference order
    std::array<std::vector<std::size_t>, situation_count> situations;
    std::string crisis_text;
    std::vector<std::string> crisis_buttons;   // [Dismiss, Don't show me these]
};

// Parses a suggestions file. Returns nullopt when anything is wrong (all problems reported).
std::optional<suggestion_library> parse_suggestions(std::string_view text, const std::string& file_name,
                                                    core::diagnostics& diags);
std::optional<suggestion_library> load_suggestions(const std::string& path, core::diagnostics& diags);

// What a button press means. custom id: "nb1|<action>|<situation>|<category>|<server>|<rule>".
enum class button_action : std::uint8_t { helpful, not_now, stop, crisis_dismiss, crisis_never };
struct button_meaning {
    button_action action = button_action::helpful;
    nudge::situation situation = situation::own_heated;
    engine::category category = engine::category::conflict;
    std::string server;
    std::string rule;
};
std::string button_id(button_action action, situation s, engine::category c, const std::string& server,
                      std::string_view rule);
// nullopt for ids nudgebot did not make (never trust a custom id: it comes from the client).
std::optional<button_meaning> parse_button_id(std::string_view custom_id);

class composer {
public:
    static constexpr std::size_t max_rotation_users = 50000;
    static constexpr std::size_t rotation_memory = 6;   // templates remembered per person

    explicit composer(suggestion_library library);

    // A push nudge for a delivered decision about `analysis` (the message that caused it).
    core::private_message compose(const decision& d, storage::style style, const engine::analysis& analysis,
                                  const std::string& server);

    // The fixed crisis card with its two buttons.
    core::private_message crisis_card(const std::string& server) const;

    // Up to `count` suggestions for a pull flow, from different families where possible.
    std::vector<std::string> suggestions(situation s, storage::style style, const core::user_id& user,
                                         std::string_view feeling, std::size_t count);

    // The "why" line: cue labels of a category in plain words ("'you always' + all caps").
    static std::string explain_cues(const engine::analysis& analysis, engine::category c);

    // forget-me: drop what the rotation remembers about the person.
    void forget(const core::user_id& user) { rotation_.erase(user.str()); }

    const suggestion_library& library() const noexcept { return library_; }

private:
    struct pick {
        std::string text;
        const suggestion_family* family = nullptr;
    };
    std::optional<pick> choose(situation s, storage::style style, const core::user_id& user,
                               std::string_view feeling, std::uint32_t avoid_family = ~0u);

    suggestion_library library_;
    struct rotation {
        std::uint32_t next = 0;
        std::array<std::uint32_t, rotation_memory> recent{};
        std::uint32_t filled = 0;
    };
    std::unordered_map<std::string, rotation> rotation_;
};

// Fills {slot}s from `values` then `defaults`; nullopt when a slot stays unfilled.
std::optional<std::string> fill_slots(std::string_view text, const std::map<std::string, std::string>& defaults,
                                      std::string_view feeling);

}  // namespace nudgebot::nudge
