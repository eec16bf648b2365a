#include "core/read_file.hpp"

#include "core/diagnostics.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace nudgebot::core {

file_text read_file(const std::string& path, std::string_view what, std::size_t max_bytes)
{
    file_text out;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        out.error = "is a folder, not a " + std::string(what);
        return out;
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        out.error = std::string("cannot read the file: ") + std::strerror(errno);
        return out;
    }
    auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > max_bytes) {
        out.error = "the " + std::string(what) + " is larger than " + std::to_string(max_bytes / (1024 * 1024)) + " MiB";
        return out;
    }
    try {
        // libstdc++ reports read errors (EIO, a special file) by throwing from the stream buffer.
        out.text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    } catch (const std::exception&) {
        out.text.clear();
        out.error = "cannot read the file: input/output error";
        return out;
    }
    if (file.bad()) {
        out.text.clear();
        out.error = "cannot read the file: input/output error";
    }
    return out;
}

std::optional<std::string> read_file(const std::string& path, diagnostics& diags, std::string_view what,
                                     std::size_t max_bytes)
{
    auto r = read_file(path, what, max_bytes);
    if (!r.ok()) {
        diags.error(path, 0, 0, r.error);
        return std::nullopt;
    }
    return std::move(r.text);
}

}  // namespace nudgebot::core
