// How an adapter's supervised tasks are restarted after an exception (see lifecycle.hpp).
//
// Contract: a plain settings struct, part of each platform's settings; no Asio here so that app/
// can fill it. `fault` is a test seam called at each supervised loop's checkpoint with the task's
// name; a test sets it to throw. Production leaves it empty.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

namespace nudgebot::runtime {

struct supervision {
    std::chrono::milliseconds restart_base{1000};
    std::chrono::milliseconds restart_cap{60000};
    std::function<void(std::string_view task)> fault;
};

}  // namespace nudgebot::runtime
