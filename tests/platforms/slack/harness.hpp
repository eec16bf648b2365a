// A Slack adapter wired to a fake Slack over loopback, with fast timings and a log capture (the
// "slack" logger), on the shared adapter_harness.
//
// Contract: test-only. Everything runs on the test thread (the adapter's io_context) except the
// fake, which has its own thread. `use_clock`, when given, replaces the system clock and must
// outlive the harness.
#pragma once

#include "platforms/slack/adapter.hpp"
#include "support/adapter_harness.hpp"
#include "support/fake_slack.hpp"

#include <functional>

namespace nudgebot::test {

inline constexpr const char* slack_app_token = "xapp-1-A1-111-app-secret-value";
inline constexpr const char* slack_bot_token = "xoxb-111-222-bot-secret-value";

struct slack_harness : adapter_harness<fake_slack, slack::adapter> {
    explicit slack_harness(const std::function<void(slack::settings&)>& tweak = {}, const core::clock* use_clock = nullptr)
        : adapter_harness("slack", use_clock)
    {
        slack::settings s;
        s.app_token = slack_app_token;
        s.bot_token = slack_bot_token;
        s.api_base = fake.api_base();
        s.response_url_prefix = fake.response_prefix();
        fast_connection_timings(s);
        s.keepalive = std::chrono::milliseconds(3000);
        s.web_timeout = std::chrono::milliseconds(3000);
        s.web_retry_base = std::chrono::milliseconds(20);
        if (tweak) tweak(s);
        make_bot(std::move(s));
    }
};

}  // namespace nudgebot::test
