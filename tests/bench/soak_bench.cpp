// Soak benchmark (build/bench/soak, not in ctest): the whole bot as `nudgebot run` wires it, with
// Discord, Slack and Mattermost enabled at once, against the fakes of tests/support on loopback,
// fed `--rate` messages per second in total (default 2,000, split over the three platforms) for
// `--minutes` (default 30), with a fault every `--fault-every` seconds (default 4) taken in turn
// from: dropped TCP (all three), Discord op 7 and invalid session, Slack disconnect, 429s and 5xx
// on the nudge-delivery calls (all three), slow REST, DMs closed, malformed frames (all three).
// Every `--hostile-every`-th message (default 200) is a hostile reply aimed at a person who opted
// in, so each one must bring exactly one nudge (none when that person's DMs are closed). The people
// aimed at are a fixed population (`--people`, default 1,000 per platform), taken in turn, as on a
// real server: at the default rates each is aimed at every 5 minutes, so the per-person state the
// bot keeps (the policy's daily counts, DM channels) is complete by the end of the warm-up and
// later growth means a leak. `--people 0` aims every hostile message at a new person instead.
// With `--churn` the authors and channels of the chatter never repeat.
//
// Reports every minute the bot process's resident memory and open file descriptors (by kind:
// connections to each fake, files, pipes, ...), and at the end nudges sent vs expected per
// platform. Fails (exit 1) if RSS grows more than 10 % after the warm-up (`--warmup-minutes`,
// default 5); if a descriptor leaks: any still open once the bot is destroyed, descriptors other
// than connections to the platforms after a quiet period at the end above the most seen during
// the warm-up, or more connections to one platform than its socket and a full keep-alive pool (9);
// or if a nudge is lost or duplicated. The fakes run in a forked child so that their memory (they
// log every request) and descriptors are not counted.
//
// Usage: soak [--minutes M] [--rate R] [--hostile-every K] [--fault-every S] [--warmup-minutes W]
//             [--people N] [--churn] [--no-faults]
#include "app/config.hpp"
#include "app/wiring.hpp"
#include "bench_chatter.hpp"
#include "routing/event_router.hpp"
#include "platforms/discord/protocol.hpp"
#include "platforms/discord/settings.hpp"
#include "platforms/mattermost/settings.hpp"
#include "platforms/slack/settings.hpp"
#include "process_stats.hpp"
#include "storage/store.hpp"
#include "support/fake_discord.hpp"
#include "support/fake_mattermost.hpp"
#include "support/fake_slack.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace nudgebot::bench;   // chatter lines, targets, pipe helpers, process readings
using nlohmann::json;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
namespace dp = nudgebot::discord::protocol;
namespace fs = std::filesystem;

struct options {
    int minutes = 30;
    int rate = 2000;
    int hostile_every = 200;
    int fault_every = 4;
    int warmup_minutes = 5;
    int people = 1000;   // per platform; 0 = a new person for every hostile message
    bool churn = false;
    bool faults = true;
};

// Ids of the people who opted in, the only ones hostile messages are aimed at (Discord's from
// bench_chatter.hpp).
std::string slack_target(std::size_t t) { return "UT" + std::to_string(100000000 + t); }
std::string mm_target(std::size_t t)
{
    auto id = "t" + std::to_string(100000000 + t) + "x";   // unique in its first 24 characters
    id.resize(26, 'q');
    return id;
}


int open_fds()
{
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
    return n - 1;   // the iterator's own
}

struct ports {
    std::uint16_t discord = 0, slack = 0, mattermost = 0;
};

// The open descriptors by what they are: TCP connections to each fake (by its port; "closed" when
// the fake has closed its side and the descriptor waits to be reused or dropped), listening
// sockets, pipes and files. Tells connections pooled for reuse from a leak.
std::map<std::string, int> fd_census(const ports& p)
{
    std::map<unsigned long, std::pair<unsigned, unsigned>> tcp;   // inode -> remote port, state
    for (const char* table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout;
            unsigned long inode = 0;
            fields >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
            if (!fields || remote.find(':') == std::string::npos) continue;
            tcp[inode] = {static_cast<unsigned>(std::stoul(remote.substr(remote.find(':') + 1), nullptr, 16)),
                          static_cast<unsigned>(std::stoul(state, nullptr, 16))};
        }
    }
    std::map<std::string, int> kinds;
    for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        const auto target = fs::read_symlink(e.path(), ec).string();
        if (ec || target.rfind("/proc/", 0) == 0) continue;   // the iterator's own
        if (target.rfind("socket:[", 0) == 0) {
            auto it = tcp.find(std::stoul(target.substr(8)));
            if (it == tcp.end()) {
                ++kinds["other socket"];
                continue;
            }
            const auto [port, state] = it->second;
            if (state == 0x0A) {
                ++kinds["listening"];
                continue;
            }
            std::string who = port == p.discord ? "discord" : port == p.slack ? "slack" : port == p.mattermost ? "mattermost"
                                                                                                              : "other tcp";
            ++kinds[who + (state == 0x08 ? " closed" : "")];
        } else if (target.rfind("pipe:", 0) == 0) {
            ++kinds["pipe"];
        } else if (target.rfind("anon_inode:", 0) == 0) {
            ++kinds[target.substr(11)];
        } else {
            ++kinds["file"];
        }
    }
    return kinds;
}

