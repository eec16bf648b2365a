// Drives an io_context from the test thread until a condition holds or a deadline passes.
//
// Contract: header-only test helper. Runs the context in 5 ms slices, restarting it when it ran
// out of work, so a test never blocks longer than `timeout` and never sleeps longer than needed.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <thread>

namespace nudgebot::test {

template <class Predicate>
bool run_until(boost::asio::io_context& ioc, Predicate done,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        if (ioc.stopped()) ioc.restart();
        if (ioc.run_for(std::chrono::milliseconds(5)) == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// Runs the context for `d` regardless of any condition (to show that something does NOT happen).
inline void run_for(boost::asio::io_context& ioc, std::chrono::milliseconds d)
{
    run_until(ioc, [] { return false; }, d);
}

}  // namespace nudgebot::test
