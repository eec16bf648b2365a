// The platform-neutral half of nudgebot for adapter scenario tests: the real routing::event_router
// with the real English rules, a composer with the shipped crisis lines, and a SQLite store in a temporary folder whose
// completions run on the adapter's io_context (as in production).
//
// Contract: test-only, header-only (shared by the Slack and Mattermost scenario tests). Construct
// after the adapter, destroy before it; everything runs on the test thread that drives `ioc`.
// Built from an adapter_harness, it also routes the harness's events to the router, until it
// is destroyed.
#pragma once

#include "routing/event_router.hpp"
#include "engine/analyzer.hpp"
#include "storage/store.hpp"
#include "support/temp_folder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <random>
#include <unistd.h>

namespace nudgebot::test {

// The small library of the tests (fixed texts) and the shipped one (the crisis card with a
// country's lines).
inline constexpr const char* test_library = NUDGEBOT_SOURCE_DIR "/tests/nudge/data/suggestions.json";
inline constexpr const char* shipped_library = NUDGEBOT_SOURCE_DIR "/rules/en/suggestions.json";

struct world {
    temp_folder scratch{"nudgebot-platform"};   // first member: removed last
    std::filesystem::path dir = scratch.path();
    std::unique_ptr<nudge::composer> composer;
    std::unique_ptr<storage::async_store> store;
    std::unique_ptr<routing::event_router> bot;

    world(boost::asio::io_context& ioc, core::delivery& delivery, const core::clock& clock, core::platform where,
          const char* library = test_library)
    {
        core::diagnostics diags;
        auto rules = engine::load_rules(NUDGEBOT_SOURCE_DIR "/rules/en", diags);
        INFO(diags.to_string());
        REQUIRE(rules);
        auto lib = nudge::load_suggestions(library, diags);
        REQUIRE(lib);
        auto lines = nudge::load_crisis_resources(NUDGEBOT_SOURCE_DIR "/rules/crisis_resources.json", diags);
        REQUIRE(lines);
        composer = std::make_unique<nudge::composer>(std::move(*lib), std::move(*lines));
        store = std::make_unique<storage::async_store>(
            storage::make_store("sqlite:" + (dir / "nudgebot.db").string()),
            [&ioc](std::function<void()> f) { boost::asio::post(ioc, std::move(f)); });
        commands::bot_options o;
        o.packs = {"conflict", "distress", "crisis", "dismissal", "kindness"};
        bot = std::make_unique<routing::event_router>(commands::analyze_with(rules), *composer, *store, delivery,
                                                     clock, o);
        bot->load(where);
    }

    template <class Harness>
    world(Harness& h, core::platform where, const char* library = test_library)
        : world(h.ioc, *h.bot, h.clock, where, library)
    {
        h.forward = [this](const core::event& e) { bot->handle(e); };
        unwire_ = [&h] { h.forward = nullptr; };
    }

    ~world()
    {
        if (unwire_) unwire_();
        store->wait_idle();
        bot.reset();
        store.reset();
    }

    world(const world&) = delete;
    world& operator=(const world&) = delete;

private:
    std::function<void()> unwire_;
};

}  // namespace nudgebot::test