std::string show(const std::map<std::string, int>& census)
{
    std::string out;
    for (const auto& [kind, n] : census) out += (out.empty() ? "" : ", ") + kind + " " + std::to_string(n);
    return out;
}

// Connections to one platform's fake: its real-time socket plus the HTTP client's keep-alive pool
// (at most http_client_options::max_idle_per_host = 8 idle, so 9 at rest).
int connections_to(const std::map<std::string, int>& census, const std::string& platform)
{
    int n = 0;
    for (const auto* suffix : {"", " closed"})
        if (auto it = census.find(platform + suffix); it != census.end()) n += it->second;
    return n;
}
int connections_to_fakes(const std::map<std::string, int>& census)
{
    return connections_to(census, "discord") + connections_to(census, "slack") + connections_to(census, "mattermost");
}
// Descriptors other than connections to the fakes: files, pipes, event descriptors, listeners.
int own_descriptors(const std::map<std::string, int>& census)
{
    int n = 0;
    for (const auto& [kind, count] : census) n += count;
    return n - connections_to_fakes(census);
}

// What the child reports per platform at the end.
struct tally {
    std::uint64_t messages = 0, hostile = 0, expected = 0, nudged = 0, lost = 0, duplicated = 0, dm_closed = 0,
                  refused = 0;
};

// ------------------------------------------------------------------------------------- child

class fake_side {
public:
    explicit fake_side(const options& o) : o_(o)
    {
        nudgebot::test::fake_discord_options fo;
        fo.heartbeat_interval_ms = 5000;
        discord_.emplace(fo);
        slack_.emplace("UBOT", "T1");
        mm_.emplace();
        install_fault_hooks();
    }

    ports where() const
    {
        ports p;
        p.discord = discord_->port();
        p.slack = static_cast<std::uint16_t>(std::stoi(slack_->api_base().substr(17)));
        p.mattermost = static_cast<std::uint16_t>(std::stoi(mm_->server_url().substr(17)));
        return p;
    }

