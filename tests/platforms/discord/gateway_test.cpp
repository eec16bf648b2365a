#include "platforms/discord/gateway.hpp"

#include "platforms/discord/harness.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace nudgebot;
using namespace nudgebot::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::vector<fake_frame> frames_with_op(const fake_discord& fake, int op)
{
    std::vector<fake_frame> out;
    for (auto& f : fake.received())
        if (f.op == op) out.push_back(f);
    return out;
}

std::size_t messages(const harness& h) { return h.count<core::message_created>(); }

}  // namespace

TEST_CASE("A shard identifies with its intents and shard, becomes ready and heartbeats with jitter",
          "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    REQUIRE(h.run_until([&] { return h.fake.count_received(1) >= 4; }));

    auto identify = frames_with_op(h.fake, 2);
    REQUIRE(identify.size() == 1);
    const auto& d = identify[0].payload["d"];
    CHECK(d["intents"] == 37377);
    CHECK(d["shard"] == json::array({0, 1}));
    CHECK(d["token"] == test_token);
    CHECK(h.fake.connection_target(0) == "/gateway?v=10&encoding=json");

    auto beats = frames_with_op(h.fake, 1);
    // After the first (jittered) beat, beats follow the 100 ms interval from HELLO.
    for (std::size_t i = 2; i < beats.size(); ++i) {
        auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(beats[i].at - beats[i - 1].at);
        CHECK(gap >= 80ms);
        CHECK(gap <= 200ms);
    }
    // The first beat carries the last sequence (READY was seq 1) or null before any dispatch.
    CHECK((beats.back().payload["d"].is_null() || beats.back().payload["d"] == 1));
    auto ready = std::get<core::session_ready>(h.events.front());
    CHECK(ready.bot_user.str() == h.fake.options().bot_user_id);
    CHECK(h.bot->status().application_id == h.fake.options().app_id);
}

TEST_CASE("The first heartbeat waits a random part of the interval, not the whole of it", "[discord][gateway]")
{
    // Across several connections the first beat must not always come at the same offset.
    std::vector<std::int64_t> offsets;
    for (int i = 0; i < 4; ++i) {
        fake_discord_options fo;
        fo.heartbeat_interval_ms = 200;
        harness h(fo);
        REQUIRE(h.start_and_wait_ready());
        REQUIRE(h.run_until([&] { return h.fake.count_received(1) >= 1; }));
        auto identify_at = frames_with_op(h.fake, 2).at(0).at;
        auto first_beat = frames_with_op(h.fake, 1).at(0).at;
        offsets.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(first_beat - identify_at).count());
        CHECK(offsets.back() < 230);
    }
    auto [lo, hi] = std::minmax_element(offsets.begin(), offsets.end());
    CHECK(*hi - *lo > 5);
}

TEST_CASE("A missing heartbeat ACK closes the zombie connection and resumes the session", "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    auto zombies = metric("discord_gateway_zombies_total");
    h.fake.set_ack_heartbeats(false);
    REQUIRE(h.run_until([&] {
        if (h.fake.resumes() >= 1) {
            h.fake.set_ack_heartbeats(true);
            return true;
        }
        return false;
    }));
    CHECK(metric("discord_gateway_zombies_total") == zombies + 1);
    CHECK(h.fake.identifies() == 1);
    CHECK(h.fake.connection_target(1).rfind("/resume?v=10&encoding=json", 0) == 0);
    h.fake.dispatch("MESSAGE_CREATE", message_payload("1001", "after the zombie"));
    CHECK(h.run_until([&] { return messages(h) == 1; }));
}

TEST_CASE("Op 7 makes the shard resume on resume_gateway_url with the last sequence", "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    for (int i = 0; i < 3; ++i) h.fake.dispatch("MESSAGE_CREATE", message_payload(std::to_string(2000 + i), "hello"));
    REQUIRE(h.run_until([&] { return messages(h) == 3; }));
    h.fake.send_op(7, nullptr);
    REQUIRE(h.run_until([&] { return h.fake.resumes() == 1; }));
    auto resume = frames_with_op(h.fake, 6).at(0);
    CHECK(resume.payload["d"]["seq"] == 4);   // READY was 1, then three messages
    CHECK(resume.payload["d"]["session_id"] == "session-1");
    CHECK(resume.connection == 1);
    CHECK(h.fake.connection_target(1) == "/resume?v=10&encoding=json");
    CHECK(h.fake.identifies() == 1);
}

