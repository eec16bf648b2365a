#include "platforms/runtime/platform_adapter.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "platforms/runtime/counter.hpp"
#include "platforms/runtime/lifecycle.hpp"

#include <spdlog/spdlog.h>

namespace nudgebot::runtime {

void refuse(lifecycle& life, adapter_core& core, std::string_view why)
{
    if (life.finished()) return;
    life.log()->error("cannot run: {}", why);
    life.finish(1);
    core.halt();
}

void wind_down(lifecycle& life)
{
    if (!life.finished()) life.finish(0);
    life.stop();
}

void finish_channel_post(lifecycle& life, const core::delivery_callback& done, const core::channel_id& channel,
                         bool ok, std::string_view error)
{
    if (!ok) life.log()->warn("posting to channel {} failed ({})", channel.str(), error);
    life.complete(done, ok ? core::delivery_outcome::delivered : core::delivery_outcome::failed, "channel");
}

boost::asio::awaitable<void> adapter_core::defer(core::reply_handle)
{
    counter(bound_life_->platform() + "_deferred_total").add();
    co_return;
}

void platform_adapter::bind(std::shared_ptr<adapter_core> core, lifecycle& life) noexcept
{
    core_ = std::move(core);
    core_->bound_life_ = &life;
    life_ = &life;
}

void platform_adapter::report_lifecycle(status_basics& s) const noexcept
{
    life_->report(s);
}

platform_adapter::~platform_adapter()
{
    if (core_) stop();
}

void platform_adapter::start()
{
    boost::asio::post(life_->context(), [c = core_, life = life_] {
        if (life->begin()) life->supervise("boot", [c] { return c->boot(); });
    });
}

void platform_adapter::stop()
{
    boost::asio::post(life_->context(), [c = core_] { c->halt(); });
}

void platform_adapter::send_private(const core::user_id& to, const core::server_id& server,
                                    const core::channel_id& channel, core::private_message message,
                                    core::delivery_callback done)
{
    life_->spawn_posted("send_private", [c = core_, to, server, channel, m = std::move(message),
                                          d = std::move(done)]() mutable {
        return c->send_private(to, server, channel, std::move(m), std::move(d));
    });
}

void platform_adapter::answer_privately(const core::reply_handle& reply, core::private_message message,
                                        core::delivery_callback done)
{
    life_->spawn_posted("answer", [c = core_, reply, m = std::move(message), d = std::move(done)]() mutable {
        return c->answer_privately(reply, std::move(m), std::move(d));
    });
}

void platform_adapter::defer(const core::reply_handle& reply)
{
    // Posts run in order, so a defer is handled before an answer queued after it.
    life_->spawn_posted("defer", [c = core_, reply] { return c->defer(reply); });
}

void platform_adapter::post_to_channel(const core::server_id& server, const core::channel_id& channel,
                                       core::private_message message, core::delivery_callback done)
{
    life_->spawn_posted("post", [c = core_, server, channel, m = std::move(message), d = std::move(done)]() mutable {
        return c->post_to_channel(server, channel, std::move(m), std::move(d));
    });
}

}  // namespace nudgebot::runtime
