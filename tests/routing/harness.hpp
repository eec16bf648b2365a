// A whole nudgebot minus the platform: event router + composer + real SQLite store in a temp dir +
// recording_delivery + manual clock, with hand-built analyses keyed by text.
#pragma once

#include "routing/event_router.hpp"
#include "nudge/analyses.hpp"
#include "support/failing_store.hpp"
#include "support/recording_delivery.hpp"
#include "support/temp_folder.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <unistd.h>

namespace nudgebot::testing {

namespace fs = std::filesystem;

struct harness {
    test::temp_folder scratch{"nudgebot-cmd"};   // first member: removed last
    fs::path dir = scratch.path();
    core::manual_clock clock;
    recording_delivery delivery;
    std::map<std::string, engine::analysis> analyses;   // text -> what the "engine" says
    std::mutex posted_mutex;
    std::deque<std::function<void()>> posted;
    failing_store* raw_store = nullptr;
    std::unique_ptr<storage::async_store> store;
    std::unique_ptr<nudge::composer> composer;
    std::unique_ptr<routing::event_router> bot;
    int next_id = 1;
    bool shared_store = false;   // the store reports shared(): nudges wait for a daily claim (reopen to apply)

    explicit harness(commands::analyze_fn analyze = {}, commands::bot_options options = {})
    {
        core::diagnostics diags;
        auto lib = nudge::load_suggestions(NUDGEBOT_SOURCE_DIR "/tests/nudge/data/suggestions.json", diags);
        REQUIRE(lib);
        composer = std::make_unique<nudge::composer>(std::move(*lib));
        open(std::move(analyze), std::move(options));
    }
    ~harness()
    {
        close();
    }

    std::string db() const { return (dir / "nudgebot.db").string(); }

    // Swaps in another composer (e.g. the shipped library with its crisis resources) and reopens
    // the event router on the same database.
    void use(std::unique_ptr<nudge::composer> c, commands::analyze_fn analyze, commands::bot_options options = {})
    {
        close();
        composer = std::move(c);
        open(std::move(analyze), std::move(options));
    }

    void open(commands::analyze_fn analyze = {}, commands::bot_options options = {})
    {
        auto inner = storage::make_store("sqlite:" + db());
        auto wrapped = std::make_unique<failing_store>(std::move(inner), shared_store);
        raw_store = wrapped.get();
        store = std::make_unique<storage::async_store>(std::move(wrapped), [this](std::function<void()> f) {
            std::lock_guard lock(posted_mutex);
            posted.push_back(std::move(f));
        });
        if (!analyze)
            analyze = [this](std::string_view text, engine::sensitivity, engine::message_context) {
                auto it = analyses.find(std::string(text));
                return it == analyses.end() ? engine::analysis{} : it->second;
            };
        if (options.packs.empty()) options.packs = {"conflict", "distress", "crisis", "dismissal", "kindness"};
        bot = std::make_unique<routing::event_router>(std::move(analyze), *composer, *store, delivery, clock, options);
        bot->load(core::platform::discord);
    }
    void close()
    {
        if (!store) return;
        pump();
        bot.reset();
        store.reset();
    }
    // Runs every storage job and every completion it posts back, until nothing is left.
    void pump()
    {
        for (;;) {
            store->wait_idle();
            std::deque<std::function<void()>> ready;
            {
                std::lock_guard lock(posted_mutex);
                ready.swap(posted);
            }
            if (ready.empty()) return;
            for (auto& f : ready) f();
        }
    }

    core::chat_message say(const std::string& who, const std::string& text,
                           const core::chat_message* replying_to = nullptr, std::string channel = "c1")
    {
        auto m = message(std::to_string(next_id++), who, std::move(channel));
        if (replying_to) {
            m.channel = replying_to->channel;
            m.reply_to = replying_to->id;
            m.reply_to_author = replying_to->author;
        }
        m.text = text;
        m.sent_at = clock.wall_now();
        bot->handle(core::message_created{m});
        pump();
        return m;
    }

    // Runs a command and returns the reply handle id its answer goes to.
    std::string command(const std::string& who, const std::string& name, std::vector<std::string> path,
                        std::map<std::string, std::string> options = {}, bool moderator = false,
                        std::optional<core::chat_message> target = {})
    {
        core::command_invocation inv;
        inv.server = core::server_id{"g1"};
        inv.channel = core::channel_id{"c1"};
        inv.invoker = core::user_id{who};
        inv.invoker_is_moderator = moderator;
        inv.name = name;
        inv.path = std::move(path);
        inv.options = std::move(options);
        inv.target = std::move(target);
        inv.reply.id = "i" + std::to_string(next_id++);
        inv.reply.token = "tok";
        bot->handle(inv);
        pump();
        return inv.reply.id;
    }

    std::string answer_text(const std::string& handle) const
    {
        const auto* a = delivery.answer_to(handle);
        return a ? a->message.text : std::string{};
    }

    std::string press(const std::string& who, const std::string& custom_id)
    {
        core::button_press b;
        b.user = core::user_id{who};
        b.custom_id = custom_id;
        b.reply.id = "b" + std::to_string(next_id++);
        bot->handle(b);
        pump();
        return b.reply.id;
    }

    // Every byte of the database files.
    std::string db_bytes() const
    {
        std::string out;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            std::ifstream in(db() + suffix, std::ios::binary);
            out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        return out;
    }
};

}  // namespace nudgebot::testing
