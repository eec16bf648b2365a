#include "platforms/discord/normalise.hpp"

#include "core/command_spec.hpp"
#include "platforms/discord/protocol.hpp"
#include "platforms/event_heads.hpp"
#include "platforms/json_fields.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>

namespace nudgebot::discord {

namespace {

using json = nlohmann::json;

using platforms::field;
using platforms::text_of;

bool flag_of(const json& j, std::string_view key)
{
    const json* f = field(j, key);
    return f && f->is_boolean() && f->get<bool>();
}

// Option values as text: strings as is, numbers in decimal, booleans as true/false.
std::string value_text(const json& v)
{
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
    if (v.is_number()) return v.dump();
    return {};
}

std::string display_name(const json& user, const json* member)
{
    if (member) {
        auto nick = text_of(*member, "nick");
        if (!nick.empty()) return nick;
    }
    auto global = text_of(user, "global_name");
    return global.empty() ? text_of(user, "username") : global;
}

normalised message(const json& d, const identity& self, bool edit)
{
    normalised out;
    const json* author = field(d, "author");
    auto id = text_of(d, "id");
    auto channel = text_of(d, "channel_id");
    if (!author || !author->is_object() || id.empty() || channel.empty()) {
        // MESSAGE_UPDATE may be partial (an embed resolved, no author): nothing to analyse.
        out.skipped = edit ? skip_reason::partial : skip_reason::malformed;
        return out;
    }
    const json* content = field(d, "content");
    if (edit && (!content || !content->is_string())) {
        out.skipped = skip_reason::partial;
        return out;
    }
    auto m = platforms::message_head(core::platform::discord, text_of(d, "guild_id"), channel, id, text_of(*author, "id"));
    m.author_is_bot = flag_of(*author, "bot") || flag_of(*author, "system") || field(d, "webhook_id");
    if (m.author.str() == self.bot_user_id && !self.bot_user_id.empty()) {
        out.skipped = skip_reason::from_self;
        return out;
    }
    if (m.author_is_bot) {
        out.skipped = skip_reason::from_bot;
        return out;
    }
    m.author_name = display_name(*author, field(d, "member"));
    if (content && content->is_string()) m.text = content->get<std::string>();
    if (const json* ref = field(d, "message_reference")) {
        auto ref_id = text_of(*ref, "message_id");
        if (!ref_id.empty()) m.reply_to = core::message_id(ref_id);
    }
    if (const json* referenced = field(d, "referenced_message")) {
        if (const json* ra = field(*referenced, "author")) {
            auto ra_id = text_of(*ra, "id");
            if (!ra_id.empty()) m.reply_to_author = core::user_id(ra_id);
        }
        if (!m.reply_to) {
            auto rid = text_of(*referenced, "id");
            if (!rid.empty()) m.reply_to = core::message_id(rid);
        }
    }
    if (const json* mentions = field(d, "mentions"); mentions && mentions->is_array()) {
        for (const auto& u : *mentions) {
            auto uid = text_of(u, "id");
            if (!uid.empty() && m.mentions.size() < 50) m.mentions.emplace_back(uid);
        }
    }
    auto stamp = text_of(d, edit ? "edited_timestamp" : "timestamp");
    if (auto t = parse_timestamp(stamp)) m.sent_at = *t;
    out.guild_message_without_content = !m.server.empty() && m.text.empty() && !edit;
    if (edit) out.event = core::message_edited{std::move(m)};
    else out.event = core::message_created{std::move(m)};
    return out;
}

// Walks subcommand groups / subcommands into `path`, leaf options into `options`.
void collect_options(const json& options, std::vector<std::string>& path,
                     std::map<std::string, std::string>& values, int depth)
{
    if (!options.is_array() || depth > 3) return;
    for (const auto& o : options) {
        const json* type = field(o, "type");
        auto name = text_of(o, "name");
        if (!type || !type->is_number_integer() || name.empty()) continue;
        int t = type->get<int>();
        if (t == protocol::option_type::sub_command || t == protocol::option_type::sub_command_group) {
            path.push_back(name);
            if (const json* inner = field(o, "options")) collect_options(*inner, path, values, depth + 1);
        } else if (const json* v = field(o, "value")) {
            if (values.size() < 25) values[name] = value_text(*v);
        }
    }
}

normalised interaction(const json& d, const identity& self, std::chrono::steady_clock::time_point received)
{
    normalised out;
    const json* type = field(d, "type");
    const json* data = field(d, "data");
    auto id = text_of(d, "id");
    auto token = text_of(d, "token");
    if (!type || !type->is_number_integer() || !data || !data->is_object() || id.empty() || token.empty()) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    const json* member = field(d, "member");
    const json* user = member ? field(*member, "user") : field(d, "user");
    if (!user || !user->is_object()) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    core::reply_handle reply{core::platform::discord, id, token, received};
    core::server_id server(text_of(d, "guild_id"));
    core::channel_id channel(text_of(d, "channel_id"));
    core::user_id invoker(text_of(*user, "id"));
    if (flag_of(*user, "bot")) {
        out.skipped = skip_reason::from_bot;
        return out;
    }

    int kind = type->get<int>();
    if (kind == protocol::interaction_type::message_component) {   // a button press
        core::button_press p{core::platform::discord, server, channel, invoker, text_of(*data, "custom_id"), reply};
        if (p.custom_id.empty()) {
            out.skipped = skip_reason::malformed;
            return out;
        }
        out.event = std::move(p);
        return out;
    }
    if (kind != protocol::interaction_type::application_command) {   // autocomplete, modal, ping: none registered
        out.skipped = skip_reason::unhandled_type;
        return out;
    }

    core::command_invocation c;
    c.where = core::platform::discord;
    c.server = server;
    c.channel = channel;
    c.invoker = invoker;
    c.invoker_name = display_name(*user, member);
    c.invoker_is_moderator = member && is_moderator(text_of(*member, "permissions"));
    c.reply = reply;
    c.name = text_of(*data, "name");
    const json* command_type = field(*data, "type");
    const int ctype = command_type && command_type->is_number_integer() ? command_type->get<int>()
                                                                        : protocol::command_type::chat_input;
    if (ctype == protocol::command_type::message) {
        // Message command: Discord sends the menu label; map it back to the command's name.
        for (const auto& spec : core::nudgebot_commands())
            if (spec.kind == core::command_kind::message && (spec.display_name == c.name || spec.name == c.name))
                c.name = spec.name;
        auto target_id = text_of(*data, "target_id");
        const json* resolved = field(*data, "resolved");
        const json* messages = resolved ? field(*resolved, "messages") : nullptr;
        const json* target = messages ? field(*messages, target_id) : nullptr;
        if (target) {
            identity none;   // the target may be any message, including a bot's: keep it
            auto t = message(*target, none, false);
            if (!t.event) {
                // a bot-authored target: keep the text, mark the author
                core::chat_message m;
                m.where = core::platform::discord;
                m.server = server;
                m.channel = core::channel_id(text_of(*target, "channel_id"));
                m.id = core::message_id(target_id);
                if (const json* a = field(*target, "author")) m.author = core::user_id(text_of(*a, "id"));
                m.author_is_bot = true;
                m.text = text_of(*target, "content");
                c.target = std::move(m);
            } else {
                c.target = std::get<core::message_created>(std::move(*t.event)).message;
                if (c.target->server.empty()) c.target->server = server;
            }
        }
    } else if (const json* options = field(*data, "options")) {
        collect_options(*options, c.path, c.options, 0);
    }
    if (c.name.empty()) {
        out.skipped = skip_reason::malformed;
        return out;
    }
    out.event = std::move(c);
    return out;
}

}  // namespace

bool is_moderator(std::string_view permissions) noexcept
{
    std::uint64_t bits = 0;
    auto [p, ec] = std::from_chars(permissions.data(), permissions.data() + permissions.size(), bits);
    if (ec != std::errc{} || p != permissions.data() + permissions.size()) return false;
    return (bits & (protocol::permission::manage_guild | protocol::permission::administrator)) != 0;
}

std::optional<core::wall_time> parse_timestamp(std::string_view text) noexcept
{
    if (text.size() < 19) return std::nullopt;
    int y, mo, d, h, mi, s;
    std::string head(text.substr(0, 19));
    if (std::sscanf(head.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    // wall_time counts nanoseconds: years far from now would overflow it (found by fuzzing).
    if (y < 1970 || y > 2200 || h < 0 || mi < 0 || s < 0) return std::nullopt;
    using namespace std::chrono;
    auto ymd = year_month_day{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
    std::size_t i = 19;
    microseconds frac{0};
    if (i < text.size() && text[i] == '.') {
        int digits = 0;
        std::int64_t v = 0;
        for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
            if (digits < 6) v = v * 10 + (text[i] - '0'), ++digits;
        while (digits++ < 6) v *= 10;
        frac = microseconds{v};
    }
    // Discord always sends +00:00; other offsets are applied for completeness.
    if (i + 6 <= text.size() && (text[i] == '+' || text[i] == '-')) {
        int oh = (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
        int om = (text[i + 4] - '0') * 10 + (text[i + 5] - '0');
        auto off = hours{oh} + minutes{om};
        tp = text[i] == '+' ? tp - off : tp + off;
    }
    return time_point_cast<system_clock::duration>(tp + frac);
}

normalised normalise_dispatch(std::string_view type, const nlohmann::json& d, const identity& self,
                              std::chrono::steady_clock::time_point received)
{
    try {
        if (type == "MESSAGE_CREATE") return message(d, self, false);
        if (type == "MESSAGE_UPDATE") return message(d, self, true);
        if (type == "MESSAGE_DELETE") {
            normalised out;
            auto id = text_of(d, "id");
            auto channel = text_of(d, "channel_id");
            if (id.empty() || channel.empty()) {
                out.skipped = skip_reason::malformed;
                return out;
            }
            out.event = core::message_deleted{core::platform::discord, core::server_id(text_of(d, "guild_id")),
                                              core::channel_id(channel), core::message_id(id)};
            return out;
        }
        if (type == "INTERACTION_CREATE") return interaction(d, self, received);
        if (type == "GUILD_CREATE") {
            normalised out;
            auto id = text_of(d, "id");
            if (id.empty() || flag_of(d, "unavailable")) {
                out.skipped = id.empty() ? skip_reason::malformed : skip_reason::partial;
                return out;
            }
            core::server_available s{core::platform::discord, core::server_id(id), {}, text_of(d, "preferred_locale")};
            for (const char* key : {"channels", "threads"}) {
                if (const json* list = field(d, key); list && list->is_array())
                    for (const auto& ch : *list) {
                        auto cid = text_of(ch, "id");
                        if (!cid.empty()) s.channels.emplace_back(cid);
                    }
            }
            out.event = std::move(s);
            return out;
        }
    } catch (const std::exception&) {
        // Defensive: the accessors above do not throw, but a payload must never end the process.
        normalised out;
        out.skipped = skip_reason::malformed;
        return out;
    }
    normalised out;
    out.skipped = skip_reason::unhandled_type;
    return out;
}

}  // namespace nudgebot::discord
