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
