// The one way platform code counts: a counter of the process-wide metrics registry, by name and
// labels (labels carry ids and fixed words only, never message text).
//
// Contract: header only; thread-safe like core::metrics. Used by the platform connections,
// gateways and adapters under bot/platforms/.
#pragma once

#include "core/metrics.hpp"

#include <string_view>

namespace nudgebot::runtime {

inline core::metric_counter& counter(std::string_view name, const core::metric_labels& labels = {})
{
    return core::metrics::global().counter(name, labels);
}

}  // namespace nudgebot::runtime
