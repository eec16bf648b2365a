// A Discord adapter wired to a fake Discord over loopback, with fast timings and a log capture
// (the "discord" logger), on the shared adapter_harness.
//
// Contract: test-only. Everything runs on the test thread (the adapter's io_context) except the
// fake, which has its own thread. Teardown waits up to 1.5 s for the adapter to finish or the
// fake to see every gateway connection closed.
#pragma once

#include "platforms/discord/adapter.hpp"
#include "support/adapter_harness.hpp"
#include "support/fake_discord.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace nudgebot::test {

inline constexpr const char* test_token = "NzAwMDAwMDAwMDAwMDAwMDAy.TEST.secret-token-value";

inline discord::settings fast_settings(const fake_discord& fake)
{
    discord::settings s;
    s.token = test_token;
    s.api_base = fake.api_base();
    s.gateway_url = fake.gateway_url();
    s.compress = false;
    fast_connection_timings(s);
    s.invalid_session_wait_min = std::chrono::milliseconds(20);
    s.invalid_session_wait_max = std::chrono::milliseconds(60);
    s.identify_interval = std::chrono::milliseconds(10);
    s.rest_timeout = std::chrono::milliseconds(3000);
    s.rest_retry_base = std::chrono::milliseconds(20);
    return s;
}

struct harness : adapter_harness<fake_discord, discord::adapter> {
    explicit harness(fake_discord_options fo = {}, const std::function<void(discord::settings&)>& tweak = {})
        : adapter_harness("discord", nullptr, std::move(fo))
    {
        auto s = fast_settings(fake);
        if (tweak) tweak(s);
        make_bot(std::move(s));
        stopped = [](discord::adapter& b, fake_discord& f) { return b.status().finished || f.open_connections() == 0; };
        stop_grace = std::chrono::milliseconds(1500);
    }
};

// A MESSAGE_CREATE payload written for these tests (not copied from any data set).
inline nlohmann::json message_payload(const std::string& id, const std::string& text,
                                      const std::string& author = "500000000000000001", bool bot = false)
{
    return {{"id", id},
            {"channel_id", "400000000000000001"},
            {"guild_id", "300000000000000001"},
            {"author", {{"id", author}, {"username", "sam"}, {"bot", bot}}},
            {"content", text},
            {"timestamp", "2026-03-01T10:00:00.000000+00:00"},
            {"mentions", nlohmann::json::array()},
            {"type", 0}};
}

}  // namespace nudgebot::test
