// The first fields of the events every platform's normaliser builds: where a message was written
// and by whom, where a command was invoked and by whom. The rest (text, replies, options, the
// reply handle) is the platform's own.
//
// Contract: header only, no I/O, never throws beyond allocation. Ids are taken as given; an empty
// server means a direct message. Used only inside bot/platforms/.
#pragma once

#include "core/event.hpp"

#include <string>
#include <utility>

namespace nudgebot::platforms {

// An event of type Event (core::chat_message or core::command_invocation) placed where it happened
// and attributed to who made it (the message's author, the command's invoker).
template <class Event>
Event event_head(core::platform where, std::string server, std::string channel, std::string who)
{
    Event e;
    e.where = where;
    e.server = core::server_id(std::move(server));
    e.channel = core::channel_id(std::move(channel));
    if constexpr (requires { e.author; })
        e.author = core::user_id(std::move(who));
    else
        e.invoker = core::user_id(std::move(who));
    return e;
}

inline core::chat_message message_head(core::platform where, std::string server, std::string channel,
                                       std::string id, std::string author)
{
    auto m = event_head<core::chat_message>(where, std::move(server), std::move(channel), std::move(author));
    m.id = core::message_id(std::move(id));
    return m;
}

inline core::command_invocation invocation_head(core::platform where, std::string server, std::string channel,
                                                std::string invoker, std::string invoker_name)
{
    auto inv = event_head<core::command_invocation>(where, std::move(server), std::move(channel), std::move(invoker));
    inv.invoker_name = std::move(invoker_name);
    return inv;
}

}  // namespace nudgebot::platforms
