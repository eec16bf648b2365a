#include "core/line_reader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace nudgebot::core {

line_reader::line_reader(const std::string& path, std::string_view what, std::size_t max_line_bytes)
    : max_line_bytes_(max_line_bytes)
{
    // The same words as read_file, so every verb reports an unreadable file alike.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        open_error_ = "is a folder, not a " + std::string(what);
        return;
    }
    in_.open(path, std::ios::binary);
    if (!in_) open_error_ = std::string("cannot read the file: ") + std::strerror(errno);
}

bool line_reader::next(std::string& line)
{
    line.clear();
    too_long_ = false;
    if (!open_error_.empty() || !in_) return false;
    auto* buf = in_.rdbuf();
    bool any = false;
    try {
        for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
            any = true;
            if (c == '\n') break;
            if (too_long_) continue;
            if (line.size() == max_line_bytes_) {
                too_long_ = true;
                line.clear();
                line.shrink_to_fit();
                continue;
            }
            line.push_back(static_cast<char>(c));
        }
    } catch (const std::exception&) {
        // libstdc++ reports read errors (EIO, a special file) by throwing from the stream buffer.
        in_.setstate(std::ios::badbit);
        line.clear();
        return false;
    }
    if (!any) {
        in_.setstate(std::ios::eofbit);
        return false;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    ++line_number_;
    return true;
}

bool blank_line(std::string_view line) noexcept { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace nudgebot::core
