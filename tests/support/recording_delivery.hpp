// A fake core::delivery that records everything nudgebot asks a platform to do.
//
// Contract: header-only test support (owned by the nudge/commands helper). Not thread-safe: use
// it on the test's thread. Completions run immediately, inside the call, with the outcome set for
// the recipient (delivered unless the user was put in `closed_dms`).
#pragma once

#include "core/delivery.hpp"

#include <set>
#include <string>
#include <vector>

namespace nudgebot::testing {

class recording_delivery final : public core::delivery {
public:
    struct sent {
        core::user_id to;
        core::server_id server;
        core::channel_id channel;
        core::private_message message;
    };
    struct answer {
        core::reply_handle reply;
        core::private_message message;
    };
    struct post {
        core::server_id server;
        core::channel_id channel;
        core::private_message message;
    };

    std::vector<sent> dms;
    std::vector<answer> answers;
    std::vector<std::string> deferred;   // reply handle ids
    std::vector<post> posts;
    std::set<std::string> closed_dms;    // user ids whose DMs are closed

    void send_private(const core::user_id& to, const core::server_id& server, const core::channel_id& channel,
                      core::private_message message, core::delivery_callback done) override
    {
        bool closed = closed_dms.count(to.str()) > 0;
        if (!closed) dms.push_back({to, server, channel, std::move(message)});
        if (done) done(closed ? core::delivery_outcome::undeliverable : core::delivery_outcome::delivered);
    }
    void answer_privately(const core::reply_handle& reply, core::private_message message,
                          core::delivery_callback done) override
    {
        answers.push_back({reply, std::move(message)});
        if (done) done(core::delivery_outcome::delivered);
    }
    void defer(const core::reply_handle& reply) override { deferred.push_back(reply.id); }
    void post_to_channel(const core::server_id& server, const core::channel_id& channel,
                         core::private_message message, core::delivery_callback done) override
    {
        posts.push_back({server, channel, std::move(message)});
        if (done) done(core::delivery_outcome::delivered);
    }
    std::string message_link(const core::server_id& server, const core::channel_id& channel,
                             const core::message_id& message) const override
    {
        return "https://chat.example/" + server.str() + "/" + channel.str() + "/" + message.str();
    }

    // DMs received by one user.
    std::vector<const sent*> dms_to(const std::string& user) const
    {
        std::vector<const sent*> out;
        for (const auto& d : dms)
            if (d.to.str() == user) out.push_back(&d);
        return out;
    }
    // The answer given to a reply handle id, or nullptr.
    const answer* answer_to(const std::string& handle) const
    {
        for (auto it = answers.rbegin(); it != answers.rend(); ++it)
            if (it->reply.id == handle) return &*it;
        return nullptr;
    }
};

}  // namespace nudgebot::testing
