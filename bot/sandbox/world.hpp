// The sandbox's world: the people a visitor can play, the channels of its one guild, the public
// messages, what only one person sees (DMs from the bot, ephemeral answers), the open
// interactions and the bot's registered commands. Plain data with lookups; the Discord shapes
// (discord_shapes.hpp), the REST side (rest.hpp) and the page's API (page_api.hpp) read and change it.
//
// Contract: owned by sandbox::server, used on the server's one thread only. Bounded: at most
// options.max_messages_per_channel messages per channel and options.max_private_items private
// items per person (the oldest go first); interactions expire after Discord's 15 minutes.
// `version` grows on every change the page can see, so the page can ask "anything new?".
// Message text stays in RAM (it is the chat itself) and is never logged.
#pragma once

#include "sandbox/server.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace nudgebot::sandbox {

struct person {
    std::string id;
    std::string name;        // username
    std::string display;     // global_name
    bool moderator = false;
    std::string dm_channel;  // the bot's DM channel with this person
    std::string color;
};

struct channel {
    std::string id;
    std::string name;
    std::string topic;
};

struct message {
    std::string id;
    std::string channel_id;
    std::string author_id;           // a person's id or the bot's
    std::string content;             // RAM only
    std::string timestamp;
    std::optional<std::string> edited;
    std::optional<std::string> reply_to;
    nlohmann::json components = nlohmann::json::array();
    int flags = 0;
    nlohmann::json explanation;      // the sandbox's panel view (human messages only)
    std::string interaction_user;    // set for public answers to a command
    std::string interaction_name;
};

// Something only one person sees: a DM from the bot or an ephemeral interaction answer.
struct private_item {
    std::string id;                  // message id
    std::string kind;                // "dm" | "ephemeral"
    std::string channel_id;          // DM channel or the guild channel the command ran in
    std::string content;
    nlohmann::json components = nlohmann::json::array();
    std::string timestamp;
    bool pending = false;            // deferred: "nudgebot is thinking…"
    std::string about;               // what it answers, e.g. "/nudge on"
};

struct interaction {
    std::string id;
    std::string token;
    std::string user_id;
    std::string channel_id;
    bool in_guild = true;
    std::chrono::steady_clock::time_point created;
    int answered = 0;                // 0: not yet, else the callback type (4, 5, 6 or 7)
    std::string response_id;         // the answer's message id (private item or public message)
    bool response_private = false;
    std::string source_message;      // component interactions: the message holding the button
    bool source_private = false;
    std::string about;
};

// The people of the sandbox, in the order the page lists them (the last one is the moderator).
struct cast_member {
    std::string_view id, name, display;
    bool moderator;
    std::string_view color;
};
inline constexpr cast_member cast[] = {
    {"1100000000000000101", "alice", "Alice", false, "#7b4fd6"},
    {"1100000000000000102", "bob", "Bob", false, "#b35a00"},
    {"1100000000000000103", "carol", "Carol", false, "#087f5b"},
    {"1100000000000000104", "dave", "Dave", false, "#1864ab"},
    {"1100000000000000105", "erin", "Erin (moderator)", true, "#c2255c"},
};

// Current time as Discord writes it: 2026-01-02T03:04:05.123456+00:00.
std::string iso_now();
// Code points in UTF-8 text (Discord's length limits count them).
std::size_t utf8_chars(std::string_view s);

struct world {
    explicit world(const server_options& options);

    const server_options& options;
    std::vector<person> people;
    std::vector<channel> channels;
    std::map<std::string, std::deque<message>> messages;           // by channel id
    std::map<std::string, std::deque<private_item>> private_items; // by person id
    std::map<std::string, interaction> interactions;               // by token
    std::map<std::string, std::string> interaction_token_by_id;
    nlohmann::json registered_commands = nlohmann::json::array();
    std::uint64_t version = 1;
    std::uint64_t bad_requests = 0;                                // from the page or the bot

    const person* person_by_id(std::string_view id) const;
    const person* person_by_name(std::string_view name) const;
    const person* person_by_dm(std::string_view channel_id) const;
    const channel* channel_by_id(std::string_view id) const;
    const channel* channel_by_name(std::string_view name) const;
    message* find_message(std::string_view id, std::string* channel_out = nullptr);
    const message* find_message(std::string_view id) const;
    private_item* find_private(const std::string& person_id, std::string_view id);
    std::optional<std::string> registered_id(std::string_view name) const;

    std::string new_id();      // snowflake-shaped
    std::string new_token();   // an interaction token
    std::string new_session_id();
    void changed() { ++version; }

    void add_public(message m);
    void add_private(const std::string& person_id, private_item item);
    void remember(interaction in);   // and forgets the ones past Discord's 15-minute lifetime
    nlohmann::json explain(const std::string& text) const;   // the side panel's view of a message

private:
    std::uint64_t next_id_ = 0;
    std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace nudgebot::sandbox