TEST_CASE("Op 9 with d true resumes the session", "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.send_op(9, true);
    REQUIRE(h.run_until([&] { return h.fake.resumes() == 1; }));
    CHECK(h.fake.identifies() == 1);
}

TEST_CASE("Op 9 with d false waits, then identifies a new session", "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    auto before = std::chrono::steady_clock::now();
    h.fake.send_op(9, false);
    REQUIRE(h.run_until([&] { return h.fake.identifies() == 2; }));
    auto waited = std::chrono::steady_clock::now() - before;
    CHECK(waited >= 20ms);   // invalid_session_wait_min in the test settings
    CHECK(h.fake.resumes() == 0);
    REQUIRE(h.run_until([&] { return h.count<core::session_ready>() == 2; }));
}

TEST_CASE("A failed resume falls back to a new session", "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.set_resume_fails(true);
    h.fake.send_op(7, nullptr);
    REQUIRE(h.run_until([&] { return h.fake.identifies() == 2 && h.count<core::session_ready>() == 2; }));
    CHECK(h.fake.resumes() == 1);
}

TEST_CASE("Every close code leads to a resume, a new session or a stop", "[discord][gateway]")
{
    int code = GENERATE(1000, 1001, 4000, 4001, 4002, 4003, 4005, 4007, 4008, 4009, 4004, 4010, 4011, 4012, 4013,
                        4014);
    CAPTURE(code);
    harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.close(code);
    if (discord::is_fatal_close_code(code)) {
        REQUIRE(h.run_until([&] { return h.bot->status().finished; }));
        h.run_for(150ms);
        CHECK(h.fake.connections() == 1);   // no retry loop
        CHECK(h.bot->status().exit_code == 1);
        CHECK(h.logs.str().find(std::to_string(code)) != std::string::npos);
    } else if (code == 4003 || code == 4007 || code == 4009) {
        REQUIRE(h.run_until([&] { return h.fake.identifies() == 2; }));
        CHECK(h.fake.resumes() == 0);
    } else {
        REQUIRE(h.run_until([&] { return h.fake.resumes() == 1; }));
        CHECK(h.fake.identifies() == 1);
    }
}

TEST_CASE("A TCP connection dropped without a close frame is resumed", "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.drop();
    REQUIRE(h.run_until([&] { return h.fake.resumes() == 1; }));
    CHECK(h.fake.identifies() == 1);
    h.fake.dispatch("MESSAGE_CREATE", message_payload("3001", "still here"));
    CHECK(h.run_until([&] { return messages(h) == 1; }));
}

TEST_CASE("Events replayed after a resume are not processed twice", "[discord][gateway]")
{
    fake_discord_options fo;
    fo.replay_overlap = 2;   // the fake replays two events the client already had
    harness h(fo);
    REQUIRE(h.start_and_wait_ready());
    for (int i = 0; i < 3; ++i) h.fake.dispatch("MESSAGE_CREATE", message_payload(std::to_string(4000 + i), "x"));
    REQUIRE(h.run_until([&] { return messages(h) == 3; }));
    auto dups = metric("discord_gateway_duplicates_total");
    h.fake.send_op(7, nullptr);
    REQUIRE(h.run_until([&] { return h.fake.resumes() == 1; }));
    h.fake.dispatch("MESSAGE_CREATE", message_payload("4003", "y"));
    REQUIRE(h.run_until([&] { return messages(h) == 4; }));
    h.run_for(50ms);
    CHECK(messages(h) == 4);
    CHECK(metric("discord_gateway_duplicates_total") >= dups + 2);
}

