// Plain driver for the libFuzzer targets in the regular build (gcc, no libFuzzer): feeds every
// file under the folders given on the command line to LLVMFuzzerTestOneInput once, so the corpora
// and every crash input found so far run as regression tests in ctest. A target that crashes or
// aborts fails the test; the file being run is printed first so the failure names it.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        std::error_code ec;
        std::filesystem::path p(argv[i]);
        if (std::filesystem::is_regular_file(p, ec)) {
            files.push_back(p);
            continue;
        }
        if (!std::filesystem::is_directory(p, ec)) continue;   // e.g. no crash inputs yet
        for (const auto& e : std::filesystem::recursive_directory_iterator(p, ec))
            if (e.is_regular_file()) files.push_back(e.path());
    }
    if (files.empty()) {
        std::fprintf(stderr, "no inputs found\n");
        return 1;
    }
    std::size_t bytes = 0;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::fprintf(stderr, "%s\n", f.string().c_str());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        bytes += data.size();
    }
    std::printf("%zu inputs (%zu bytes) ran clean\n", files.size(), bytes);
    return 0;
}
