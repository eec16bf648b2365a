// Benchmark: one process holds N Discord shards (default 16) against the fake Discord over
// loopback and processes MESSAGE_CREATE frames at a fixed total rate (default 2,000/s).
// Reports resident memory and the CPU used by the bot process (getrusage), which must stay
// within the targets (≤ 30 MB resident, ≤ 25 % of one core).
//
// The fake runs in a forked child process so that its CPU and memory are not counted.
// Usage: discord_gateway_bench [--shards N] [--rate R] [--seconds S] [--no-compress]
#include "core/clock.hpp"
#include "core/event.hpp"
#include "platforms/discord/adapter.hpp"
#include "support/fake_discord.hpp"

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

long status_kb(const char* key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + std::strlen(key), nullptr, 10);
    return -1;
}

double cpu_seconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

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
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--shards" && i + 1 < argc) shards = std::atoi(argv[++i]);
        else if (a == "--rate" && i + 1 < argc) rate = std::atoi(argv[++i]);
        else if (a == "--seconds" && i + 1 < argc) seconds = std::atoi(argv[++i]);
        else if (a == "--no-compress") compress = false;
        else {
            std::fprintf(stderr, "usage: %s [--shards N] [--rate R] [--seconds S] [--no-compress]\n", argv[0]);
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
        nudgebot::test::fake_discord fake(fo);
        std::uint16_t port = fake.port();
        if (write(to_parent[1], &port, sizeof port) != sizeof port) _exit(1);
        char go = 0;
        if (read(to_child[0], &go, 1) != 1) _exit(0);
        fake.flood("MESSAGE_CREATE", bench_message(), rate, std::chrono::seconds(seconds));
        std::this_thread::sleep_for(std::chrono::seconds(seconds) + std::chrono::milliseconds(500));
        std::uint64_t sent = fake.flooded();
        if (write(to_parent[1], &sent, sizeof sent) != sizeof sent) _exit(1);
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
    nudgebot::discord::adapter bot(ioc, s, [&](nudgebot::core::event e) {
        if (std::holds_alternative<nudgebot::core::message_created>(e)) ++received;
        else if (std::holds_alternative<nudgebot::core::session_ready>(e)) ++ready;
    }, clock);
    bot.start();
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

    bot.stop();
    ioc.run_for(std::chrono::milliseconds(500));
    close(to_child[1]);
    int status = 0;
    waitpid(child, &status, 0);
    return received + 50 >= sent ? 0 : 1;
}
