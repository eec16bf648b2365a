// One Discord gateway shard: connect, HELLO, heartbeats with jitter and zombie detection,
// IDENTIFY/RESUME, op 7/9, close codes, zlib-stream, dedupe of replayed events.
//
// Contract: platforms/discord internal. A shard runs as one coroutine on the adapter's
// io_context and is used only from the thread running it. It never throws while running; every
// problem is counted (core::metrics, discord_gateway_*) and logged without content. The shard
// resumes whenever the protocol allows and identifies only through `shard_host::identify_slot`,
// which paces IDENTIFY by max_concurrency and the daily budget. Reconnects follow
// runtime::reconnect_policy (steps reset only after a healthy period). Fatal close codes (4004,
// 4010–4014) end the shard and call `on_stopped` once; so does `stop()`, and so does a connection
// that closed before READY when `shard_host::token_rejected` finds the token revoked (as 4004).
// The read loop and the heartbeat run as supervised tasks of the adapter's lifecycle.
#pragma once

#include "platforms/discord/kept_session.hpp"
#include "platforms/discord/settings.hpp"

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}
namespace nudgebot::runtime {
class lifecycle;
}

namespace nudgebot::discord {

class shard_host {
public:
    virtual ~shard_host() = default;
    // Resolves when this shard may send IDENTIFY; false means "do not" (the adapter is stopping).
    virtual boost::asio::awaitable<bool> identify_slot(std::uint32_t shard) = 0;
    // Every op 0 dispatch that is not a replayed duplicate, READY and RESUMED included.
    virtual void on_dispatch(std::uint32_t shard, std::string_view type, const nlohmann::json& d,
                             std::chrono::steady_clock::time_point received) = 0;
    // The shard ended: close_code is the fatal code, or 0 after stop().
    virtual void on_stopped(std::uint32_t shard, int close_code) = 0;
    // A connection closed before READY / RESUMED: true when REST says the token is rejected (401).
    virtual boost::asio::awaitable<bool> token_rejected() = 0;
    // The adapter's lifecycle: the shard's loops run as its supervised tasks.
    virtual runtime::lifecycle& tasks() = 0;
};

// The meaning of a gateway close code, for log lines.
std::string_view close_code_meaning(int code) noexcept;
bool is_fatal_close_code(int code) noexcept;

class shard {
public:
    // `cfg` and `host` must stay valid while the shard runs; the shard keeps `host` alive.
    shard(boost::asio::io_context& ioc, const settings& cfg, std::shared_ptr<shard_host> host, std::uint32_t id,
          std::uint32_t count, std::string gateway_url);
    ~shard();

    // Before start(): the first connection RESUMEs this session (one kept from the last process)
    // at its resume URL; if that URL does not answer or Discord refuses the RESUME, the shard
    // IDENTIFYs as usual.
    void resume_kept(const kept_session& s);
    void start();
    // Closes the connection. With settings.kept (the session is kept for the next process) the
    // close code is 4000, which keeps the session resumable; without, 1000 ends it (the bot shows
    // offline at once).
    void stop();
    // The session a next process could resume (saved_at left empty), or nullopt when there is none.
    std::optional<kept_session> session_to_keep() const;

    std::uint32_t id() const noexcept;
    bool running() const noexcept;
    const std::string& session_id() const noexcept;
    std::int64_t sequence() const noexcept;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace nudgebot::discord
