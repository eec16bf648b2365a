// Benchmark: one process holds N Discord shards (default 16) against the fake Discord over
// loopback and processes MESSAGE_CREATE frames at a fixed total rate (default 2,000/s).
// Reports resident memory and the CPU used by the bot process (getrusage), which must stay
// within the targets (≤ 30 MB resident, ≤ 25 % of one core).
//
// The fake runs in a forked child process so that its CPU and memory are not counted.
// With --nudge-every K the event sink sends a DM for every K-th message (standing in for the nudge
// policy, which is not wired yet); the fake stamps each frame's message id with its send time and
// reports, from the DM requests it receives, the latency from a frame leaving the fake to the REST
// request for its DM arriving back (loopback both ways, inflate, parse, normalise, REST client).
// Usage: discord_gateway_bench [--shards N] [--rate R] [--seconds S] [--no-compress] [--nudge-every K]
#include "core/clock.hpp"
#include "core/event.hpp"
#include "platforms/discord/adapter.hpp"
#include "process_stats.hpp"
#include "support/fake_discord.hpp"

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <memory>
#include <vector>
#include <string>
#include <thread>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using nudgebot::bench::status_kb;
using nudgebot::bench::cpu_seconds;

// A MESSAGE_CREATE payload of ordinary size, written for this benchmark.
nlohmann::json bench_message()
{
    return {{"id", "1234567890123456789"},
            {"channel_id", "400000000000000001"},
            {"guild_id", "300000000000000001"},
            {"author", {{"id", "500000000000000001"}, {"username", "bench"}, {"global_name", "Bench User"}}},
            {"member", {{"nick", nullptr}, {"roles", nlohmann::json::array()}}},
            {"content", "could we go over the release checklist again before friday, I think we missed a step"},
            {"timestamp", "2026-03-01T10:00:00.000000+00:00"},
            {"mentions", nlohmann::json::array()},
            {"mention_roles", nlohmann::json::array()},
            {"attachments", nlohmann::json::array()},
            {"embeds", nlohmann::json::array()},
            {"type", 0},
            {"tts", false},
            {"pinned", false}};
}

}  // namespace

