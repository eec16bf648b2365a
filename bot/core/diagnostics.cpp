#include "core/diagnostics.hpp"

#include <algorithm>
#include <sstream>
#include <tuple>

namespace nudgebot::core {

void diagnostics::error(std::string file, std::uint32_t line, std::uint32_t column, std::string message)
{
    items_.push_back({std::move(file), line, column, severity::error, std::move(message)});
}

void diagnostics::warning(std::string file, std::uint32_t line, std::uint32_t column, std::string message)
{
    items_.push_back({std::move(file), line, column, severity::warning, std::move(message)});
}

bool diagnostics::has_errors() const noexcept
{
    return std::any_of(items_.begin(), items_.end(),
                       [](const diagnostic& d) { return d.severity == severity::error; });
}

void diagnostics::append(const diagnostics& other)
{
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string format(const diagnostic& d)
{
    std::ostringstream out;
    out << d.file;
    if (d.line != 0) out << ':' << d.line << ':' << d.column;
    out << ": " << (d.severity == severity::error ? "error" : "warning") << ": " << d.message;
    return out.str();
}

void diagnostics::print(std::ostream& out) const
{
    auto sorted = items_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const diagnostic& a, const diagnostic& b) {
        return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    for (const auto& d : sorted) out << format(d) << '\n';
}

std::string diagnostics::to_string() const
{
    std::ostringstream out;
    print(out);
    return out.str();
}

}  // namespace nudgebot::core
