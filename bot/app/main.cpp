// nudgebot's executable: hands the command line to app::run_cli (bot/app/cli.cpp). Kept thin on
// purpose: tests drive run_cli and the verbs directly, without a process.
#include <iostream>

#include "app/cli.hpp"

int main(int argc, char** argv)
{
    std::ios::sync_with_stdio(false);   // analyze --jsonl reads and writes in large blocks
    return nudgebot::app::run_cli(argc, argv, std::cin, std::cout, std::cerr);
}
