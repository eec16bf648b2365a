// Strong identifier types shared by every layer.
//
// Contract: ids are opaque text as the platform gives them (Discord snowflakes, Slack "U024BE7LH",
// Mattermost 26-character ids). The tag parameter makes user_id, channel_id, ... distinct types so
// that a channel can never be passed where a user is expected. Values are immutable, cheap to
// compare and hashable; they carry no message text.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace nudgebot::core {

template <class Tag>
class strong_id {
public:
    strong_id() = default;
    explicit strong_id(std::string value) : value_(std::move(value)) {}

    const std::string& str() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

    friend auto operator<=>(const strong_id&, const strong_id&) = default;
    friend bool operator==(const strong_id&, const strong_id&) = default;

private:
    std::string value_;
};

using user_id = strong_id<struct user_tag>;
using channel_id = strong_id<struct channel_tag>;
using server_id = strong_id<struct server_tag>;   // Discord guild, Slack workspace, Mattermost team
using message_id = strong_id<struct message_tag>;

// Which chat platform an id belongs to. Storage keys every row by platform so that ids from
// different platforms never collide.
enum class platform : std::uint8_t { discord, slack, mattermost };

constexpr std::string_view to_string(platform p) noexcept
{
    switch (p) {
    case platform::discord: return "discord";
    case platform::slack: return "slack";
    case platform::mattermost: return "mattermost";
    }
    return "unknown";
}

}  // namespace nudgebot::core

template <class Tag>
struct std::hash<nudgebot::core::strong_id<Tag>> {
    std::size_t operator()(const nudgebot::core::strong_id<Tag>& id) const noexcept
    {
        return std::hash<std::string>{}(id.str());
    }
};
