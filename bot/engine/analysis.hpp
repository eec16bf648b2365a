// The result of analysing one message: what the rules engine tells the rest of nudgebot.
//
// Contract: produced by engine::analyzer (pure, no I/O). Strings in `cue` are views into the
// compiled rule set and stay valid as long as the analyzer that produced them is alive (holders
// keep its shared_ptr). Spans are byte offsets into the original, un-normalised text. An analysis
// holds no copy of the text.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace nudgebot::engine {

// The three reported categories come first; kindness and dismissal are cues the nudge policy
// uses (a kind reply to encourage, a reply that minimises someone's distress).
enum class category : std::uint8_t { conflict, distress, crisis, kindness, dismissal };
inline constexpr std::size_t category_count = 5;
inline constexpr std::size_t reported_category_count = 3;

constexpr std::string_view to_string(category c) noexcept
{
    constexpr std::array<std::string_view, category_count> names{"conflict", "distress", "crisis",
                                                                  "kindness", "dismissal"};
    return names[static_cast<std::size_t>(c)];
}
std::optional<category> parse_category(std::string_view name) noexcept;

enum class sensitivity : std::uint8_t { low, medium, high };
constexpr std::string_view to_string(sensitivity s) noexcept
{
    return s == sensitivity::low ? "low" : s == sensitivity::medium ? "medium" : "high";
}
std::optional<sensitivity> parse_sensitivity(std::string_view name) noexcept;

struct byte_span {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;   // one past the last byte
};

struct cue {
    std::string_view rule_id;   // e.g. "conflict.you_always"
    category cat = category::conflict;
    std::string_view label;     // plain words, e.g. "'you always' aimed at a person"
    byte_span span;
    float weight = 0;           // contribution to the category score
};

// Message-level features the conversation context and policy use across turns.
struct message_features {
    bool second_person = false;    // addresses someone ("you", "your")
    bool first_person = false;     // talks about self ("I", "me", "my")
    bool shouting = false;         // all-caps words in a mixed-case message
    bool question_burst = false;   // "??", "?!"
    bool exclamation_burst = false;
    bool quoted = false;           // some cue sat inside quotation marks and was ignored
    bool reply = false;            // analysed as an answer to someone else (message_context::reply)
    float intensity = 0;           // 0..1, caps + punctuation + absolutes
};

// What the platform says about a message beyond its words; the router fills it, a text on its own
// (`nudgebot check`, dev data) has none of it. Rules read it as built-in features.
struct message_context {
    bool reply = false;   // @reply: it answers another person's message (a reply, a thread answer)
};

struct analysis {
    std::array<float, category_count> scores{};   // each in [0, 1]
    std::array<bool, category_count> flags{};     // score over the threshold at the sensitivity asked
    std::vector<cue> cues;                        // fired rules and modifiers, in text order
    message_features features;
    std::string_view feeling;   // a feeling word for suggestion slots ("frustrated"), may be empty

    float score(category c) const noexcept { return scores[static_cast<std::size_t>(c)]; }
    bool flagged(category c) const noexcept { return flags[static_cast<std::size_t>(c)]; }
};

}  // namespace nudgebot::engine
