// /metrics as Prometheus scrapes it from a running bot: every latency histogram and state gauge
// an on-call person queries is there with HELP and TYPE before the first message, and the
// latency histograms count once traffic flows.
#include "app/wiring.hpp"

#include "app/e2e_world.hpp"


using namespace nudgebot;
using namespace nudgebot::e2e;

namespace {

const person alice{"900000000000000051", "alice"};
const std::string hostile = "you ALWAYS break the build, are you even trying??";   // written for this test

bool has_line(const std::string& text, const std::string& line)
{
    return text.find(line + "\n") != std::string::npos;
}

// The value of one series line ("name{labels} value"), or -1 when it is missing.
double value_of(const std::string& text, const std::string& series)
{
    auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::atof(text.c_str() + at + 1 + series.size() + 1);
}

struct histogram_series {
    std::string name;
    std::string labels;   // without braces, "" for none
};

std::string with(const std::string& labels, const std::string& more)
{
    return "{" + (labels.empty() ? more : labels + "," + more) + "}";
}

std::string count_series(const histogram_series& h)
{
    return h.name + "_count" + (h.labels.empty() ? "" : "{" + h.labels + "}");
}

}  // namespace

TEST_CASE("/metrics has every latency histogram and state gauge with HELP and TYPE before the first message",
          "[app][ops][metrics]")
{
    world w;
    w.cfg.nudges.cooldown_minutes = 0;
    w.start();
    const auto [status, before] = http_get(w.bot->ops_port(), "/metrics");
    REQUIRE(status == 200);

    const std::vector<histogram_series> histograms{
        {"nudgebot_frame_to_decision_seconds", R"(platform="discord")"},
        {"nudgebot_decision_seconds", ""},
        {"nudgebot_delivery_seconds", ""},
        {"nudgebot_rest_seconds", R"(platform="discord")"},
        {"nudgebot_store_operation_seconds", R"(op="claim_daily")"},
        {"nudgebot_store_operation_seconds", R"(op="put_consent")"},
        {"nudgebot_store_operation_seconds", R"(op="put_state")"},
    };
    for (const auto& h : histograms) {
        INFO(h.name << " " << h.labels);
        CHECK(before.find("# HELP " + h.name + " ") != std::string::npos);
        CHECK(has_line(before, "# TYPE " + h.name + " histogram"));
        CHECK(value_of(before, h.name + "_bucket" + with(h.labels, R"(le="+Inf")")) >= 0);
        CHECK(value_of(before, count_series(h)) >= 0);
    }
    // The registry is the process's: counts start at 0 under ctest (a process per test case) and
    // at what earlier test cases left when several run in one process, so only growth is checked.
    const auto decided_before = value_of(before, "nudgebot_frame_to_decision_seconds_count{platform=\"discord\"}");
    const auto delivered_before = value_of(before, "nudgebot_delivery_seconds_count");

    for (const std::string gauge : {"nudgebot_ready", "nudgebot_store_queue_depth", "nudgebot_store_reachable",
                                    "nudgebot_discord_shards_running", "nudgebot_platform_connected",
                                    "discord_shard_connected"}) {
        INFO(gauge);
        CHECK(before.find("# HELP " + gauge + " ") != std::string::npos);
        CHECK(has_line(before, "# TYPE " + gauge + " gauge"));
    }
    CHECK(value_of(before, "nudgebot_discord_shards_running") == 1);
    CHECK(value_of(before, "discord_shard_connected{shard=\"0\"}") == 1);
    CHECK(value_of(before, "nudgebot_platform_connected{platform=\"discord\"}") == 1);
    CHECK(value_of(before, "nudgebot_store_queue_depth") >= 0);
    CHECK(has_line(before, "# TYPE nudgebot_reloads_total counter"));
    CHECK(value_of(before, "nudgebot_reloads_total{result=\"failed\"}") >= 0);

    // Traffic: a heated message to an opted-in person is decided and delivered.
    REQUIRE(w.wait_answer(w.command(alice, "nudge", "on")));
    w.say(alice, hostile, "1100000000000000001");
    REQUIRE(eventually([&] { return w.dms_to(alice).size() == 1; }));
    std::string after;
    REQUIRE(eventually([&] {
        after = http_get(w.bot->ops_port(), "/metrics").second;
        return value_of(after, "nudgebot_delivery_seconds_count") > delivered_before;
    }));
    CHECK(value_of(after, "nudgebot_frame_to_decision_seconds_count{platform=\"discord\"}") > decided_before);
    CHECK(value_of(after, "nudgebot_decision_seconds_count") > value_of(before, "nudgebot_decision_seconds_count"));
    CHECK(value_of(after, "nudgebot_rest_seconds_count{platform=\"discord\"}") >
          value_of(before, "nudgebot_rest_seconds_count{platform=\"discord\"}"));
    CHECK(value_of(after, "nudgebot_store_operation_seconds_count{op=\"put_consent\"}") >
          value_of(before, "nudgebot_store_operation_seconds_count{op=\"put_consent\"}"));
    // Message text never reaches the metrics.
    CHECK(after.find("ALWAYS") == std::string::npos);
}
