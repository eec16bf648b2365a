// Resource readings shared by the benchmarks: resident memory from /proc/self/status and CPU
// time of the process or of the calling thread (on a shared machine CPU time measures the work,
// not the waiting). Linux only, like the benchmarks.
#pragma once

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>

#include <sys/resource.h>

namespace nudgebot::bench {

// A "Key:  1234 kB" line of /proc/self/status in kB (key given with its colon, e.g. "VmRSS:");
// -1 when absent.
inline long status_kb(const char* key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + std::strlen(key), nullptr, 10);
    return -1;
}

// User + system CPU time of the whole process.
inline double cpu_seconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU time of the calling thread only.
inline double thread_cpu_seconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace nudgebot::bench
