// The composer: turns a decision into the private message a person reads — one suggestion from
// the suggestion library (rules/<lang>/suggestions.json) for the situation and the person's
// style, its slots filled, a short line saying which cues fired in plain words, a line saying it
// comes from nudgebot, and the Helpful / Not now / Stop these buttons. For the person's own
// heated message it leads with a calmer draft of it (nudge/calmer_draft.hpp) when one exists;
// reply suggestions can reflect the situation the other person named (nudge/reflection.hpp);
// the crisis card names the helplines of the server's country (nudge/crisis_resources.hpp).
//
// Contract: owned by nudge/. load_suggestions() runs at start-up and reports every mistake in the
// file as `FILE:LINE:COL: error: ...` into diagnostics. A composer is used on the event router's
// strand (not thread-safe: it keeps a small per-person rotation so the same person rarely sees the
// same words twice; at most max_rotation_users people are remembered, then the memory restarts).
// Composed text holds message text only where the person reading it is meant to see it: the
// calmer draft of their own message, and the situation phrase of the message they asked to reply
// to. Neither is kept after composing: never stored, logged or counted.
#pragma once

#include "core/delivery.hpp"
#include "core/diagnostics.hpp"
#include "engine/analysis.hpp"
#include "nudge/calmer_draft.hpp"
#include "nudge/crisis_resources.hpp"
#include "nudge/policy.hpp"
#include "nudge/situation.hpp"
#include "storage/store.hpp"

#include <array>
#include <map>
#include <memory>
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
    // How a calmer draft restates a heated message's point, by what the message does
    // (nudge/calmer_draft.hpp; the "restatements" section, required).
    restatement_library restatements;
    // The crisis card: fixed safe-messaging text with a {resources} slot, filled with `country`
    // ("In {country}, {line}.") when the server's country is known, else with `neutral`; then
    // `workplace` ("... {workplace}") when moderators named their own support line. A card text
    // without {resources} is shown as it is.
    std::string crisis_text;
    std::string crisis_neutral;
    std::string crisis_country;
    std::string crisis_workplace;
    std::vector<std::string> crisis_buttons;   // [Dismiss, Don't show me these]
};

// Which resources a crisis card names (chosen by the event router from the server's settings, its
// locale and the config default).
struct crisis_choice {
    std::string country;     // ISO code; "" or unknown -> neutral wording
    std::string workplace;   // the server's own support line, already cleaned; may be empty
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

    explicit composer(suggestion_library library, crisis_directory crisis = {});

    // What a push nudge may carry besides the decision.
    struct extras {
        const calmer_draft* draft = nullptr;   // own_heated: the calmer draft of their message
        crisis_choice crisis;                  // own_crisis: the resources to name
    };

    // A push nudge for a delivered decision about `analysis` (the message that caused it).
    core::private_message compose(const decision& d, storage::style style, const engine::analysis& analysis,
                                  const std::string& server, const extras& x);
    core::private_message compose(const decision& d, storage::style style, const engine::analysis& analysis,
                                  const std::string& server)
    {
        return compose(d, style, analysis, server, extras{});
    }

    // The crisis card with its two buttons; its safe-messaging text is fixed, only the resources
    // change with `choice`.
    core::private_message crisis_card(const std::string& server, const crisis_choice& choice = {}) const;
    std::string crisis_text(const crisis_choice& choice) const;

    // The calmer draft as shown: the reason, the draft set apart as a quote so it copies cleanly,
    // and that nothing is sent for them.
    static std::string present_draft(const calmer_draft& draft);

    // Up to `count` suggestions for a pull flow, from different families where possible. A
    // non-empty `situation_phrase` fills {situation} lines, which are then offered first.
    std::vector<std::string> suggestions(situation s, storage::style style, const core::user_id& user,
                                         std::string_view feeling, std::size_t count,
                                         std::string_view situation_phrase = {});

    // The "why" line: cue labels of a category in plain words ("'you always' + all caps").
    static std::string explain_cues(const engine::analysis& analysis, engine::category c);

    // forget-me: drop what the rotation remembers about the person.
    void forget(const core::user_id& user) { rotation_.erase(user.str()); }
    // Whether the rotation remembers anything about the person (tests of forget-me).
    bool remembers(const core::user_id& user) const { return rotation_.count(user.str()) > 0; }

    const suggestion_library& library() const noexcept { return library_; }
    const crisis_directory& crisis_resources() const noexcept { return crisis_; }

private:
    struct pick {
        std::string text;
        const suggestion_family* family = nullptr;
    };
    std::optional<pick> choose(situation s, storage::style style, const core::user_id& user,
                               std::string_view feeling, std::uint32_t avoid_family = ~0u,
                               std::string_view situation_phrase = {}, bool remember = true);

    suggestion_library library_;
    crisis_directory crisis_;
    struct rotation {
        std::uint32_t next = 0;
        std::array<std::uint32_t, rotation_memory> recent{};
        std::uint32_t filled = 0;
    };
    std::unordered_map<std::string, rotation> rotation_;
};

// The composer of a language folder: DIR/suggestions.json and, when present, the crisis resources
// beside DIR (crisis_resources_path). nullptr with every mistake in `diags` when either is wrong.
std::unique_ptr<composer> load_composer(const std::string& rules_dir, core::diagnostics& diags);

// Whether the message's feeling word may fill {feeling}: not a harsh self-judgement ("worthless",
// "a failure"), not words about oneself ("mad at myself"), not a swear word.
bool reads_as_feeling(std::string_view feeling);

// Fills {feeling} and {situation} from the message when given, other {slot}s from `defaults`;
// nullopt when a slot stays unfilled. A feeling that does not read as one (reads_as_feeling) is
// replaced by the default.
std::optional<std::string> fill_slots(std::string_view text, const std::map<std::string, std::string>& defaults,
                                      std::string_view feeling, std::string_view situation_phrase = {});

}  // namespace nudgebot::nudge
