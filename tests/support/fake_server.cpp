#include "support/fake_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace nudgebot::test {

namespace asio = boost::asio;

nlohmann::json json_body(const net::server_request& request)
{
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    return body.is_discarded() ? nlohmann::json(nullptr) : body;
}

struct fake_server::impl {
    asio::io_context ioc;
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    std::unique_ptr<net::http_server> server;
    std::thread thread;

    mutable std::mutex mutex;
    std::vector<net::ws_peer> peers;            // by connection number
    std::map<std::uint64_t, int> numbers;       // peer id → connection number

    // Registers every accepted peer before the fake's own on_open sees it.
    net::ws_router registering(net::ws_router router)
    {
        return [this, router = std::move(router)](const net::server_request& r) -> std::optional<net::ws_callbacks> {
            auto cb = router ? router(r) : std::nullopt;
            if (!cb) return cb;
            cb->on_open = [this, open = std::move(cb->on_open)](net::ws_peer p) {
                {
                    std::lock_guard lock(mutex);
                    numbers[p.id()] = static_cast<int>(peers.size());
                    peers.push_back(p);
                }
                if (open) open(p);
            };
            return cb;
        };
    }
};

fake_server::fake_server(std::string name, net::http_handler handler, net::ws_router router)
    : impl_(std::make_unique<impl>())
{
    impl_->server = std::make_unique<net::http_server>(impl_->ioc, net::http_server_options{}, std::move(handler),
                                                       impl_->registering(std::move(router)));
    auto err = impl_->server->start();
    if (!err.empty()) throw std::runtime_error(name + ": " + err);
    impl_->thread = std::thread([i = impl_.get()] { i->ioc.run(); });
}

fake_server::~fake_server()
{
    stop();
    impl_->server.reset();
}

void fake_server::stop()
{
    if (!impl_->thread.joinable()) return;
    on_thread([&] { impl_->server->stop(); });
    impl_->work.reset();
    impl_->ioc.stop();
    impl_->thread.join();
}

std::uint16_t fake_server::port() const noexcept { return impl_->server->port(); }

std::string fake_server::url(const std::string& scheme) const
{
    return scheme + "://127.0.0.1:" + std::to_string(port());
}

void fake_server::on_thread(const std::function<void()>& f) const
{
    std::promise<void> done;
    asio::post(impl_->ioc, [&] {
        f();
        done.set_value();
    });
    done.get_future().wait();
}

int fake_server::connections() const
{
    std::lock_guard lock(impl_->mutex);
    return static_cast<int>(impl_->peers.size());
}

int fake_server::open_connections() const
{
    int n = 0;
    on_thread([&] {
        for (auto& p : peers()) n += p.is_open() ? 1 : 0;
    });
    return n;
}

net::ws_peer fake_server::peer(int connection) const
{
    std::lock_guard lock(impl_->mutex);
    if (impl_->peers.empty()) return {};
    if (connection < 0) return impl_->peers.back();
    return connection < static_cast<int>(impl_->peers.size()) ? impl_->peers[connection] : net::ws_peer{};
}

std::vector<net::ws_peer> fake_server::peers() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->peers;
}

int fake_server::number(const net::ws_peer& peer) const
{
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->numbers.find(peer.id());
    return it == impl_->numbers.end() ? -1 : it->second;
}

}  // namespace nudgebot::test
