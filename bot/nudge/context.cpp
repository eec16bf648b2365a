#include "nudge/context.hpp"

#include <algorithm>

namespace nudgebot::nudge {

std::uint8_t flag_bits(const engine::analysis& analysis) noexcept
{
    std::uint8_t bits = 0;
    for (std::size_t i = 0; i < engine::category_count; ++i)
        if (analysis.flags[i]) bits |= static_cast<std::uint8_t>(1u << i);
    return bits;
}

conversation_context::conversation_context(context_limits limits) : limits_(limits) {}

void conversation_context::set_limits(const context_limits& limits)
{
    limits_ = limits;
    for (auto& [id, ch] : channels_)
        while (ch.turns.size() > limits_.max_turns) ch.turns.pop_front();
    while (channels_.size() > limits_.max_channels && !lru_.empty()) {
        channels_.erase(lru_.back());
        lru_.pop_back();
    }
}

conversation_context::channel_state& conversation_context::touch(const core::channel_id& channel, time_point now)
{
    auto [it, inserted] = channels_.try_emplace(channel.str());
    if (inserted) {
        lru_.push_front(channel.str());
        it->second.lru = lru_.begin();
        if (channels_.size() > limits_.max_channels) {
            // Drop the least recently active channel (never the one just added: it is at the front).
            channels_.erase(lru_.back());
            lru_.pop_back();
        }
        it = channels_.find(channel.str());
    } else {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
    }
    it->second.last = now;
    return it->second;
}

void conversation_context::trim(channel_state& ch, time_point now) const
{
    while (!ch.turns.empty() && now - ch.turns.front().at > limits_.window) ch.turns.pop_front();
}

const conversation_context::turn* conversation_context::replied_turn(const channel_state& ch,
                                                                     const core::chat_message& message)
{
    if (!message.reply_to) return nullptr;
    for (auto it = ch.turns.rbegin(); it != ch.turns.rend(); ++it)
        if (it->id == *message.reply_to) return &*it;
    return nullptr;
}

bool conversation_context::answers_someone(const core::chat_message& message) const
{
    if (message.reply_to_author) return *message.reply_to_author != message.author;
    auto it = channels_.find(message.channel.str());
    if (it == channels_.end()) return false;
    const turn* replied = replied_turn(it->second, message);
    return replied && replied->author != message.author;
}

observation conversation_context::observe(const core::chat_message& message,
                                          const engine::analysis& analysis, time_point now)
{
    auto& ch = touch(message.channel, now);
    trim(ch, now);
    const auto& author = message.author;
    observation o;

    // Whom is this message aimed at? A reply first, then a mention, then the other side of a
    // two-person exchange.
    const turn* replied = replied_turn(ch, message);
    if (message.reply_to_author && *message.reply_to_author != author) {
        o.target = *message.reply_to_author;
        o.via = target_via::reply;
    } else if (replied && replied->author != author) {
        o.target = replied->author;
        o.via = target_via::reply;
    } else {
        for (const auto& m : message.mentions)
            if (m != author) {
                o.target = m;
                o.via = target_via::mention;
                break;
            }
    }
    if (o.via == target_via::none && !ch.turns.empty()) {
        const core::user_id* other = nullptr;
        bool two_people = true;
        std::size_t looked = 0;
        for (auto it = ch.turns.rbegin(); it != ch.turns.rend() && looked < limits_.pair_lookback; ++it, ++looked) {
            if (it->author == author) continue;
            if (!other) other = &it->author;
            else if (*other != it->author) {
                two_people = false;
                break;
            }
        }
        if (other && two_people) {
            o.target = *other;
            o.via = target_via::pair;
        }
    }

    const std::uint8_t flags = flag_bits(analysis);
    const float intensity = analysis.features.intensity;
    if (!o.target.empty()) {
        const auto& target = o.target;
        constexpr std::uint8_t struggling = bit(engine::category::distress) | bit(engine::category::crisis);
        if (replied && replied->author == target) {
            o.target_distressed = (replied->flags & struggling) != 0;
        } else {
            for (auto it = ch.turns.rbegin(); it != ch.turns.rend(); ++it)
                if (it->author == target) {
                    o.target_distressed = (it->flags & struggling) != 0;
                    break;
                }
        }

        // Conflict between the pair, both ways, inside the window.
        const bool conflict_now = (flags & bit(engine::category::conflict)) != 0;
        std::uint32_t mine = conflict_now ? 1 : 0;
        std::uint32_t theirs = 0;
        const turn* previous_conflict = nullptr;
        for (auto it = ch.turns.rbegin(); it != ch.turns.rend(); ++it) {
            if (!(it->flags & bit(engine::category::conflict))) continue;
            bool a_to_t = it->author == author && it->target == target;
            bool t_to_a = it->author == target && it->target == author;
            if (!a_to_t && !t_to_a) continue;
            if (!previous_conflict) previous_conflict = &*it;
            (a_to_t ? mine : theirs) += 1;
        }
        o.pair_conflict_turns = mine + theirs;

        // Rapid back-and-forth: the newest turns alternate between the two, quickly.
        std::uint32_t alternating = 1;
        const core::user_id* last_author = &author;
        for (auto it = ch.turns.rbegin(); it != ch.turns.rend(); ++it) {
            if (now - it->at > limits_.rapid_window) break;
            if (it->author != author && it->author != target) break;
            if (it->author == *last_author) continue;   // several lines in a row by one person
            ++alternating;
            last_author = &it->author;
        }
        o.rapid = alternating >= 4;

        bool rising = conflict_now && previous_conflict && intensity >= previous_conflict->intensity;
        o.escalation = conflict_now && mine >= 1 && theirs >= 1 &&
                       (o.pair_conflict_turns >= 3 || rising || o.rapid);
    }

    ch.turns.push_back({message.id, author, o.target, o.via, flags, intensity, now});
    if (ch.turns.size() > limits_.max_turns) ch.turns.pop_front();
    return o;
}

std::uint8_t conversation_context::edit(const core::chat_message& message,
                                        const engine::analysis& analysis, time_point now)
{
    auto it = channels_.find(message.channel.str());
    if (it == channels_.end()) return 0;
    trim(it->second, now);
    for (auto& t : it->second.turns)
        if (t.id == message.id) {
            auto flags = flag_bits(analysis);
            auto fresh = static_cast<std::uint8_t>(flags & ~t.flags);
            t.flags = flags;
            t.intensity = analysis.features.intensity;
            return fresh;
        }
    return 0;
}

void conversation_context::erase(const core::channel_id& channel, const core::message_id& id)
{
    auto it = channels_.find(channel.str());
    if (it == channels_.end()) return;
    auto& turns = it->second.turns;
    turns.erase(std::remove_if(turns.begin(), turns.end(), [&](const turn& t) { return t.id == id; }),
                turns.end());
}

void conversation_context::forget_user(const core::user_id& user)
{
    for (auto& [id, ch] : channels_)
        ch.turns.erase(std::remove_if(ch.turns.begin(), ch.turns.end(),
                                      [&](const turn& t) { return t.author == user || t.target == user; }),
                       ch.turns.end());
}

void conversation_context::expire(time_point now)
{
    while (!lru_.empty()) {
        auto it = channels_.find(lru_.back());
        if (it != channels_.end() && now - it->second.last <= limits_.window) break;
        if (it != channels_.end()) channels_.erase(it);
        lru_.pop_back();
    }
}

std::size_t conversation_context::turn_count(const core::channel_id& channel) const
{
    auto it = channels_.find(channel.str());
    return it == channels_.end() ? 0 : it->second.turns.size();
}

}  // namespace nudgebot::nudge
