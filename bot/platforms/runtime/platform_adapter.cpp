#include "platforms/runtime/platform_adapter.hpp"

#include "platforms/runtime/asio_coroutines.hpp"

#include "platforms/runtime/lifecycle.hpp"

namespace nudgebot::runtime {

void platform_adapter::bind(std::shared_ptr<adapter_core> core, lifecycle& life) noexcept
{
    core_ = std::move(core);
    life_ = &life;
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