int main(int argc, char** argv)
{
    int shards = 16, rate = 2000, seconds = 10;
    bool compress = true;
    int nudge_every = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--shards" && i + 1 < argc) shards = std::atoi(argv[++i]);
        else if (a == "--rate" && i + 1 < argc) rate = std::atoi(argv[++i]);
        else if (a == "--seconds" && i + 1 < argc) seconds = std::atoi(argv[++i]);
        else if (a == "--no-compress") compress = false;
        else if (a == "--nudge-every" && i + 1 < argc) nudge_every = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: %s [--shards N] [--rate R] [--seconds S] [--no-compress] [--nudge-every K]\n", argv[0]);
            return 2;
        }
    }

    int to_child[2], to_parent[2];
    if (pipe(to_child) != 0 || pipe(to_parent) != 0) return 2;
    pid_t child = fork();
    if (child == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        nudgebot::test::fake_discord_options fo;
        fo.shards = shards;
        fo.max_concurrency = shards;
        fo.heartbeat_interval_ms = 41250;
        fo.flood_stamps_ids = true;
        nudgebot::test::fake_discord fake(fo);
        std::uint16_t port = fake.port();
        if (write(to_parent[1], &port, sizeof port) != sizeof port) _exit(1);
        char go = 0;
        if (read(to_child[0], &go, 1) != 1) _exit(0);
        fake.flood("MESSAGE_CREATE", bench_message(), rate, std::chrono::seconds(seconds));
        std::this_thread::sleep_for(std::chrono::seconds(seconds) + std::chrono::milliseconds(500));
        std::uint64_t sent = fake.flooded();
        if (write(to_parent[1], &sent, sizeof sent) != sizeof sent) _exit(1);
        std::vector<double> latencies_us;
        for (const auto& r : fake.rest_requests()) {
            if (r.method != "POST" || r.target != "/api/v10/users/@me/channels") continue;
            auto body = nlohmann::json::parse(r.body, nullptr, false);
            if (!body.is_object() || !body.contains("recipient_id")) continue;
            auto sent_ns = std::stoll(body["recipient_id"].get<std::string>());
            auto at_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(r.at.time_since_epoch()).count();
            latencies_us.push_back(static_cast<double>(at_ns - sent_ns) / 1000.0);
        }
        std::sort(latencies_us.begin(), latencies_us.end());
        auto pct = [&](double p) {
            return latencies_us.empty() ? 0.0 : latencies_us[static_cast<std::size_t>(p * (latencies_us.size() - 1))];
        };
        double summary[5] = {static_cast<double>(latencies_us.size()), pct(0.5), pct(0.99), pct(1.0), 0};
        if (write(to_parent[1], summary, sizeof summary) != sizeof summary) _exit(1);
        (void)read(to_child[0], &go, 1);   // wait for the parent to finish
        _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    std::uint16_t port = 0;
    if (read(to_parent[0], &port, sizeof port) != sizeof port) return 2;

    spdlog::set_level(spdlog::level::warn);
    boost::asio::io_context ioc;
    nudgebot::core::system_clock clock;
    nudgebot::discord::settings s;
    s.token = "bench-token";
    s.api_base = "http://127.0.0.1:" + std::to_string(port) + "/api/v10";
    s.gateway_url = "ws://127.0.0.1:" + std::to_string(port) + "/gateway";
    s.compress = compress;
    s.identify_interval = std::chrono::milliseconds(20);
    std::uint64_t received = 0, ready = 0;
    std::unique_ptr<nudgebot::discord::adapter> bot;
    bot = std::make_unique<nudgebot::discord::adapter>(ioc, s, [&](nudgebot::core::event e) {
        if (auto* m = std::get_if<nudgebot::core::message_created>(&e)) {
            ++received;
            if (nudge_every > 0 && received % static_cast<std::uint64_t>(nudge_every) == 0) {
                // The stamped message id doubles as the recipient so the fake can time the request.
                nudgebot::core::private_message dm{"a suggestion", {}};
                bot->send_private(nudgebot::core::user_id(m->message.id.str()), m->message.server,
                                  m->message.channel, std::move(dm), {});
            }
        } else if (std::holds_alternative<nudgebot::core::session_ready>(e)) {
            ++ready;
        }
    }, clock);
    bot->start();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (ready < static_cast<std::uint64_t>(shards) && std::chrono::steady_clock::now() < deadline)
        ioc.run_for(std::chrono::milliseconds(10));
    if (ready < static_cast<std::uint64_t>(shards)) {
        std::fprintf(stderr, "only %llu of %d shards became ready\n", static_cast<unsigned long long>(ready), shards);
        kill(child, SIGTERM);
        return 1;
    }
    long rss_ready = status_kb("VmRSS:");

    char go = 1;
    if (write(to_child[1], &go, 1) != 1) return 2;
    auto t0 = std::chrono::steady_clock::now();
    double cpu0 = cpu_seconds();
    ioc.run_for(std::chrono::seconds(seconds) + std::chrono::milliseconds(300));
    double cpu1 = cpu_seconds();
    auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::uint64_t sent = 0;
    if (read(to_parent[0], &sent, sizeof sent) != sizeof sent) sent = 0;
    double summary[5] = {};
    if (read(to_parent[0], summary, sizeof summary) != sizeof summary) summary[0] = 0;
    ioc.run_for(std::chrono::milliseconds(200));

    long rss = status_kb("VmRSS:");
    long hwm = status_kb("VmHWM:");
    std::printf("shards=%d rate=%d/s seconds=%d compress=%s\n", shards, rate, seconds, compress ? "zlib-stream" : "off");
    std::printf("frames sent by fake=%llu, MESSAGE_CREATE events delivered=%llu\n",
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(received));
    std::printf("RSS after ready=%.1f MB, RSS at end=%.1f MB, peak RSS=%.1f MB\n", rss_ready / 1024.0, rss / 1024.0,
                hwm / 1024.0);
    std::printf("CPU during flood=%.2f s over %.2f s wall = %.1f%% of one core\n", cpu1 - cpu0, wall,
                100.0 * (cpu1 - cpu0) / wall);

    if (nudge_every > 0)
        std::printf("frame sent -> DM request received (%.0f DMs): p50=%.0f us, p99=%.0f us, max=%.0f us\n",
                    summary[0], summary[1], summary[2], summary[3]);

    bot->stop();
    ioc.run_for(std::chrono::milliseconds(500));
    close(to_child[1]);
    int status = 0;
    waitpid(child, &status, 0);
    return received + 50 >= sent ? 0 : 1;
}
