// What the soak and the nudge-latency benchmarks send and to whom: the quiet chatter, the one
// hostile reply, the ids of the Discord people who opted in, and the two helpers the parent and
// the forked fake side talk through a pipe with.
//
// Contract: header only; the lines were written for these benchmarks (no real chat). A
// benchmark that rotates over platforms picks lines so that each platform sees every line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>

#include <unistd.h>

namespace nudgebot::bench {

// Ordinary, quiet work talk.
inline constexpr const char* quiet_lines[] = {
    "could we go over the release checklist again before friday, I think we missed a step",
    "the staging deploy finished, smoke tests look green so far",
    "lunch at noon? the new place across the street has soup again",
    "I pushed a fix for the flaky login test, reviews welcome",
    "the meeting notes live in the shared drive, ping me if anything is unclear",
    "thanks for the quick turnaround on that ticket",
};

inline const char* quiet_line(std::uint64_t i) { return quiet_lines[i % std::size(quiet_lines)]; }

// The message that must bring exactly one nudge to the person it replies to.
inline constexpr const char* hostile_line = "you ALWAYS break the build, are you even trying??";

// The t-th Discord person who opted in (the only ones hostile messages are aimed at).
inline std::string discord_target(std::size_t t) { return std::to_string(950000000000000000ULL + t); }

// One value through a pipe between the benchmark and its forked fake side.
template <class T>
bool put(int fd, const T& v)
{
    return write(fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v);
}
template <class T>
bool get(int fd, T& v)
{
    return read(fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v);
}

}  // namespace nudgebot::bench
