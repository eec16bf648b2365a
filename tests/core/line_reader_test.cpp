#include "core/line_reader.hpp"

#include "core/read_file.hpp"
#include "support/temp_folder.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

using nudgebot::core::line_reader;

namespace {

void write(const std::string& path, const std::string& content)
{
    std::ofstream f(path, std::ios::binary);
    f << content;
}

struct read_line {
    std::uint64_t number;
    std::string text;
    bool too_long;
};

std::vector<read_line> read_all(line_reader& in)
{
    std::vector<read_line> lines;
    std::string line;
    while (in.next(line)) lines.push_back({in.line_number(), line, in.too_long()});
    return lines;
}

}  // namespace

TEST_CASE("The line reader hands out every line without its line ending, numbered from 1", "[core][line_reader]")
{
    nudgebot::test::temp_folder dir("nudgebot-lines");
    write(dir.file("a.jsonl"), "first\r\n\nthird\nlast without a newline");
    line_reader in(dir.file("a.jsonl"));
    REQUIRE(in.open_error().empty());
    auto lines = read_all(in);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].text == "first");
    CHECK(lines[1].text.empty());
    CHECK(lines[2].text == "third");
    CHECK(lines[2].number == 3);
    CHECK(lines[3].text == "last without a newline");
    CHECK(lines[3].number == 4);
    for (const auto& l : lines) CHECK_FALSE(l.too_long);
    std::string after;
    CHECK_FALSE(in.next(after));
}

TEST_CASE("A line over the bound is returned empty and marked, and the next line reads normally",
          "[core][line_reader]")
{
    nudgebot::test::temp_folder dir("nudgebot-lines");
    write(dir.file("long.jsonl"), "short\n" + std::string(100, 'x') + "\nexactly ten\n" + std::string(10, 'y') + "\n");
    line_reader in(dir.file("long.jsonl"), "file", 10);
    auto lines = read_all(in);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].text == "short");
    CHECK(lines[1].too_long);
    CHECK(lines[1].text.empty());
    CHECK(lines[2].too_long);   // 11 bytes
    CHECK_FALSE(lines[3].too_long);
    CHECK(lines[3].text == std::string(10, 'y'));
    CHECK(lines[3].number == 4);
}

TEST_CASE("The line reader reports an unreadable file in read_file's words", "[core][line_reader]")
{
    nudgebot::test::temp_folder dir("nudgebot-lines");
    line_reader missing(dir.file("nope.jsonl"), "labelled file");
    CHECK(missing.open_error() == "cannot read the file: No such file or directory");
    CHECK(nudgebot::core::read_file(dir.file("nope.jsonl"), "labelled file").error == missing.open_error());
    std::string line;
    CHECK_FALSE(missing.next(line));

    line_reader folder(dir.path().string(), "labelled file");
    CHECK(folder.open_error() == "is a folder, not a labelled file");
    CHECK(nudgebot::core::read_file(dir.path().string(), "labelled file").error == folder.open_error());
}

TEST_CASE("read_file refuses a file over its bound and names what it was reading", "[core][read_file]")
{
    nudgebot::test::temp_folder dir("nudgebot-read");
    write(dir.file("big.json"), std::string((2u << 20) + 1, ' '));
    auto r = nudgebot::core::read_file(dir.file("big.json"), "rule pack", 2u << 20);
    CHECK(r.error == "the rule pack is larger than 2 MiB");
    CHECK(r.text.empty());
    auto ok = nudgebot::core::read_file(dir.file("big.json"), "rule pack", 4u << 20);
    CHECK(ok.ok());
    CHECK(ok.text.size() == (2u << 20) + 1);
}

TEST_CASE("blank_line is true only for spaces, tabs and carriage returns", "[core][line_reader]")
{
    CHECK(nudgebot::core::blank_line(""));
    CHECK(nudgebot::core::blank_line(" \t\r"));
    CHECK_FALSE(nudgebot::core::blank_line("  {}"));
}
