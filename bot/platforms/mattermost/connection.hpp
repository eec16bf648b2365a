// Mattermost's websocket event stream: /api/v4/websocket with the token in the header or an
// authentication_challenge, hello with connection_id, sequence numbers, and resuming with
// connection_id + sequence_number so that missed events replay.
//
// Contract: platforms/mattermost internal; one event_stream per adapter, used on the adapter's
// thread, every coroutine under the adapter's lifecycle. Events already seen (a replayed sequence
// number, a post id + edit time seen before) never reach `on_event` twice; broken inner JSON is
// skipped and counted. Reconnects follow runtime::reconnect_policy (steps reset only after a
// healthy period). A socket that closes before its hello is followed by GET /users/me: a 401
// means the token was revoked, and `on_refused` ends the adapter instead of reconnecting for ever.
// Tokens and message text are never logged.
#pragma once

#include "platforms/mattermost/normalise.hpp"
#include "platforms/mattermost/settings.hpp"

#include <cstdint>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace nudgebot::core {
class clock;
}
namespace nudgebot::runtime {
class lifecycle;
}

namespace nudgebot::mattermost {

class rest_api;
struct adapter_status;

struct stream_handler {
    std::function<void()> on_hello;                      // hello on a connection (first and after each resume)
    // A new event, with the time its frame arrived (steady clock).
    std::function<void(core::event, std::chrono::steady_clock::time_point)> on_event;
    std::function<void(std::string why)> on_refused;     // the token was rejected: end the adapter
};

class event_stream {
public:
    // `bot_user` is the adapter's; the hello's broadcast fills it when still empty.
    event_stream(runtime::lifecycle& life, const settings& cfg, const core::clock& clock, rest_api& api,
                 std::string& bot_user, stream_handler handler);
    ~event_stream();

    // Runs the stream as a supervised task that keeps `owner` (the adapter) alive while it runs.
    void start(std::weak_ptr<void> owner);
    void stop();

    // The stream's part of the adapter's status: connected, connections_opened, connection_id,
    // last_sequence and bot_user_id.
    void report(adapter_status& s) const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace nudgebot::mattermost
