// The page's files come from bot/sandbox/page/ (real HTML, CSS and JavaScript that editors and
// linters see), embedded at build time by page/embed.cmake into page_files. The script only ever
// puts text into the page with textContent, never as HTML.
#include "sandbox/assets.hpp"

namespace nudgebot::sandbox {

namespace page_files {
extern const std::string_view index_html;
extern const std::string_view app_css;
extern const std::string_view app_js;
}  // namespace page_files

std::optional<asset> find_asset(std::string_view path) noexcept
{
    if (path == "/" || path == "/index.html") return asset{"text/html; charset=utf-8", page_files::index_html};
    if (path == "/app.css") return asset{"text/css; charset=utf-8", page_files::app_css};
    if (path == "/app.js") return asset{"text/javascript; charset=utf-8", page_files::app_js};
    return std::nullopt;
}

}  // namespace nudgebot::sandbox
