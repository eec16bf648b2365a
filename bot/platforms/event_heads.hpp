// The first fields of the events every platform's normaliser builds: where a message was written
// and by whom, where a command was invoked and by whom. The rest (text, replies, options, the
// reply handle) is the platform's own.
//
// Contract: header only, no I/O, never throws beyond allocation. Ids are taken as given; an empty
// server means a direct message. Used only inside bot/platforms/.
#pragma once

#include "core/event.hpp"

#include <string>

namespace nudgebot::platforms {

inline core::chat_message message_head(core::platform where, std::string server, std::string channel,
                                       std::string id, std::string author)
{
    return {.where = where, .server = core::server_id(std::move(server)), .channel = core::channel_id(std::move(channel)),
            .id = core::message_id(std::move(id)), .author = core::user_id(std::move(author))};
}

inline core::command_invocation invocation_head(core::platform where, std::string server, std::string channel,
                                                std::string invoker, std::string invoker_name)
{
    core::command_invocation inv{.where = where, .server = core::server_id(std::move(server))};
    inv.channel = core::channel_id(std::move(channel));
    inv.invoker = core::user_id(std::move(invoker));
    inv.invoker_name = std::move(invoker_name);
    return inv;
}

}  // namespace nudgebot::platforms
