#include "core/metrics.hpp"
#include "core/diagnostics.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot::core;

TEST_CASE("A counter keeps its value and renders as Prometheus text with its labels", "[core][metrics]")
{
    metrics m;
    m.counter("nudgebot_frames_total", {{"platform", "discord"}}).add(3);
    m.counter("nudgebot_frames_total", {{"platform", "discord"}}).add();
    CHECK(m.value("nudgebot_frames_total", {{"platform", "discord"}}) == 4);
    CHECK(m.value("nudgebot_frames_total", {{"platform", "slack"}}) == 0);
    auto text = m.render_prometheus();
    CHECK(text.find("# TYPE nudgebot_frames_total counter\n") != std::string::npos);
    CHECK(text.find("nudgebot_frames_total{platform=\"discord\"} 4\n") != std::string::npos);
}

TEST_CASE("Diagnostics print sorted by file, line and column in compiler form", "[core][diagnostics]")
{
    diagnostics d;
    d.error("b.json", 1, 1, "second file");
    d.error("a.json", 9, 2, "later line");
    d.warning("a.json", 3, 7, "earlier line");
    CHECK(d.has_errors());
    CHECK(d.to_string() ==
          "a.json:3:7: warning: earlier line\n"
          "a.json:9:2: error: later line\n"
          "b.json:1:1: error: second file\n");
}

TEST_CASE("A histogram renders cumulative buckets, sum and count with its HELP and TYPE lines", "[core][metrics]")
{
    metrics m;
    m.describe("nudgebot_store_operation_seconds", "Time one store operation took.");
    auto& h = m.histogram("nudgebot_store_operation_seconds", {{"op", "put_consent"}}, {0.001, 0.01});
    auto& unused = m.histogram("nudgebot_store_operation_seconds", {{"op", "forget_user"}}, {0.001, 0.01});
    h.observe(0.0005);
    h.observe(0.005);
    h.observe(0.005);
    h.observe(3);
    CHECK(h.count() == 4);
    CHECK(unused.count() == 0);
    auto text = m.render_prometheus();
    CHECK(text.find("# HELP nudgebot_store_operation_seconds Time one store operation took.\n"
                    "# TYPE nudgebot_store_operation_seconds histogram\n") != std::string::npos);
    CHECK(text.find("nudgebot_store_operation_seconds_bucket{op=\"put_consent\",le=\"0.001\"} 1\n") != std::string::npos);
    CHECK(text.find("nudgebot_store_operation_seconds_bucket{op=\"put_consent\",le=\"0.01\"} 3\n") != std::string::npos);
    CHECK(text.find("nudgebot_store_operation_seconds_bucket{op=\"put_consent\",le=\"+Inf\"} 4\n") != std::string::npos);
    CHECK(text.find("nudgebot_store_operation_seconds_count{op=\"put_consent\"} 4\n") != std::string::npos);
    CHECK(text.find("nudgebot_store_operation_seconds_sum{op=\"put_consent\"} 3.0105\n") != std::string::npos);
    // A series created at start-up is there before anything happened.
    CHECK(text.find("nudgebot_store_operation_seconds_count{op=\"forget_user\"} 0\n") != std::string::npos);
    // Only one TYPE line per name.
    CHECK(text.find("# TYPE nudgebot_store_operation_seconds histogram", text.find("histogram") + 1) == std::string::npos);
}
