#include "routing/event_router.hpp"

#include "storage/sqlite_store.hpp"
#include "support/recording_delivery.hpp"
#include "support/temp_folder.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <mutex>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

using namespace nudgebot;

TEST_CASE("An opt-in acknowledged through the whole stack survives SIGKILL right after the answer",
          "[commands][durability]")
{
    test::temp_folder dir("nudgebot-kill");
    auto db = dir.file("nudgebot.db");
    int ack[2];
    REQUIRE(::pipe(ack) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child is a small nudgebot: it answers /nudge on, reports the answer and waits to die.
        ::close(ack[0]);
        try {
            core::diagnostics diags;
            auto lib = nudge::load_suggestions(NUDGEBOT_SOURCE_DIR "/tests/nudge/data/suggestions.json", diags);
            if (!lib) ::_exit(3);
            nudge::composer composer(std::move(*lib));
            testing::recording_delivery delivery;
            core::manual_clock clock;
            std::mutex m;
            std::vector<std::function<void()>> posted;
            storage::async_store store(storage::make_store("sqlite:" + db), [&](std::function<void()> f) {
                std::lock_guard lock(m);
                posted.push_back(std::move(f));
            });
            routing::event_router bot([](std::string_view, engine::sensitivity, engine::message_context) { return engine::analysis{}; },
                                     composer, store, delivery, clock);
            core::command_invocation inv;
            inv.server = core::server_id{"g1"};
            inv.invoker = core::user_id{"555000111"};
            inv.name = "nudge";
            inv.path = {"on"};
            inv.options = {{"style", "direct"}};
            inv.reply.id = "r1";
            bot.handle(inv);
            while (!delivery.answer_to("r1")) {
                store.wait_idle();
                std::vector<std::function<void()>> ready;
                {
                    std::lock_guard lock(m);
                    ready.swap(posted);
                }
                for (auto& f : ready) f();
            }
            char c = delivery.answer_to("r1")->message.text.find("You're in") != std::string::npos ? '1' : '0';
            (void)!::write(ack[1], &c, 1);
            for (;;) ::pause();
        } catch (...) {
            ::_exit(4);
        }
    }
    ::close(ack[1]);
    char c = 0;
    auto got = ::read(ack[0], &c, 1);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(ack[0]);
    REQUIRE(got == 1);
    REQUIRE(c == '1');
    CHECK(WIFSIGNALED(status));
    {
        storage::sqlite_store reopened(db);
        auto consent = reopened.get_consent({core::platform::discord, core::user_id{"555000111"}});
        REQUIRE(consent);
        CHECK(consent->enabled);
        CHECK(consent->style == storage::style::direct);
    }
}
