// A fresh, empty folder under the system's temporary directory for one test, removed with
// everything in it when the object goes away.
//
// Contract: test-only, header-only. The name is `<prefix>-XXXXXX` made unique by mkdtemp(3), so
// parallel test processes never share a folder. Throws std::runtime_error when it cannot be made
// (a test cannot go on without it). Not copyable; removal errors at destruction are ignored.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nudgebot::test {

class temp_folder {
public:
    explicit temp_folder(std::string_view prefix = "nudgebot-test")
    {
        auto pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary folder");
        path_ = pattern;
    }
    ~temp_folder()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_folder(const temp_folder&) = delete;
    temp_folder& operator=(const temp_folder&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
    // The full path of a file in the folder, as a string.
    std::string file(std::string_view name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace nudgebot::test
