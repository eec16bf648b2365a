// The sandbox page's files (HTML, CSS, JavaScript), compiled into the executable so that the
// sandbox works offline with no build step and no CDN.
//
// Contract: immutable data, thread-safe. find_asset maps a request path ("/", "/app.js", ...) to
// its content type and body, or nullopt.
#pragma once

#include <optional>
#include <string_view>

namespace nudgebot::sandbox {

struct asset {
    std::string_view content_type;
    std::string_view body;
};

std::optional<asset> find_asset(std::string_view path) noexcept;

}  // namespace nudgebot::sandbox
