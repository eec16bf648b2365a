#include "sandbox/world.hpp"

#include <ctime>

namespace nudgebot::sandbox {

namespace {

// The first item whose `field` equals `value`, or nullptr.
template <class Item>
const Item* first_with(const std::vector<Item>& items, std::string Item::*field, std::string_view value)
{
    for (const auto& item : items)
        if (item.*field == value) return &item;
    return nullptr;
}

}  // namespace

using json = nlohmann::json;

std::string iso_now()
{
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us));
    return buf;
}

std::size_t utf8_chars(std::string_view s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

world::world(const server_options& o) : options(o)
{
    for (const auto& c : cast) {
        person p{std::string(c.id), std::string(c.name), std::string(c.display), c.moderator, {}, std::string(c.color)};
        p.dm_channel = "12" + p.id.substr(2);
        people.push_back(std::move(p));
    }
    channels = {{"1100000000000000011", "general", "Anything goes, kindly"},
                {"1100000000000000012", "code-review", "Reviews, diffs and opinions"},
                {"1100000000000000013", "random", "Off-topic chatter"}};
}

const person* world::person_by_id(std::string_view id) const { return first_with(people, &person::id, id); }

const person* world::person_by_name(std::string_view name) const { return first_with(people, &person::name, name); }

const person* world::person_by_dm(std::string_view channel_id) const
{
    return first_with(people, &person::dm_channel, channel_id);
}

const channel* world::channel_by_id(std::string_view id) const { return first_with(channels, &channel::id, id); }

const channel* world::channel_by_name(std::string_view name) const { return first_with(channels, &channel::name, name); }

message* world::find_message(std::string_view id, std::string* channel_out)
{
    for (auto& [cid, list] : messages)
        for (auto& m : list)
            if (m.id == id) {
                if (channel_out) *channel_out = cid;
                return &m;
            }
    return nullptr;
}

const message* world::find_message(std::string_view id) const
{
    return const_cast<world*>(this)->find_message(id, nullptr);
}

private_item* world::find_private(const std::string& person_id, std::string_view id)
{
    auto it = private_items.find(person_id);
    if (it == private_items.end()) return nullptr;
    for (auto& item : it->second)
        if (item.id == id) return &item;
    return nullptr;
}

std::optional<std::string> world::registered_id(std::string_view name) const
{
    for (const auto& c : registered_commands)
        if (c.value("name", "") == name) return c.value("id", "");
    return std::nullopt;
}

std::string world::new_id()
{
    // Snowflake-shaped: milliseconds since the Discord epoch << 22, plus a counter.
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count() -
              1420070400000LL;
    return std::to_string((static_cast<std::uint64_t>(ms) << 22) | (++next_id_ & 0x3FFFFF));
}

std::string world::new_token()
{
    static const char* hex = "0123456789abcdef";
    std::string t = "sandbox.";
    for (int i = 0; i < 40; ++i) t += hex[rng_() % 16];
    return t;
}

std::string world::new_session_id()
{
    static const char* hex = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 32; ++i) id += hex[rng_() % 16];
    return id;
}

void world::add_public(message m)
{
    auto& list = messages[m.channel_id];
    list.push_back(std::move(m));
    while (list.size() > options.max_messages_per_channel) list.pop_front();
    changed();
}

void world::add_private(const std::string& person_id, private_item item)
{
    auto& list = private_items[person_id];
    list.push_back(std::move(item));
    while (list.size() > options.max_private_items) list.pop_front();
    changed();
}

void world::remember(interaction in)
{
    auto cutoff = std::chrono::steady_clock::now() - std::chrono::minutes(15);
    std::erase_if(interactions, [&](const auto& e) { return e.second.created < cutoff; });
    std::erase_if(interaction_token_by_id, [&](const auto& e) { return !interactions.count(e.second); });
    interaction_token_by_id[in.id] = in.token;
    interactions[in.token] = std::move(in);
}

json world::explain(const std::string& text) const
{
    if (!options.explain) return json{{"attached", false}};
    try {
        auto e = options.explain(text);
        e["attached"] = true;
        return e;
    } catch (const std::exception&) {
        return json{{"attached", false}};
    }
}

}  // namespace nudgebot::sandbox
