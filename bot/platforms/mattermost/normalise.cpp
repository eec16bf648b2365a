#include "platforms/mattermost/normalise.hpp"

#include "net/url.hpp"
#include "platforms/event_heads.hpp"
#include "platforms/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace nudgebot::mattermost {

namespace {

using json = nlohmann::json;

using platforms::field;
using platforms::text_of;

std::int64_t int_of(const json& j, std::string_view key)
{
    const json* f = field(j, key);
    return f && f->is_number_integer() ? f->get<std::int64_t>() : 0;
}

bool is_id(std::string_view s)
{
    if (s.size() != 26) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace

normalised normalise_event(const json& frame, std::string_view bot_user)
{
    normalised out;
    auto type = text_of(frame, "event");
    if (type != "posted" && type != "post_edited" && type != "post_deleted") {
        out.skipped = type.empty() ? skip_reason::malformed : skip_reason::unhandled_type;
        return out;
    }
    const json* data = field(frame, "data");
    const json* inner = data ? field(*data, "post") : nullptr;
    if (!inner || !inner->is_string()) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    auto post = json::parse(inner->get_ref<const std::string&>(), nullptr, false);
    if (!post.is_object()) {
        out.skipped = skip_reason::inner_json;
        return out;
    }
    auto id = text_of(post, "id");
    auto channel = text_of(post, "channel_id");
    auto user = text_of(post, "user_id");
    const json* message = field(post, "message");
    if (id.empty() || channel.empty() || user.empty() || (message && !message->is_string())) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    auto team = text_of(*data, "team_id");
    auto channel_type = text_of(*data, "channel_type");
    if (channel_type == "D" || channel_type == "G") team.clear();
    if (type == "post_deleted") {
        out.event = core::message_deleted{core::platform::mattermost, core::server_id(team), core::channel_id(channel),
                                          core::message_id(id)};
        out.dedupe_key = "del:" + id;
        return out;
    }
    if (!text_of(post, "type").empty()) {
        out.skipped = skip_reason::system;   // joins, header changes, …
        return out;
    }
    const json* props = field(post, "props");
    if (props && (text_of(*props, "from_bot") == "true" || text_of(*props, "from_webhook") == "true")) {
        out.skipped = skip_reason::from_bot;
        return out;
    }
    if (!bot_user.empty() && user == bot_user) {
        out.skipped = skip_reason::from_self;
        return out;
    }
    auto m = platforms::message_head(core::platform::mattermost, team, channel, id, user);
    m.author_name = text_of(*data, "sender_name");
    if (!m.author_name.empty() && m.author_name.front() == '@') m.author_name.erase(0, 1);
    m.text = message ? message->get<std::string>() : std::string{};
    if (auto root = text_of(post, "root_id"); !root.empty()) m.reply_to = core::message_id(root);
    if (const json* mentions = field(*data, "mentions"); mentions && mentions->is_string()) {
        auto list = json::parse(mentions->get_ref<const std::string&>(), nullptr, false);
        if (list.is_array())
            for (const auto& u : list)
                if (u.is_string() && is_id(u.get_ref<const std::string&>()) && m.mentions.size() < 50)
                    m.mentions.emplace_back(u.get<std::string>());
    }
    auto created = int_of(post, "create_at");
    // Up to 2200: further would overflow wall_time's nanoseconds (found by fuzzing).
    if (created > 0 && created <= 7258118400000) m.sent_at = core::wall_time{} + std::chrono::milliseconds(created);
    if (type == "post_edited") {
        out.dedupe_key = "edit:" + id + ":" + std::to_string(int_of(post, "edit_at"));
        out.event = core::message_edited{std::move(m)};
    } else {
        out.dedupe_key = "post:" + id;
        out.event = core::message_created{std::move(m)};
    }
    return out;
}

std::map<std::string, std::string> parse_form(std::string_view body)
{
    return net::parse_form(body);   // Mattermost sends about a dozen fields
}

std::optional<std::string> channel_ref(std::string_view typed)
{
    if (typed.size() > 1 && typed.front() == '~' && typed.size() <= 65) {
        for (char c : typed.substr(1))
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return std::nullopt;
        return std::string(typed);
    }
    if (is_id(typed)) return std::string(typed);
    return std::nullopt;
}

}  // namespace nudgebot::mattermost
