#include "engine/analysis.hpp"

namespace nudgebot::engine {

std::optional<category> parse_category(std::string_view name) noexcept
{
    for (std::size_t i = 0; i < category_count; ++i) {
        auto c = static_cast<category>(i);
        if (to_string(c) == name) return c;
    }
    return std::nullopt;
}

std::optional<sensitivity> parse_sensitivity(std::string_view name) noexcept
{
    if (name == "low") return sensitivity::low;
    if (name == "medium") return sensitivity::medium;
    if (name == "high") return sensitivity::high;
    return std::nullopt;
}

}  // namespace nudgebot::engine
