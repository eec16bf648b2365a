#include "platforms/runtime/lifecycle.hpp"

#include "core/metrics.hpp"
#include "support/run_until.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>

using namespace nudgebot;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// A log sink that fails every write, and a logger whose error handler passes that failure on: the
// supervisor's own bookkeeping (logging a failure) then throws, as it would when out of memory.
class failing_sink : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg&) override { throw std::runtime_error("the log is unwritable"); }
    void flush_() override {}
};

struct failing_logger {
    std::string name;
    explicit failing_logger(std::string n) : name(std::move(n))
    {
        spdlog::drop(name);
        auto l = std::make_shared<spdlog::logger>(name, std::make_shared<failing_sink>());
        l->set_error_handler([](const std::string&) { throw std::runtime_error("logging failed"); });
        spdlog::register_logger(l);
    }
    ~failing_logger() { spdlog::drop(name); }
};

}  // namespace

TEST_CASE("A supervised loop whose supervisor fails while reporting is still counted, marked failed and started "
          "again",
          "[platform_runtime][lifecycle]")
{
    failing_logger log("lifecycle-test");
    asio::io_context ioc;
    runtime::supervision s;
    s.restart_base = 10ms;
    s.restart_cap = 20ms;
    runtime::lifecycle life(ioc, "lifecycle-test", {}, s);
    const core::metric_labels labels{{"platform", "lifecycle-test"}, {"task", "loop"}};
    const auto before = core::metrics::global().value("nudgebot_task_failures_total", labels);

    int runs = 0;
    life.supervise("loop", [&runs]() -> asio::awaitable<void> {
        if (++runs == 1) throw std::runtime_error("first run fails");
        co_return;
    });
    REQUIRE(test::run_until(ioc, [&] { return runs == 2; }, 3000ms));
    // One for the body's exception, one for the supervisor's own failure to log it.
    CHECK(core::metrics::global().value("nudgebot_task_failures_total", labels) == before + 2);
    CHECK(life.failed());   // the restarted loop never reached a checkpoint
    test::run_for(ioc, 50ms);
    CHECK(runs == 2);       // it ended normally: no further restart
}

TEST_CASE("A one-shot task's exception is counted and does not mark the adapter failed", "[platform_runtime][lifecycle]")
{
    asio::io_context ioc;
    runtime::lifecycle life(ioc, "lifecycle-once", {});
    const core::metric_labels labels{{"platform", "lifecycle-once"}, {"task", "delivery"}};
    const auto before = core::metrics::global().value("nudgebot_task_failures_total", labels);
    bool ran = false;
    life.spawn("delivery", [&ran]() -> asio::awaitable<void> {
        ran = true;
        throw std::runtime_error("delivery failed");
        co_return;
    });
    REQUIRE(test::run_until(ioc, [&] { return core::metrics::global().value("nudgebot_task_failures_total", labels) == before + 1; }));
    CHECK(ran);
    CHECK_FALSE(life.failed());
}
