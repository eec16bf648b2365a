// nudgebot's executable: parses the command line and hands over to bot/app. Kept thin on purpose.
#include <iostream>

int main(int argc, char** argv)
{
    std::cerr << "nudgebot: not wired yet\n";
    return 2;
}
