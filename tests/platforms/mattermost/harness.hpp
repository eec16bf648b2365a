// A Mattermost adapter wired to a fake Mattermost over loopback, with fast timings and a log
// capture (the "mattermost" logger), on the shared adapter_harness, plus posts, slash commands and
// button presses written for these tests.
//
// Contract: test-only. Everything runs on the test thread (the adapter's io_context) except the
// fake, which has its own thread.
#pragma once

#include "platforms/mattermost/adapter.hpp"
#include "support/adapter_harness.hpp"
#include "support/fake_mattermost.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <functional>
#include <string>

namespace nudgebot::test {

inline constexpr const char* mm_command_token = "cmdtoken-secret-value-000000";
inline constexpr const char* mm_action_secret = "action-secret-value-0000000";
inline const std::string mm_team = "team00000000000000000000001";
inline const std::string mm_channel = "chan00000000000000000000001";

inline std::string mm_user(const std::string& name)
{
    auto id = "u" + name;
    id.resize(26, '0');
    return id;
}

struct mm_harness : adapter_harness<fake_mattermost, mattermost::adapter> {
    int next_post = 1;

    explicit mm_harness(fake_mattermost_options fo = {}, const std::function<void(mattermost::settings&)>& tweak = {})
        : adapter_harness("mattermost", nullptr, std::move(fo))
    {
        mattermost::settings s;
        s.server_url = fake.server_url();
        s.token = fake.options().token;
        s.command_tokens = {mm_command_token};
        s.actions_url = "http://127.0.0.1:1/mattermost/action";
        s.action_secret = mm_action_secret;
        fast_connection_timings(s);
        s.keepalive = std::chrono::milliseconds(3000);
        s.rest_timeout = std::chrono::milliseconds(3000);
        s.rest_retry_base = std::chrono::milliseconds(20);
        if (tweak) tweak(s);
        make_bot(std::move(s));
    }

    // A post written for these tests.
    nlohmann::json post(const std::string& user, const std::string& text, const std::string& root = "",
                        const std::string& channel = mm_channel)
    {
        auto id = "p" + std::to_string(next_post++);
        id.resize(26, '0');
        return {{"id", id},          {"create_at", 1767225600000 + next_post}, {"update_at", 1767225600000}, {"edit_at", 0},
                {"user_id", user},   {"channel_id", channel},                {"root_id", root},             {"message", text},
                {"type", ""},        {"props", nlohmann::json::object()}};
    }

    // A slash-command POST as Mattermost sends it (form-encoded).
    net::server_request command(const std::string& command, const std::string& text, const std::string& user,
                                const std::string& response_name, const std::string& token = mm_command_token)
    {
        auto enc = [](const std::string& s) {
            std::string out;
            for (unsigned char c : s) {
                if (std::isalnum(c)) out += static_cast<char>(c);
                else if (c == ' ') out += '+';
                else {
                    char buf[4];
                    std::snprintf(buf, sizeof buf, "%%%02X", c);
                    out += buf;
                }
            }
            return out;
        };
        net::server_request r;
        r.method = "POST";
        r.target = "/mattermost/command";
        r.remote = "127.0.0.1";
        r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
        r.headers.push_back({"Authorization", "Token " + token});
        r.body = "channel_id=" + mm_channel + "&channel_name=town-square&command=" + enc(command) +
                 "&response_url=" + enc(fake.response_url(response_name)) + "&team_domain=acme&team_id=" + mm_team +
                 "&text=" + enc(text) + "&token=" + token + "&trigger_id=trig-" + response_name + "&user_id=" + user +
                 "&user_name=someone";
        return r;
    }

    // A button press as Mattermost POSTs it: `context` is what the button carried (Mattermost echoes
    // a button's integration context word for word).
    net::server_request action(const std::string& user, const nlohmann::json& context)
    {
        net::server_request r;
        r.method = "POST";
        r.target = "/mattermost/action";
        r.remote = "127.0.0.1";
        r.body = nlohmann::json{{"user_id", user},
                                {"channel_id", mm_channel},
                                {"team_id", mm_team},
                                {"post_id", "post00000000000000000000009"},
                                {"trigger_id", "trig-action"},
                                {"type", "button"},
                                {"context", context}}
                     .dump();
        return r;
    }
};

}  // namespace nudgebot::test