    bool wait_ready()
    {
        const auto deadline = steady::now() + 60s;
        while (steady::now() < deadline) {
            if (discord_->count_rest("PUT", "/api/v10/applications/") > 0 && slack_->open_connections() > 0 &&
                mm_->open_connections() > 0)
                return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

    void run()
    {
        const std::uint64_t total = static_cast<std::uint64_t>(o_.rate) * 60ULL * static_cast<std::uint64_t>(o_.minutes);
        const auto start = steady::now();
        auto next_fault = start + std::chrono::seconds(o_.fault_every);
        auto next_report = start + 60s;
        auto next_retry = start + 1s;
        std::size_t fault_index = 0;
        for (std::uint64_t n = 0; n < total; ++n) {
            const auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(n * 1'000'000'000ULL / o_.rate));
            if (due > steady::now()) std::this_thread::sleep_until(due);
            const auto now = steady::now();
            // The last 20 s are quiet (no faults), so reconnections settle before the count.
            if (o_.faults && now >= next_fault && now < start + std::chrono::minutes(o_.minutes) - 20s) {
                fault(fault_index++);
                next_fault += std::chrono::seconds(o_.fault_every);
            }
            if (now >= next_retry) {
                retry_unacked_slack();
                next_retry += 1s;
            }
            if (now >= next_report) {
                std::printf("  [fakes] %3lld min: %llu messages sent, nudges seen discord=%zu slack=%zu mattermost=%zu\n",
                            static_cast<long long>(std::chrono::duration_cast<std::chrono::minutes>(now - start).count()),
                            static_cast<unsigned long long>(n), discord_nudges().size(), slack_nudges().size(),
                            mm_nudges().size());
                std::fflush(stdout);
                next_report += 60s;
            }
            const bool is_hostile = o_.hostile_every > 0 && n % static_cast<std::uint64_t>(o_.hostile_every) ==
                                                                  static_cast<std::uint64_t>(o_.hostile_every) - 1;
            switch (n % 3) {
            case 0: send_discord(n, is_hostile && now >= discord_quiet_until_.load()); break;
            case 1: send_slack(n, is_hostile); break;
            default: send_mattermost(n, is_hostile); break;
            }
        }
        // Settle: unacked Slack envelopes are retried as Slack would, then the nudges drain.
        for (int i = 0; i < 20; ++i) {
            std::this_thread::sleep_for(1s);
            retry_unacked_slack();
        }
    }

    void report(int fd)
    {
        std::lock_guard lock(refused_mutex_);
        tally t[3] = {count(discord_nudges(), refused_[0], aimed_[0], aimed_closed_),
                      count(slack_nudges(), refused_[1], aimed_[1], {}),
                      count(mm_nudges(), refused_[2], aimed_[2], {})};
        for (int i = 0; i < 3; ++i) t[i].messages = counts_[i];
        (void)put(fd, t);
    }

private:
    // ---- traffic
    // The person the i-th hostile message on a platform is aimed at (an index into the population).
    std::size_t target_index(std::uint64_t i) const
    {
        return static_cast<std::size_t>(o_.people > 0 ? i % static_cast<std::uint64_t>(o_.people) : i);
    }
    std::string author(std::uint64_t n) const
    {
        return std::to_string(o_.churn ? 970000000000000000ULL + n : 960000000000000000ULL + n % 997);
    }
    std::string channel(std::uint64_t n) const
    {
        return std::to_string(o_.churn ? 400000000000000000ULL + n / 50 : 400000000000000000ULL + n % 64);
    }

    void send_discord(std::uint64_t n, bool aimed)
    {
        ++counts_[0];
        json d{{"id", std::to_string(1200000000000000000ULL + n)},
               {"channel_id", channel(n)},
               {"guild_id", "300000000000000001"},
               {"author", {{"id", author(n)}, {"username", "soak"}}},
               {"member", {{"nick", nullptr}, {"roles", json::array()}}},
               {"content", aimed ? hostile_line : quiet_line(n / 3)},
               {"timestamp", "2026-03-01T10:00:00.000000+00:00"},
               {"mentions", json::array()},
               {"type", dp::message_type::normal}};
        if (aimed) {
            const auto target = discord_target(target_index(aims_[0]++));
            {
                std::lock_guard lock(discord_mutex_);
                ++(discord_closed_.count(target) ? aimed_closed_ : aimed_[0])[target];
            }
            d["type"] = dp::message_type::reply;
            d["message_reference"] = {{"message_id", "1100000000000000000"}, {"channel_id", channel(n)}};
            d["referenced_message"] = {{"id", "1100000000000000000"}, {"author", {{"id", target}}}};
        }
        discord_->dispatch("MESSAGE_CREATE", std::move(d));
    }

    void send_slack(std::uint64_t n, bool aimed)
    {
        ++counts_[1];
        const auto ts = std::to_string(1700000000 + n / 1000) + "." + std::to_string(100000 + n % 1000);
        const auto id = "e" + std::to_string(n);
        const std::string ch = o_.churn ? "C" + std::to_string(n / 50) : "C" + std::to_string(n % 64);
        const std::string user = o_.churn ? "UA" + std::to_string(n) : "UA" + std::to_string(n % 997);
        if (!aimed) {
            slack_->send(nudgebot::test::fake_slack::message_envelope(id, "Ev" + id, user, quiet_line(n / 3), ts, ch));
            return;
        }
        const auto target = slack_target(target_index(aims_[1]++));
        ++aimed_[1][target];
        auto env = nudgebot::test::fake_slack::message_envelope(id, "Ev" + id, user, hostile_line, ts, ch, "1690000000.000100");
        env["payload"]["event"]["parent_user_id"] = target;
        std::lock_guard lock(slack_mutex_);
        slack_hostile_.push_back({target, env, steady::now(), 0});
        slack_->send(std::move(env));
    }

    void send_mattermost(std::uint64_t n, bool aimed)
    {
        ++counts_[2];
        auto post = [&](const std::string& id, const std::string& user, const std::string& text, const std::string& root) {
            auto pid = id;
            pid.resize(26, '0');
            return json{{"id", pid},       {"create_at", 1767225600000}, {"update_at", 1767225600000}, {"edit_at", 0},
                        {"user_id", user}, {"channel_id", "chan00000000000000000000001"},         {"root_id", root},
                        {"message", text}, {"type", ""},                 {"props", json::object()}};
        };
        std::string user = "ua" + std::to_string(o_.churn ? n : n % 997);
        user.resize(26, '0');
        if (!aimed) {
            mm_->post_event("posted", post("p" + std::to_string(n), user, quiet_line(n / 3), ""));
            return;
        }
        const auto target = mm_target(target_index(aims_[2]++));
        ++aimed_[2][target];
        auto root = post("r" + std::to_string(n), target, quiet_line(0), "");
        mm_->post_event("posted", root);
        mm_->post_event("posted", post("h" + std::to_string(n), user, hostile_line, root["id"]));
    }

    // ---- faults
    void install_fault_hooks()
    {
        discord_->on_rest([this](const nudgebot::test::fake_request& r) -> std::optional<nudgebot::test::fake_response> {
            const bool dm_post = r.method == "POST" && r.target.rfind("/api/v10/channels/dm-", 0) == 0;
            if (!dm_post) return std::nullopt;
            const auto user = r.target.substr(21, r.target.find('/', 21) - 21);
            auto refuse = [&](nudgebot::test::fake_response res) {
                refused(0, user);
                return res;
            };
            {
                std::lock_guard lock(discord_mutex_);
                if (discord_closed_.count(user))
                    return refuse({403, R"({"message":"Cannot send messages to this user","code":50007})", {}, {}, false});
            }
            if (rest_429_[0].exchange(false))
                return refuse({429, R"({"message":"You are being rate limited.","retry_after":0.4,"global":false})",
                               {{"Retry-After", "1"}, {"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset-After", "0.4"}},
                               {}, false});
            if (rest_5xx_[0].exchange(false)) return refuse({502, "", {}, {}, false});
            if (rest_slow_[0].exchange(false))   // slow, but answered
                return nudgebot::test::fake_response{
                    200, json{{"id", "1300000000000000001"}, {"channel_id", "dm-" + user}}.dump(), {}, 2000ms, false};
            return std::nullopt;
        });
        slack_->on_web([this](const nudgebot::test::fake_slack_call& c) -> std::optional<nudgebot::test::fake_slack_answer> {
            if (c.method != "chat.postEphemeral" && c.method != "chat.postMessage") return std::nullopt;
            const auto who = recipient_of_slack(c);
            if (rest_429_[1].exchange(false)) {
                refused(1, who);
                return nudgebot::test::fake_slack_answer{429, R"({"ok":false,"error":"ratelimited"})", {{"Retry-After", "1"}}};
            }
            if (rest_5xx_[1].exchange(false)) {
                refused(1, who);
                return nudgebot::test::fake_slack_answer{503, "", {}};
            }
            return std::nullopt;
        });
        mm_->on_rest([this](const nudgebot::test::fake_mm_call& c) -> std::optional<nudgebot::test::fake_mm_answer> {
            if (c.method != "POST" || c.path != "/api/v4/posts") return std::nullopt;
            const auto who = recipient_of_mm(c);
            if (rest_429_[2].exchange(false)) {
                refused(2, who);
                return nudgebot::test::fake_mm_answer{429, R"({"id":"api.context.rate_limit","status_code":429})",
                                                      {{"Retry-After", "1"}}};
            }
            if (rest_5xx_[2].exchange(false)) {
                refused(2, who);
                return nudgebot::test::fake_mm_answer{500, R"({"status_code":500})", {}};
            }
            return std::nullopt;
        });
    }

    void fault(std::size_t i)
    {
        switch (i % 14) {
        case 0: discord_->drop(); break;                                     // dropped TCP: resume replays
        case 1: discord_->send_op(dp::op::reconnect, nullptr); break;        // op 7
        case 2:                                                               // invalid session: a new
            discord_quiet_until_ = steady::now() + 8s;                        // session misses what was
            discord_->send_op(dp::op::invalid_session, false);                // sent before it (by design)
            break;
        case 3: rest_429_[0] = true; break;
        case 4: slack_->close(); break;                                       // dropped TCP
        case 5: rest_5xx_[1] = true; break;
        case 6: mm_->drop(); break;                                           // dropped TCP: replay by seq
        case 7: rest_429_[2] = true; break;
        case 8: rest_slow_[0] = true; break;                                  // slow REST
        case 9: {                                                             // DMs closed for the
            std::lock_guard lock(discord_mutex_);                            // next person aimed at
            discord_closed_.insert(discord_target(target_index(aims_[0])));
            break;
        }
        case 10: discord_->send_raw(R"({"op":0,"t":"MESSAGE_CREATE","s":)"); break;   // malformed frames
        case 11: slack_->send_raw("{\"envelope_id\":\"broken\",\"type\":"); break;
        case 12: mm_->send_raw("{\"event\":\"posted\",\"data\":{\"post\":\"{not json\"}}"); break;
        default:
            rest_5xx_[0] = true;
            rest_429_[1] = true;
            rest_5xx_[2] = true;
            slack_->disconnect("refresh_requested");
            break;
        }
    }

    // Slack redelivers an envelope that was not acked (retry_attempt + 1), as the real one does.
    void retry_unacked_slack()
    {
        std::lock_guard lock(slack_mutex_);
        const auto now = steady::now();
        for (auto& h : slack_hostile_) {
            if (h.acked || now - h.sent < 3s || h.attempts >= 5) continue;
            if (slack_->ack_for(h.envelope["envelope_id"].get<std::string>())) {
                h.acked = true;
                continue;
            }
            h.envelope["retry_attempt"] = ++h.attempts;
            h.envelope["retry_reason"] = "timeout";
            h.sent = now;
            slack_->send(h.envelope);
        }
    }

    // ---- what arrived: one entry per nudge delivery call, naming its recipient
    std::vector<std::string> discord_nudges() const
    {
        std::vector<std::string> out;
        for (const auto& r : discord_->rest_requests())
            if (r.method == "POST" && r.target.rfind("/api/v10/channels/dm-", 0) == 0)
                out.push_back(r.target.substr(21, r.target.find('/', 21) - 21));
        return out;
    }
    static std::string recipient_of_slack(const nudgebot::test::fake_slack_call& c)
    {
        if (!c.body.is_object()) return {};
        if (c.method == "chat.postEphemeral" && c.body.contains("user") && c.body["user"].is_string())
            return c.body["user"];
        if (c.body.contains("channel") && c.body["channel"].is_string())
            return c.body["channel"].get<std::string>().substr(1);   // D<user>
        return {};
    }
    static std::string recipient_of_mm(const nudgebot::test::fake_mm_call& c)
    {
        if (c.body.is_object() && c.body.contains("channel_id") && c.body["channel_id"].is_string())
            return c.body["channel_id"].get<std::string>().substr(2);   // dm<first 24 of the user>
        return {};
    }
    std::vector<std::string> slack_nudges() const
    {
        std::vector<std::string> out;
        for (const auto* method : {"chat.postEphemeral", "chat.postMessage"})
            for (const auto& c : slack_->calls(method)) out.push_back(recipient_of_slack(c));
        return out;
    }
    std::vector<std::string> mm_nudges() const
    {
        std::vector<std::string> out;
        for (const auto& c : mm_->calls("POST", "/api/v4/posts")) out.push_back(recipient_of_mm(c));
        return out;
    }
    void refused(int platform, const std::string& who)
    {
        std::lock_guard lock(refused_mutex_);
        ++refused_[platform][who.substr(0, 24)];
    }

    // A delivery call the hooks refused (429, 5xx, DMs closed) delivered nothing and is retried;
    // every other one delivered a nudge. Each person must get exactly one per hostile message aimed
    // at them while their DMs were open (`aimed`), none for those aimed at them once closed (`closed`).
    static tally count(const std::vector<std::string>& calls, const std::map<std::string, int>& refused,
                       const std::map<std::string, int>& aimed, const std::map<std::string, int>& closed)
    {
        tally t;
        std::map<std::string, int> per;
        for (const auto& who : calls) ++per[who.substr(0, 24)];
        for (const auto& [who, n] : refused) {
            per[who] -= n;
            t.refused += static_cast<std::uint64_t>(n);
        }
        std::uint64_t delivered_to_aimed = 0;
        for (const auto& [target, times] : closed) {
            t.hostile += static_cast<std::uint64_t>(times);
            t.dm_closed += static_cast<std::uint64_t>(times);
            // A person whose DMs closed gets nothing more: only what was sent before counts (below).
            if (!aimed.count(target) && per.count(target.substr(0, 24))) {
                const int n = per[target.substr(0, 24)];
                delivered_to_aimed += static_cast<std::uint64_t>(std::max(n, 0));
                if (n > 0) t.duplicated += static_cast<std::uint64_t>(n);
            }
        }
        for (const auto& [target, times] : aimed) {
            const int n = per.count(target.substr(0, 24)) ? per[target.substr(0, 24)] : 0;
            delivered_to_aimed += static_cast<std::uint64_t>(std::max(n, 0));
            t.hostile += static_cast<std::uint64_t>(times);
            t.expected += static_cast<std::uint64_t>(times);
            t.nudged += static_cast<std::uint64_t>(std::clamp(n, 0, times));
            if (n < times) t.lost += static_cast<std::uint64_t>(times - std::max(n, 0));
            if (n > times) t.duplicated += static_cast<std::uint64_t>(n - times);
        }
        // Nudges to anyone else (the authors never opted in) are wrong too.
        std::uint64_t all = 0;
        for (const auto& [who, n] : per) all += static_cast<std::uint64_t>(std::max(n, 0));
        t.duplicated += all - delivered_to_aimed;
        return t;
    }

    struct slack_hostile {
        std::string target;
        json envelope;
        steady::time_point sent;
        int attempts = 0;
        bool acked = false;
    };

    options o_;
    std::optional<nudgebot::test::fake_discord> discord_;
    std::optional<nudgebot::test::fake_slack> slack_;
    std::optional<nudgebot::test::fake_mattermost> mm_;
    std::atomic<bool> rest_429_[3]{}, rest_5xx_[3]{}, rest_slow_[3]{};
    std::atomic<steady::time_point> discord_quiet_until_{steady::time_point{}};
    std::mutex discord_mutex_, slack_mutex_, refused_mutex_;
    std::map<std::string, int> refused_[3];   // per platform: recipient (first 24 characters) -> refused calls
    std::set<std::string> discord_closed_;            // Discord people whose DMs are closed
    std::map<std::string, int> aimed_[3];             // per platform: person -> hostile messages aimed at them
    std::map<std::string, int> aimed_closed_;         // Discord: ... after their DMs closed
    std::uint64_t aims_[3] = {};                      // hostile messages so far, per platform
    std::vector<slack_hostile> slack_hostile_;
    std::uint64_t counts_[3] = {};
};

[[noreturn]] void child_main(const options& o, int in, int out)
{
    fake_side fakes(o);
    if (!put(out, fakes.where())) _exit(1);
    char ready = fakes.wait_ready() ? 1 : 0;
    if (!put(out, ready) || !ready) _exit(1);
    char go = 0;
    if (!get(in, go)) _exit(0);
    fakes.run();
    fakes.report(out);
    (void)get(in, go);   // the parent is done with us
    _exit(0);
}

}  // namespace

int main(int argc, char** argv)
{
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto number = [&](int& v, int low) { v = std::max(low, std::atoi(argv[++i])); };
        if (a == "--minutes" && i + 1 < argc) number(o.minutes, 1);
        else if (a == "--rate" && i + 1 < argc) number(o.rate, 3);
        else if (a == "--hostile-every" && i + 1 < argc) number(o.hostile_every, 3);
        else if (a == "--fault-every" && i + 1 < argc) number(o.fault_every, 1);
        else if (a == "--warmup-minutes" && i + 1 < argc) number(o.warmup_minutes, 0);
        else if (a == "--people" && i + 1 < argc) number(o.people, 0);
        else if (a == "--churn") o.churn = true;
        else if (a == "--no-faults") o.faults = false;
        else {
            std::fprintf(stderr, "usage: %s [--minutes M] [--rate R] [--hostile-every K] [--fault-every S] "
                                 "[--warmup-minutes W] [--people N] [--churn] [--no-faults]\n", argv[0]);
            return 2;
        }
    }
    const std::size_t aims = static_cast<std::size_t>(o.rate) * 60 * static_cast<std::size_t>(o.minutes) /
                                 static_cast<std::size_t>(o.hostile_every) / 3 + 2;
    const std::size_t targets = o.people > 0 ? std::min(aims, static_cast<std::size_t>(o.people)) : aims;

    int to_child[2], to_parent[2];
    if (pipe(to_child) != 0 || pipe(to_parent) != 0) return 2;
    std::fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        child_main(o, to_child[0], to_parent[1]);
    }
    close(to_child[0]);
    close(to_parent[1]);
    ports p;
    if (!get(to_parent[0], p)) return 2;