TEST_CASE("Malformed JSON, unknown opcodes and a 1 MB frame are counted and skipped", "[discord][gateway]")
{
    // A long interval: parsing 1 MB in a sanitizer build can outlast a 100 ms beat, and a late
    // ACK would (rightly) count as a zombie and reconnect.
    fake_discord_options fo;
    fo.heartbeat_interval_ms = 2000;
    harness h(fo);
    REQUIRE(h.start_and_wait_ready());
    auto malformed = metric("discord_gateway_errors_total", {{"kind", "malformed"}});
    auto unknown = metric("discord_gateway_errors_total", {{"kind", "unknown_opcode"}});
    h.fake.send_raw("{this is not json");
    h.fake.send_raw("[1,2,3]");
    h.fake.send_raw(R"({"op":"ten"})");
    h.fake.send_raw(R"({"op":42,"d":null})");
    h.fake.send_raw(json{{"op", 0}, {"t", "SOMETHING_BIG"}, {"s", nullptr}, {"d", {{"pad", std::string(1 << 20, 'a')}}}}
                        .dump());
    h.fake.send_raw(R"({"op":0,"t":"MESSAGE_CREATE","s":null,"d":{"id":5}})");
    h.fake.dispatch("MESSAGE_CREATE", message_payload("5001", "fine"));
    REQUIRE(h.run_until([&] { return messages(h) == 1; }));
    CHECK(metric("discord_gateway_errors_total", {{"kind", "malformed"}}) == malformed + 3);
    CHECK(metric("discord_gateway_errors_total", {{"kind", "unknown_opcode"}}) == unknown + 1);
    CHECK(h.fake.connections() == 1);
}

TEST_CASE("zlib-stream frames are inflated on one context, also when split over several messages",
          "[discord][gateway][zlib]")
{
    fake_discord_options fo;
    fo.split_compressed_frames = true;
    harness h(fo, [](discord::settings& s) { s.compress = true; });
    REQUIRE(h.start_and_wait_ready());
    CHECK(h.fake.connection_target(0) == "/gateway?v=10&encoding=json&compress=zlib-stream");
    for (int i = 0; i < 20; ++i) h.fake.dispatch("MESSAGE_CREATE", message_payload(std::to_string(6000 + i), "zip"));
    REQUIRE(h.run_until([&] { return messages(h) == 20; }));
    CHECK(h.fake.connections() == 1);
}

TEST_CASE("A truncated zlib stream is counted and the shard reconnects and resumes", "[discord][gateway][zlib]")
{
    harness h({}, [](discord::settings& s) { s.compress = true; });
    REQUIRE(h.start_and_wait_ready());
    auto inflate_errors = metric("discord_gateway_errors_total", {{"kind", "inflate"}});
    h.fake.send_truncated_zlib();
    h.fake.dispatch("MESSAGE_CREATE", message_payload("7001", "lost in the broken stream"));
    REQUIRE(h.run_until([&] { return h.fake.resumes() == 1; }));
    CHECK(metric("discord_gateway_errors_total", {{"kind", "inflate"}}) >= inflate_errors + 1);
    h.fake.dispatch("MESSAGE_CREATE", message_payload("7002", "after"));
    CHECK(h.run_until([&] { return messages(h) >= 1; }));
}

TEST_CASE("Shards share one io_context and identify one max_concurrency slot apart", "[discord][gateway][shards]")
{
    fake_discord_options fo;
    fo.shards = 4;   // "auto" takes the recommended count from /gateway/bot
    harness h(fo, [](discord::settings& s) { s.identify_interval = std::chrono::milliseconds(40); });
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.count<core::session_ready>() == 4; }));
    auto identifies = frames_with_op(h.fake, 2);
    REQUIRE(identifies.size() == 4);
    std::vector<int> shard_ids;
    for (auto& f : identifies) {
        CHECK(f.payload["d"]["shard"][1] == 4);
        shard_ids.push_back(f.payload["d"]["shard"][0].get<int>());
    }
    std::sort(shard_ids.begin(), shard_ids.end());
    CHECK(shard_ids == std::vector<int>{0, 1, 2, 3});
    // Slots are 40 ms apart at the client; measured at the fake, one late send can shorten a
    // single gap, but four identifies can never fit in less than three slots.
    CHECK(identifies.back().at - identifies.front().at >= 110ms);
}

TEST_CASE("Only the configured shard ids run", "[discord][gateway][shards]")
{
    harness h({}, [](discord::settings& s) {
        s.shard_count = 8;
        s.shard_ids = {3, 5};
    });
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.count<core::session_ready>() == 2; }));
    std::vector<int> ids;
    for (auto& f : frames_with_op(h.fake, 2)) ids.push_back(f.payload["d"]["shard"][0].get<int>());
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<int>{3, 5});
}

