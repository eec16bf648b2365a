// Tokens as systemd credentials: LoadCredential=NAME:FILE puts the file in
// $CREDENTIALS_DIRECTORY/NAME, which nudgebot reads when the variable NAME is not set.
#include "app/wiring.hpp"

#include "app/e2e_world.hpp"

#include <cstdlib>

using namespace nudgebot;
using namespace nudgebot::e2e;

TEST_CASE("A token given as a systemd credential is used when its variable is not set", "[app][e2e][config]")
{
    world w;
    const std::string from_file = "credential-Bot-token.never-in-logs";
    const auto credentials = w.dir / "credentials";
    fs::create_directories(credentials);
    std::ofstream(credentials / "E2E_DISCORD_TOKEN") << from_file << "\n";
    ::unsetenv("E2E_DISCORD_TOKEN");
    ::setenv("CREDENTIALS_DIRECTORY", credentials.c_str(), 1);
    auto hooks = w.hooks();
    hooks.getenv = nullptr;   // the real environment, as `nudgebot run` reads it
    w.start(hooks);
    ::unsetenv("CREDENTIALS_DIRECTORY");
    bool used = false;
    for (const auto& r : w.fake.rest_requests())
        if (r.headers.count("authorization") && r.headers.at("authorization") == "Bot " + from_file) used = true;
    CHECK(used);
    w.shutdown();
    CHECK(w.logs.text().find(from_file) == std::string::npos);
}
