#include "platforms/slack/normalise.hpp"

#include "core/command_spec.hpp"
#include "core/command_text.hpp"
#include "platforms/event_heads.hpp"
#include "platforms/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>

namespace nudgebot::slack {

namespace {

using json = nlohmann::json;

using platforms::field;
using platforms::text_of;

std::string nested_text(const json& j, std::string_view outer, std::string_view key)
{
    const json* o = field(j, outer);
    return o ? text_of(*o, key) : std::string{};
}

bool plausible_id(std::string_view id)
{
    if (id.empty() || id.size() > 32) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    return true;
}

std::vector<core::user_id> mentions_in(std::string_view text)
{
    std::vector<core::user_id> out;
    for (std::size_t at = text.find("<@"); at != std::string_view::npos; at = text.find("<@", at + 2)) {
        auto end = text.find_first_of(">|", at + 2);
        if (end == std::string_view::npos) break;
        auto id = text.substr(at + 2, end - at - 2);
        if (plausible_id(id) && out.size() < 50) out.emplace_back(std::string(id));
    }
    return out;
}

bool is_im(const json& event) { auto t = text_of(event, "channel_type"); return t == "im" || t == "mpim"; }

// One message object (the event itself, or event.message for edits) → chat_message.
std::optional<core::chat_message> chat_message_of(const json& m, const std::string& team, const std::string& channel,
                                                  bool im)
{
    auto ts = text_of(m, "ts");
    auto user = text_of(m, "user");
    if (ts.empty() || user.empty() || channel.empty()) return std::nullopt;
    const json* text = field(m, "text");
    if (text && !text->is_string()) return std::nullopt;
    auto out = platforms::message_head(core::platform::slack, im ? std::string{} : team, channel, ts, user);
    out.text = text ? text->get<std::string>() : std::string{};
    auto thread = text_of(m, "thread_ts");
    if (!thread.empty() && thread != ts) {
        out.reply_to = core::message_id(thread);
        if (auto parent = text_of(m, "parent_user_id"); !parent.empty()) out.reply_to_author = core::user_id(parent);
    }
    out.mentions = mentions_in(out.text);
    if (auto when = parse_ts(ts)) out.sent_at = *when;
    return out;
}

bool from_bot(const json& m) { return field(m, "bot_id") != nullptr && !field(m, "bot_id")->is_null(); }

normalised message_event(const json& payload, const json& event, std::string_view bot_user)
{
    normalised out;
    auto team = text_of(payload, "team_id");
    if (team.empty()) team = text_of(event, "team");
    auto channel = text_of(event, "channel");
    auto subtype = text_of(event, "subtype");
    bool im = is_im(event);
    if (subtype == "message_deleted") {
        auto deleted = text_of(event, "deleted_ts");
        if (deleted.empty() || channel.empty()) {
            out.skipped = skip_reason::malformed;
            return out;
        }
        out.event = core::message_deleted{core::platform::slack, core::server_id(im ? "" : team),
                                          core::channel_id(channel), core::message_id(deleted)};
        out.dedupe_keys.push_back("del:" + channel + ":" + deleted);
        return out;
    }
    const json* m = &event;
    if (subtype == "message_changed") {
        m = field(event, "message");
        if (!m || !m->is_object()) {
            out.skipped = skip_reason::malformed;
            return out;
        }
    } else if (subtype == "bot_message") {
        out.skipped = skip_reason::from_bot;
        return out;
    } else if (!subtype.empty() && subtype != "thread_broadcast" && subtype != "file_share" && subtype != "me_message") {
        out.skipped = skip_reason::unhandled_type;   // joins, topic changes, …: no text of a person
        return out;
    }
    if (from_bot(*m) || text_of(*m, "subtype") == "bot_message") {
        out.skipped = skip_reason::from_bot;
        return out;
    }
    if (!bot_user.empty() && text_of(*m, "user") == bot_user) {
        out.skipped = skip_reason::from_self;
        return out;
    }
    auto msg = chat_message_of(*m, team, channel, im);
    if (!msg) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    if (subtype == "message_changed") {
        // An edit that leaves the text unchanged (link unfurls) is not worth a second look.
        const json* previous = field(event, "previous_message");
        if (previous && text_of(*previous, "text") == msg->text) {
            out.skipped = skip_reason::unhandled_type;
            return out;
        }
        out.dedupe_keys.push_back("edit:" + channel + ":" + msg->id.str() + ":" + text_of(event, "event_ts"));
        out.event = core::message_edited{std::move(*msg)};
    } else {
        out.dedupe_keys.push_back("msg:" + channel + ":" + msg->id.str());
        out.event = core::message_created{std::move(*msg)};
    }
    return out;
}

normalised slash_command(const json& p, std::chrono::steady_clock::time_point received)
{
    normalised out;
    auto name = text_of(p, "command");
    if (!name.empty() && name.front() == '/') name.erase(0, 1);
    const json* text = field(p, "text");
    auto user = text_of(p, "user_id");
    auto channel = text_of(p, "channel_id");
    auto response_url = text_of(p, "response_url");
    if (user.empty() || channel.empty() || (text && !text->is_string())) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    const auto* spec = core::find_command(name);
    if (!spec || spec->kind != core::command_kind::slash) {
        out.ack_text = "nudgebot does not know that command. Try /nudge help.";
        out.skipped = skip_reason::unhandled_type;
        return out;
    }
    auto parsed = core::parse_command_text(*spec, text ? text->get_ref<const std::string&>() : std::string_view{},
                                           channel_ref);
    if (!parsed.ok) {
        out.ack_text = parsed.error;
        return out;
    }
    auto inv = platforms::invocation_head(core::platform::slack, text_of(p, "team_id"), channel, user,
                                          text_of(p, "user_name"));
    inv.name = spec->name;
    inv.path = std::move(parsed.path);
    inv.options = std::move(parsed.options);
    inv.reply = core::reply_handle{core::platform::slack, text_of(p, "trigger_id"), response_url, received};
    if (inv.reply.id.empty()) inv.reply.id = response_url;
    out.needs_moderator_check = spec->moderator_only;
    out.event = std::move(inv);
    return out;
}

normalised interactive(const json& p, std::string_view bot_user, std::chrono::steady_clock::time_point received)
{
    normalised out;
    auto type = text_of(p, "type");
    auto user = nested_text(p, "user", "id");
    auto team = nested_text(p, "team", "id");
    if (team.empty()) team = nested_text(p, "user", "team_id");
    auto channel = nested_text(p, "channel", "id");
    auto response_url = text_of(p, "response_url");
    auto trigger = text_of(p, "trigger_id");
    if (user.empty()) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    core::reply_handle reply{core::platform::slack, trigger.empty() ? response_url : trigger, response_url, received};
    if (type == "block_actions") {
        const json* actions = field(p, "actions");
        if (!actions || !actions->is_array() || actions->empty() || !(*actions)[0].is_object()) {
            out.skipped = skip_reason::malformed;
            return out;
        }
        auto id = text_of((*actions)[0], "action_id");
        if (id.empty() || id.size() > 255) {
            out.skipped = skip_reason::malformed;
            return out;
        }
        if (reply.id.empty()) reply.id = text_of((*actions)[0], "action_ts");
        out.event = core::button_press{core::platform::slack, core::server_id(team), core::channel_id(channel),
                                       core::user_id(user), id, reply};
        return out;
    }
    if (type == "message_action") {
        if (text_of(p, "callback_id") != "suggest_reply") {
            out.skipped = skip_reason::unhandled_type;
            return out;
        }
        const json* m = field(p, "message");
        if (!m || !m->is_object() || channel.empty()) {
            out.skipped = skip_reason::malformed;
            return out;
        }
        auto inv = platforms::invocation_head(core::platform::slack, team, channel, user, nested_text(p, "user", "name"));
        inv.name = "suggest-reply";
        inv.reply = reply;
        auto target = chat_message_of(*m, team, channel, false);
        if (!target) {
            // Bot messages have no "user"; the shortcut still works on their text.
            core::chat_message t;
            t.where = core::platform::slack;
            t.server = core::server_id(team);
            t.channel = core::channel_id(channel);
            t.id = core::message_id(text_of(*m, "ts"));
            t.author = core::user_id(text_of(*m, "bot_id"));
            t.author_is_bot = true;
            t.text = text_of(*m, "text");
            target = std::move(t);
        }
        inv.target = std::move(*target);
        out.event = std::move(inv);
        return out;
    }
    out.skipped = skip_reason::unhandled_type;   // view submissions, global shortcuts, …
    return out;
}

}  // namespace

frame read_frame(const json& parsed)
{
    frame f;
    if (!parsed.is_object()) return f;
    f.type = text_of(parsed, "type");
    if (f.type.empty()) return f;
    f.valid = true;
    f.envelope_id = text_of(parsed, "envelope_id");
    if (const json* a = field(parsed, "accepts_response_payload"); a && a->is_boolean()) f.accepts_response_payload = a->get<bool>();
    if (const json* r = field(parsed, "retry_attempt"); r && r->is_number_integer()) f.retry_attempt = r->get<int>();
    f.disconnect_reason = text_of(parsed, "reason");
    return f;
}

normalised normalise_envelope(const frame& f, const json& parsed, std::string_view bot_user,
                              std::chrono::steady_clock::time_point received)
{
    normalised out;
    const json* payload = field(parsed, "payload");
    if (!payload || !payload->is_object()) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    if (f.type == "slash_commands") return slash_command(*payload, received);
    if (f.type == "interactive") return interactive(*payload, bot_user, received);
    if (f.type != "events_api") {
        out.skipped = skip_reason::unhandled_type;
        return out;
    }
    const json* event = field(*payload, "event");
    if (!event || !event->is_object()) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    auto type = text_of(*event, "type");
    if (type != "message") {
        out.skipped = skip_reason::unhandled_type;
    } else {
        out = message_event(*payload, *event, bot_user);
    }
    if (auto id = text_of(*payload, "event_id"); !id.empty()) out.dedupe_keys.insert(out.dedupe_keys.begin(), "ev:" + id);
    return out;
}

std::optional<std::string> channel_ref(std::string_view typed)
{
    if (typed.size() > 2 && typed.substr(0, 2) == "<#" && typed.back() == '>') {
        typed = typed.substr(2, typed.size() - 3);
        if (auto bar = typed.find('|'); bar != std::string_view::npos) typed = typed.substr(0, bar);
    } else if (!typed.empty() && typed.front() == '#') {
        typed.remove_prefix(1);
    }
    if (!plausible_id(typed)) return std::nullopt;
    // Slack channel ids start with C (public), G (private) or D (DM) and are upper case.
    if (typed.front() != 'C' && typed.front() != 'G') return std::nullopt;
    for (char c : typed)
        if (std::islower(static_cast<unsigned char>(c))) return std::nullopt;
    return std::string(typed);
}

std::optional<core::wall_time> parse_ts(std::string_view ts) noexcept
{
    std::int64_t seconds = 0;
    auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), seconds);
    // wall_time counts nanoseconds: beyond 2200 it would overflow (found by fuzzing).
    if (ec != std::errc{} || seconds < 0 || seconds > 7258118400) return std::nullopt;
    std::int64_t micros = 0;
    if (p != ts.data() + ts.size()) {
        if (*p != '.') return std::nullopt;
        std::string_view frac(p + 1, static_cast<std::size_t>(ts.data() + ts.size() - p - 1));
        if (frac.size() > 6) frac = frac.substr(0, 6);
        for (char c : frac) {
            if (c < '0' || c > '9') return std::nullopt;
            micros = micros * 10 + (c - '0');
        }
        for (std::size_t i = frac.size(); i < 6; ++i) micros *= 10;
    }
    return core::wall_time{} + std::chrono::seconds(seconds) + std::chrono::microseconds(micros);
}

std::string to_mrkdwn(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '*' && i + 1 < text.size() && text[i + 1] == '*') {
            out += '*';
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace nudgebot::slack
