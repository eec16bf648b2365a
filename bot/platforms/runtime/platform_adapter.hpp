// The one interface app/ sees of a chat platform: start, stop, health, delivery, and (for
// platforms that call nudgebot back over HTTP) a request handler. app/wiring builds a list of
// these and starts, watches and stops them in one loop, whatever the platform.
//
// Contract: implemented by each platform's adapter (bot/platforms/<name>/adapter.hpp). Every
// adapter runs on one io_context driven by one thread; start(), stop() and the core::delivery
// calls may come from any thread, health() and handle_http() are called on the adapter's thread.
// health().finished with exit_code 1 means the platform refused the bot (rejected token,
// disallowed intents): restarting will not help, and refusal_advice() says what to fix, in one
// line that names no secret.
//
// start(), stop() and the core::delivery calls are implemented here once, on the platform's
// `adapter_core` (its state, kept alive by the shared_ptr while a task runs) and lifecycle, which
// the platform's constructor hands over with bind(). start() runs core.boot() once, as the
// supervised task "boot"; stop() calls core.halt() on the adapter's thread; each delivery call
// is posted to the adapter's thread and runs as a one-shot task (an exception is logged by type
// and counted, see lifecycle.hpp).
#pragma once

#include "core/delivery.hpp"
#include "core/event.hpp"
#include "net/http_server.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace nudgebot::runtime {

// Where an adapter hands each event it produced (app/ routes it to the platform's dispatcher).
using event_sink = std::function<void(core::event)>;

struct adapter_health {
    bool connected = false;        // events arrive now (Discord: at least one shard running)
    bool finished = false;         // stopped, or ended for good
    int exit_code = 0;             // 1 when the platform refused the bot
    bool failed = false;           // a supervised task threw and has not recovered yet
    std::size_t shards_running = 0;
};

class lifecycle;

// What a platform implements, on the adapter's thread: start-up, stop, and core::delivery as
// coroutines.
class adapter_core {
public:
    virtual ~adapter_core() = default;
    virtual boost::asio::awaitable<void> boot() = 0;   // connect and run; restarted if it throws
    virtual void halt() = 0;                            // close every connection, end every wait
    virtual boost::asio::awaitable<void> send_private(core::user_id to, core::server_id server, core::channel_id channel,
                                                      core::private_message message, core::delivery_callback done) = 0;
    virtual boost::asio::awaitable<void> answer_privately(core::reply_handle reply, core::private_message message,
                                                          core::delivery_callback done) = 0;
    virtual boost::asio::awaitable<void> defer(core::reply_handle reply) = 0;
    virtual boost::asio::awaitable<void> post_to_channel(core::server_id server, core::channel_id channel,
                                                         core::private_message message, core::delivery_callback done) = 0;
};

class platform_adapter : public core::delivery {
public:
    platform_adapter() = default;
    ~platform_adapter() override;   // stop()s: the core ends once its tasks have wound down
    platform_adapter(const platform_adapter&) = delete;
    platform_adapter& operator=(const platform_adapter&) = delete;

    void start();   // any thread; once
    void stop();    // any thread; idempotent

    // core::delivery, the same for every platform (see the contract above).
    void send_private(const core::user_id& to, const core::server_id& server, const core::channel_id& channel,
                      core::private_message message, core::delivery_callback done) final;
    void answer_privately(const core::reply_handle& reply, core::private_message message,
                          core::delivery_callback done) final;
    void defer(const core::reply_handle& reply) final;
    void post_to_channel(const core::server_id& server, const core::channel_id& channel,
                         core::private_message message, core::delivery_callback done) final;

    virtual core::platform platform() const noexcept = 0;
    virtual adapter_health health() const = 0;
    virtual std::string_view refusal_advice() const noexcept = 0;
    // Requests the platform sends to nudgebot; nullopt when the path is not this platform's.
    virtual std::optional<net::server_response> handle_http(const net::server_request&) { return std::nullopt; }

protected:
    // Called once by the platform's constructor: its core and the lifecycle the core owns.
    void bind(std::shared_ptr<adapter_core> core, lifecycle& life) noexcept;

private:
    std::shared_ptr<adapter_core> core_;
    lifecycle* life_ = nullptr;
};

}  // namespace nudgebot::runtime
