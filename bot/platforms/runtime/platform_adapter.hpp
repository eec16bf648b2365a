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
#include <string>
#include <string_view>
#include <utility>

namespace nudgebot::runtime {

// Where an adapter hands each event it produced (app/ routes it to the platform's event router).
using event_sink = std::function<void(core::event)>;

struct adapter_health {
    bool connected = false;        // events arrive now (Discord: at least one shard running)
    bool finished = false;         // stopped, or ended for good
    int exit_code = 0;             // 1 when the platform refused the bot
    bool failed = false;           // a supervised task threw and has not recovered yet
    std::size_t shards_running = 0;
};

class lifecycle;

// What every adapter's status holds: lifecycle::report() fills finished, exit_code and failed; the
// platform's core sets connected (Discord: at least one shard running) and bot_user_id.
struct status_basics {
    bool connected = false;
    bool finished = false;   // stopped, or ended for good
    int exit_code = 0;       // 1 when the platform refused the bot
    bool failed = false;     // a supervised task threw and has not recovered
    std::string bot_user_id;
};

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
    // The default has nothing to tell the platform (Slack and Mattermost: the command was answered
    // on arrival and its response_url stays valid for 30 minutes): the deferral is only counted, in
    // <platform>_deferred_total, so slow answers show up.
    virtual boost::asio::awaitable<void> defer(core::reply_handle reply);
    virtual boost::asio::awaitable<void> post_to_channel(core::server_id server, core::channel_id channel,
                                                         core::private_message message, core::delivery_callback done) = 0;

private:
    friend class platform_adapter;
    const lifecycle* bound_life_ = nullptr;   // set by platform_adapter::bind
};

// The platform refused the bot (a rejected token, ...): logs `why` once (it must name no secret),
// finishes the adapter with exit code 1 (`nudgebot run` then exits 3) and halts `core`. Does
// nothing once the adapter has finished. On the adapter's thread.
void refuse(lifecycle& life, adapter_core& core, std::string_view why);

// halt()'s common part: the adapter finishes (exit code 0 unless it was refused) and every sleep
// ends; the caller then closes its connections.
void wind_down(lifecycle& life);

// The end of a post to a channel (an escalation alert): a failure is logged with the channel id
// and the platform's error code only, and `done` hears delivered or failed.
void finish_channel_post(lifecycle& life, const core::delivery_callback& done, const core::channel_id& channel,
                         bool ok, std::string_view error);

// The health an adapter reports from its status (shards_running only where the status has it).
template <class Status>
adapter_health health_of(const Status& s)
{
    adapter_health h{s.connected, s.finished, s.exit_code, s.failed, 0};
    if constexpr (requires { s.shards_running; }) h.shards_running = s.shards_running;
    return h;
}

class platform_adapter : public core::delivery {
public:
    platform_adapter(core::platform where, std::string_view refusal_advice) noexcept
        : platform_(where), refusal_advice_(refusal_advice)
    {}
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

    core::platform platform() const noexcept { return platform_; }
    virtual adapter_health health() const = 0;
    // What to fix when health().exit_code is 1 (a static string).
    std::string_view refusal_advice() const noexcept { return refusal_advice_; }
    // Requests the platform sends to nudgebot; nullopt when the path is not this platform's.
    virtual std::optional<net::server_response> handle_http(const net::server_request&) { return std::nullopt; }

protected:
    // Called once by the platform's constructor: its core and the lifecycle the core owns.
    void bind(std::shared_ptr<adapter_core> core, lifecycle& life) noexcept;
    // Makes the platform's core (which has a `life` member) and binds it; the adapter reaches it
    // again with core_as() (its own type) or shared_core() (to keep it alive in a posted task).
    template <class Core, class... Args>
    void make_core(Args&&... args)
    {
        auto core = std::make_shared<Core>(std::forward<Args>(args)...);
        bind(core, core->life);
    }
    template <class Core>
    Core& core_as() const noexcept
    {
        return static_cast<Core&>(*core_);
    }
    template <class Core>
    std::shared_ptr<Core> shared_core() const noexcept
    {
        return std::static_pointer_cast<Core>(core_);
    }

    // lifecycle::report() on the bound lifecycle (finished, exit_code, failed).
    void report_lifecycle(status_basics& s) const noexcept;

private:
    core::platform platform_;
    std::string_view refusal_advice_;
    std::shared_ptr<adapter_core> core_;
    lifecycle* life_ = nullptr;
};

// A platform's core that also reports the platform's status (a Status derived from
// status_basics): report() adds what only the platform knows, on the adapter's thread.
template <class Status>
class reporting_core : public adapter_core {
public:
    virtual void report(Status& s) const = 0;
};

// A platform adapter whose core is a reporting_core<Status>: status() is the lifecycle's fields
// plus the core's report, and health() sums the status up. Written once for every platform.
template <class Status>
class adapter_with_status : public platform_adapter {
public:
    using platform_adapter::platform_adapter;

    Status status() const   // on the adapter's thread
    {
        Status s;
        report_lifecycle(s);
        core_as<reporting_core<Status>>().report(s);
        return s;
    }
    adapter_health health() const final { return health_of(status()); }
};

}  // namespace nudgebot::runtime
