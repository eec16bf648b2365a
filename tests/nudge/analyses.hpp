// Hand-built analyses for nudge and command tests (until and besides the real engine).
#pragma once

#include "core/event.hpp"
#include "engine/analysis.hpp"

#include <string>

namespace nudgebot::testing {

inline engine::analysis quiet() { return {}; }

inline engine::analysis flagged(engine::category c, std::string_view rule, std::string_view label,
                                float intensity = 0.5f)
{
    engine::analysis a;
    a.scores[static_cast<std::size_t>(c)] = 0.9f;
    a.flags[static_cast<std::size_t>(c)] = true;
    a.cues.push_back({rule, c, label, {0, 4}, 2.0f});
    a.features.intensity = intensity;
    return a;
}

// "you ALWAYS break the build, are you even trying??"-like: blame + caps + '??'.
inline engine::analysis hostile(float intensity = 0.7f)
{
    auto a = flagged(engine::category::conflict, "conflict.you_always", "'you always' aimed at a person", intensity);
    a.features.shouting = true;
    a.features.question_burst = true;
    a.features.second_person = true;
    return a;
}

// A stand-in analyzer for the calmer draft: any text containing `word` fires `rule` (a conflict
// rule no pack has; string literals, as the cues point into them), so the cut is known exactly:
// the clause holding the word.
inline auto one_word_rule(const char* word, const char* rule, const char* label)
{
    return [=](std::string_view t, engine::analysis& out) {
        out = {};
        const std::string_view w = word;
        auto at = t.find(w);
        if (at == std::string_view::npos) return;
        out.cues.push_back({rule, engine::category::conflict, label,
                            {static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + w.size())}, 0.9f});
        out.scores[0] = 0.9f;
        out.flags[0] = true;
    };
}

// "numpty" as a put-down.
inline const auto numpty_put_down = one_word_rule("numpty", "conflict.future_put_down", "a belittling name for someone");

inline core::chat_message message(std::string id, std::string author, std::string channel = "c1",
                                  std::string server = "g1")
{
    core::chat_message m;
    m.server = core::server_id{std::move(server)};
    m.channel = core::channel_id{std::move(channel)};
    m.id = core::message_id{std::move(id)};
    m.author = core::user_id{std::move(author)};
    m.text = "(text)";
    return m;
}

inline core::chat_message reply(std::string id, std::string author, const core::chat_message& to)
{
    auto m = message(std::move(id), std::move(author), to.channel.str(), to.server.str());
    m.reply_to = to.id;
    m.reply_to_author = to.author;
    return m;
}

}  // namespace nudgebot::testing
