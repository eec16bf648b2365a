// What the platform-neutral layers ask a platform adapter to do, and how the answer comes back.
//
// Contract: implemented by each adapter (and by recording fakes in tests). Calls never block: the
// adapter queues the request on its own strand and reports the outcome through `done` (which may
// be empty), on the adapter's strand. Text passed here is sent to the recipient and never logged.
#pragma once

#include "core/event.hpp"

#include <functional>
#include <string>
#include <vector>

namespace nudgebot::core {

enum class button_style : std::uint8_t { primary, secondary, danger };

struct button {
    std::string custom_id;   // at most 100 characters; comes back in button_press::custom_id
    std::string label;
    button_style style = button_style::secondary;
};

// A private message from nudgebot to one person.
struct private_message {
    std::string text;            // at most 2000 characters (Discord's limit, the smallest)
    std::vector<button> buttons;
};

enum class delivery_outcome : std::uint8_t {
    delivered,
    undeliverable,   // the person cannot receive it (DMs closed, not in channel): do not retry
    failed,          // transient or unknown failure, already retried by the adapter
};

using delivery_callback = std::function<void(delivery_outcome)>;

class delivery {
public:
    virtual ~delivery() = default;

    // Push nudge to one person about a message in `channel`: a DM on Discord and Mattermost,
    // an ephemeral message in the channel on Slack (with a DM fallback).
    virtual void send_private(const user_id& to, const server_id& server, const channel_id& channel,
                              private_message message, delivery_callback done) = 0;

    // Answer a command or button press so that only the invoker sees it.
    virtual void answer_privately(const reply_handle& reply, private_message message,
                                  delivery_callback done) = 0;

    // Tell the platform the answer will take a while (Discord type-5 defer); the next
    // answer_privately on the same handle edits the deferred reply.
    virtual void defer(const reply_handle& reply) = 0;

    // Post to a moderator channel. Used for escalation alerts: a jump link and cue names only.
    virtual void post_to_channel(const server_id& server, const channel_id& channel,
                                 private_message message, delivery_callback done) = 0;

    // A link that opens the message in the platform's client (no text is included).
    virtual std::string message_link(const server_id& server, const channel_id& channel,
                                     const message_id& message) const = 0;
};

}  // namespace nudgebot::core