TEST_CASE("Messages from bots and from nudgebot itself are ignored", "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.dispatch("MESSAGE_CREATE", message_payload("8001", "from a bot", "500000000000000009", true));
    h.fake.dispatch("MESSAGE_CREATE", message_payload("8002", "from ourselves", h.fake.options().bot_user_id));
    h.fake.dispatch("MESSAGE_CREATE", message_payload("8003", "from a person"));
    REQUIRE(h.run_until([&] { return messages(h) == 1; }));
    h.run_for(30ms);
    CHECK(messages(h) == 1);
    const auto& m = std::get<core::message_created>(h.events.back()).message;
    CHECK(m.id.str() == "8003");
}

TEST_CASE("Guild messages with empty content produce one clear warning about MESSAGE_CONTENT",
          "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    h.fake.dispatch("MESSAGE_CREATE", message_payload("9001", ""));
    h.fake.dispatch("MESSAGE_CREATE", message_payload("9002", ""));
    REQUIRE(h.run_until([&] { return messages(h) == 2; }));
    auto logs = h.logs.str();
    auto first = logs.find("MESSAGE_CONTENT");
    REQUIRE(first != std::string::npos);
    CHECK(logs.find("MESSAGE_CONTENT", first + 1) == std::string::npos);
}

TEST_CASE("The token and message text never appear in the logs", "[discord][gateway][privacy]")
{
    std::string logs;
    {
        harness h;
        REQUIRE(h.start_and_wait_ready());
        h.fake.dispatch("MESSAGE_CREATE", message_payload("9101", "a very private sentence"));
        h.fake.send_op(7, nullptr);
        REQUIRE(h.run_until([&] { return h.fake.resumes() == 1; }));
        h.fake.send_op(9, false);
        REQUIRE(h.run_until([&] { return h.fake.identifies() == 2; }));
        h.fake.close(4004);
        REQUIRE(h.run_until([&] { return h.bot->status().finished; }));
        logs = h.logs.str();
    }
    CHECK(!logs.empty());
    CHECK(logs.find("secret-token-value") == std::string::npos);
    CHECK(logs.find("NzAwMDAwMDAwMDAwMDAwMDAy") == std::string::npos);
    CHECK(logs.find("very private") == std::string::npos);
}

TEST_CASE("Stopping closes every shard and ends the adapter with exit code 0", "[discord][gateway]")
{
    harness h;
    REQUIRE(h.start_and_wait_ready());
    h.bot->stop();
    REQUIRE(h.run_until([&] { return h.bot->status().finished; }));
    CHECK(h.bot->status().exit_code == 0);
    CHECK(h.run_until([&] { return h.fake.open_connections() == 0; }));
}

TEST_CASE("A heartbeat request (op 1) from Discord is answered at once", "[discord][gateway]")
{
    fake_discord_options fo;
    fo.heartbeat_interval_ms = 5000;   // so that a regular beat cannot be mistaken for the answer
    harness h(fo);
    REQUIRE(h.start_and_wait_ready());
    auto before = h.fake.count_received(1);
    auto asked = std::chrono::steady_clock::now();
    h.fake.send_op(1, nullptr);
    REQUIRE(h.run_until([&] { return h.fake.count_received(1) > before; }, 1000ms));
    CHECK(std::chrono::steady_clock::now() - asked < 500ms);
}

TEST_CASE("An exhausted daily identify budget stops re-identifying instead of looping", "[discord][gateway]")
{
    fake_discord_options fo;
    fo.identify_remaining = 1;
    harness h(fo);
    REQUIRE(h.start_and_wait_ready());
    h.fake.send_op(9, false);   // a new session is needed, but no IDENTIFY is left today
    h.run_for(400ms);
    CHECK(h.fake.identifies() == 1);
    CHECK(h.logs.str().find("IDENTIFY budget exhausted") != std::string::npos);
}

TEST_CASE("A gateway that never sends HELLO is left after the connect timeout", "[discord][gateway]")
{
    harness h({}, [](discord::settings& s) { s.connect_timeout = std::chrono::milliseconds(200); });
    h.fake.set_send_hello(false);
    h.bot->start();
    REQUIRE(h.run_until([&] { return h.fake.connections() >= 2; }, 3000ms));
    CHECK(h.fake.identifies() == 0);
    h.fake.set_send_hello(true);
    CHECK(h.run_until([&] { return h.ready(); }, 3000ms));
}