    // A temp folder with a database in which every person aimed at has opted in.
    auto dir = fs::temp_directory_path() / ("nudgebot-soak-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const std::string db = (dir / "soak.db").string();
    {
        auto store = nudgebot::storage::make_store("sqlite:" + db);
        nudgebot::storage::consent yes;
        yes.enabled = true;
        for (std::size_t t = 0; t < targets; ++t) {
            store->put_consent({nudgebot::core::platform::discord, nudgebot::core::user_id{discord_target(t)}}, yes);
            store->put_consent({nudgebot::core::platform::slack, nudgebot::core::user_id{slack_target(t)}}, yes);
            store->put_consent({nudgebot::core::platform::mattermost, nudgebot::core::user_id{mm_target(t)}}, yes);
        }
    }

    spdlog::set_level(spdlog::level::off);   // faults make the bot log warnings by design
    const auto port = [](std::uint16_t n) { return std::to_string(n); };
    const std::string text = R"({
      "rules": {"dir": ")" NUDGEBOT_SOURCE_DIR R"(/rules/en"},
      "storage": {"url": "sqlite:)" + db + R"("},
      "nudges": {"cooldown_minutes": 0, "daily_cap": 100},
      "platforms": {
        "discord": {"enabled": true, "token_env": "SOAK_DISCORD",
          "api_base": "http://127.0.0.1:)" + port(p.discord) + R"(/api/v10",
          "gateway_url": "ws://127.0.0.1:)" + port(p.discord) + R"(/gateway",
          "shards": {"count": 1}, "state_file": ")" + (dir / "state.json").string() + R"("},
        "slack": {"enabled": true, "bot_token_env": "SOAK_SLACK_BOT", "app_token_env": "SOAK_SLACK_APP",
          "api_base": "http://127.0.0.1:)" + port(p.slack) + R"(/api",
          "response_url_prefix": "http://127.0.0.1:)" + port(p.slack) + R"(/response/"},
        "mattermost": {"enabled": true, "token_env": "SOAK_MM", "server_url": "http://127.0.0.1:)" + port(p.mattermost) + R"(",
          "command_token_envs": ["SOAK_MM_COMMAND"], "actions_url": "http://127.0.0.1:1/mattermost/action",
          "action_secret_env": "SOAK_MM_SECRET", "listen": "127.0.0.1:0"}}
    })";
    nudgebot::core::diagnostics diags;
    auto cfg = nudgebot::app::parse_config(text, (dir / "config.json").string(), diags);
    if (!cfg) {
        diags.print(std::cerr);
        return 2;
    }
    const std::map<std::string, std::string> env{
        {"SOAK_DISCORD", "soak-discord-token"},     {"SOAK_SLACK_BOT", "xoxb-soak-1-bot"},
        {"SOAK_SLACK_APP", "xapp-soak-2-app"},      {"SOAK_MM", nudgebot::test::fake_mattermost_options{}.token},
        {"SOAK_MM_COMMAND", "soak-command-token"}, {"SOAK_MM_SECRET", "soak-action-secret"}};
    nudgebot::app::wiring_hooks hooks;
    hooks.getenv = [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    hooks.ops_listener = false;
    hooks.tune_router = [](nudgebot::commands::bot_options& d) {
        // Every hostile message aims at a new person in one of 64 channels: lift the channel rate
        // so that the soak measures the bot, not the policy's limits.
        d.policy.channel_max = 1000000;
    };
    hooks.tune_discord = [](nudgebot::discord::settings& s) {
        s.reconnect.base = 100ms;
        s.invalid_session_wait_min = 200ms;
        s.invalid_session_wait_max = 500ms;
    };
    hooks.tune_slack = [](nudgebot::slack::settings& s) {
        s.reconnect.base = 50ms;
        s.reconnect.cap = 500ms;
    };
    hooks.tune_mattermost = [](nudgebot::mattermost::settings& s) {
        s.reconnect.base = 50ms;
        s.reconnect.cap = 500ms;
    };
    const int fds_before_bot = open_fds();
    auto bot = nudgebot::app::bot::create(*cfg, std::cerr, hooks);
    if (!bot) return 2;
    std::thread runner([&] { bot->run(); });

    char ready = 0;
    if (!get(to_parent[0], ready) || !ready) {
        std::fprintf(stderr, "the bot did not connect to all three fakes within 60 s\n");
        bot->stop();
        runner.join();
        kill(child, SIGKILL);
        return 1;
    }
    const int fds_ready = open_fds();
    const long rss_ready = nudgebot::bench::status_kb("VmRSS:");
    std::printf("soak: %d min at %d messages/s (a hostile one every %d), faults every %d s%s%s; %zu people opted in "
                "per platform, each aimed at about %zu times\n",
                o.minutes, o.rate, o.hostile_every, o.fault_every, o.faults ? "" : " (off)", o.churn ? ", churn" : "",
                targets, (aims + targets - 1) / targets);
    std::printf("  ready: RSS %.1f MB, %d open descriptors\n", rss_ready / 1024.0, fds_ready);
    std::fflush(stdout);

    std::atomic<bool> done{false};
    long rss_warm = -1, rss_max_after_warm = 0;
    int fds_warm = own_descriptors(fd_census(p));   // the most seen up to the end of the warm-up
    std::thread sampler([&] {
        const auto t0 = steady::now();
        for (int minute = 1; !done; ++minute) {
            const auto at = t0 + std::chrono::minutes(minute);
            while (!done && steady::now() < at) std::this_thread::sleep_for(200ms);
            if (done) break;
            const long rss = nudgebot::bench::status_kb("VmRSS:");
            const auto census = fd_census(p);
            const int fds = open_fds();
            const int warm_minute = std::max(1, std::min(o.warmup_minutes, o.minutes - 1));
            if (minute <= warm_minute) fds_warm = std::max(fds_warm, own_descriptors(census));
            if (minute == warm_minute) rss_warm = rss;
            if (rss_warm > 0 && minute > o.warmup_minutes) rss_max_after_warm = std::max(rss_max_after_warm, rss);
            std::printf("  %3d min: RSS %.1f MB, %d open descriptors (%s)\n", minute, rss / 1024.0, fds,
                        show(census).c_str());
            std::fflush(stdout);
        }
    });
    char go = 1;
    if (!put(to_child[1], go)) return 2;
    tally t[3];
    const bool got = get(to_parent[0], t);
    done = true;
    sampler.join();
    const long rss_end = nudgebot::bench::status_kb("VmRSS:");
    const int fds_end = open_fds();
    const auto census_end = fd_census(p);
    const int fds_end_own = own_descriptors(census_end);
    bot->stop();
    runner.join();
    bot.reset();
    // Everything the bot opened must be closed once it is gone: nothing pooled can hide a leak here.
    const int fds_after_bot = open_fds();
    (void)put(to_child[1], go);
    close(to_child[1]);
    int status = 0;
    waitpid(child, &status, 0);
    fs::remove_all(dir);
    if (!got) {
        std::fprintf(stderr, "the fakes did not report\n");
        return 1;
    }

    bool ok = true;
    const char* names[3] = {"discord", "slack", "mattermost"};
    for (int i = 0; i < 3; ++i) {
        std::printf("  %-10s messages %llu, hostile %llu, nudges expected %llu, sent %llu, lost %llu, duplicated %llu "
                    "(DMs closed %llu, delivery calls refused by faults %llu)\n",
                    names[i], static_cast<unsigned long long>(t[i].messages), static_cast<unsigned long long>(t[i].hostile),
                    static_cast<unsigned long long>(t[i].expected), static_cast<unsigned long long>(t[i].nudged),
                    static_cast<unsigned long long>(t[i].lost), static_cast<unsigned long long>(t[i].duplicated),
                    static_cast<unsigned long long>(t[i].dm_closed), static_cast<unsigned long long>(t[i].refused));
        if (t[i].lost || t[i].duplicated || t[i].expected == 0) {
            std::printf("FAIL: %s nudges lost or duplicated\n", names[i]);
            ok = false;
        }
    }
    const long rss_after = std::max(rss_end, rss_max_after_warm);
    const double growth = rss_warm > 0 ? 100.0 * (static_cast<double>(rss_after) - rss_warm) / rss_warm : 0.0;
    std::printf("  RSS: ready %.1f MB, after warm-up %.1f MB, highest later %.1f MB (%+.1f %%)\n", rss_ready / 1024.0,
                rss_warm / 1024.0, rss_after / 1024.0, growth);
    std::printf("  descriptors: ready %d, end %d (%s); other than connections to the platforms: most during the "
                "warm-up %d, end %d; before the bot was made %d, after it was destroyed %d\n",
                fds_ready, fds_end, show(census_end).c_str(), fds_warm, fds_end_own, fds_before_bot, fds_after_bot);
    for (const auto* platform : {"discord", "slack", "mattermost"})
        if (connections_to(census_end, platform) > 9) {
            std::printf("FAIL: %d connections to %s, more than its socket and a full keep-alive pool\n",
                        connections_to(census_end, platform), platform);
            ok = false;
        }
    if (fds_after_bot > fds_before_bot) {
        std::printf("FAIL: %d descriptors outlived the bot\n", fds_after_bot - fds_before_bot);
        ok = false;
    }
    if (growth > 10.0) {
        std::printf("FAIL: RSS grew more than 10 %% after the warm-up\n");
        ok = false;
    }
    if (fds_end_own > fds_warm) {
        std::printf("FAIL: %d descriptors leaked\n", fds_end_own - fds_warm);
        ok = false;
    }
    std::printf(ok ? "PASS\n" : "FAIL\n");
    return ok ? 0 : 1;
}
