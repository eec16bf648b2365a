#include "app/sandbox_verb.hpp"

#include "app/config.hpp"
#include "app/verbs.hpp"
#include "app/wiring.hpp"
#include "core/diagnostics.hpp"
#include "engine/analyzer.hpp"
#include "sandbox/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string_view>
#include <thread>
#include <unistd.h>

namespace nudgebot::app {

namespace {

constexpr const char* token_variable = "NUDGEBOT_SANDBOX_TOKEN";

std::string made_up_token()
{
    static const char* alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::random_device rd;
    std::string t = "sandbox-";
    for (int i = 0; i < 32; ++i) t += alphabet[rd() % 62];
    return t;
}

// The sandbox's side panel: the same facts /nudge-admin explain shows (categories, scores, cues).
sandbox::explain_fn explain_with(std::shared_ptr<const engine::analyzer> analyzer, engine::sensitivity s)
{
    return [analyzer, s](std::string_view text) {
        auto a = analyzer->analyze(text, s);
        nlohmann::json categories = nlohmann::json::array();
        for (std::size_t i = 0; i < engine::reported_category_count + 2 && i < a.scores.size(); ++i) {
            auto c = static_cast<engine::category>(i);
            categories.push_back({{"name", engine::to_string(c)},
                                  {"score", static_cast<int>(a.scores[i] * 100 + 0.5f)},
                                  {"flagged", static_cast<bool>(a.flags[i])}});
        }
        nlohmann::json cues = nlohmann::json::array();
        for (const auto& cue : a.cues)
            cues.push_back({{"rule", cue.rule_id},
                            {"category", engine::to_string(cue.cat)},
                            {"weight", std::round(static_cast<double>(cue.weight) * 100) / 100.0},
                            {"label", cue.label}});
        return nlohmann::json{{"sensitivity", engine::to_string(s)}, {"categories", std::move(categories)},
                              {"cues", std::move(cues)}};
    };
}

}  // namespace

int run_sandbox(const sandbox_options& options, std::ostream& out, std::ostream& err)
{
    config cfg;
    std::filesystem::path temp;
    if (!options.config_file.empty()) {
        core::diagnostics diags;
        auto loaded = load_config(options.config_file, diags);
        diags.print(err);   // warnings too
        if (!loaded) return exit_startup;
        cfg = *loaded;
    } else {
        std::error_code ec;
        temp = std::filesystem::temp_directory_path(ec) / ("nudgebot-sandbox-" + std::to_string(::getpid()));
        std::filesystem::create_directories(temp, ec);
        if (ec) {
            err << "nudgebot sandbox: cannot create a temporary folder " << temp.string() << ": " << ec.message() << '\n';
            return exit_startup;
        }
        cfg.storage.url = "sqlite:" + (temp / "nudgebot.db").string();
        // A try-out: nudges may follow each other faster than in a real server (240 min, 3 a day).
        cfg.nudges.cooldown_minutes = 1;
        cfg.nudges.daily_cap = 20;
        cfg.discord.state_file = (temp / "discord-state.json").string();
    }
    struct cleanup {
        std::filesystem::path dir;
        ~cleanup()
        {
            std::error_code ec;
            if (!dir.empty()) std::filesystem::remove_all(dir, ec);
        }
    } remove_temp{temp};

    // The panel's analyzer: the same rules the bot loads (a second copy, a few MB).
    const std::string rules_dir = cfg.rules.dir.empty() ? default_rules_dir() : cfg.rules.dir;
    core::diagnostics diags;
    auto analyzer = engine::load_rules(rules_dir, diags);
    if (!analyzer || diags.has_errors()) {
        diags.print(err);
        err << "nudgebot sandbox: the rules in " << rules_dir << " could not be loaded\n";
        return exit_startup;
    }

    const std::string token = made_up_token();
    boost::asio::io_context sandbox_ioc;
    sandbox::server_options so;
    so.address = options.address;
    so.port = options.port;
    so.bot_token = token;
    so.explain = explain_with(analyzer, cfg.rules.sensitivity);
    // The browser tests' hooks (see sandbox::server_options::test_hooks); never set by users.
    if (const char* hooks = std::getenv("NUDGEBOT_SANDBOX_TEST_HOOKS")) so.test_hooks = std::string_view(hooks) == "1";
    sandbox::server server(sandbox_ioc, so);
    if (auto why = server.start(); !why.empty()) {
        err << "nudgebot sandbox: " << why << " (try --port 0 for any free port, or another --port)\n";
        return exit_startup;
    }
    std::thread sandbox_thread([&] { sandbox_ioc.run(); });
    struct joiner {
        boost::asio::io_context& ioc;
        sandbox::server& server;
        std::thread& thread;
        ~joiner()
        {
            boost::asio::post(ioc, [this] {
                server.stop();
                ioc.stop();
            });
            if (thread.joinable()) thread.join();
        }
    } stop_sandbox{sandbox_ioc, server, sandbox_thread};

    // The bot, exactly as `nudgebot run` builds it, but talking to the sandbox.
    cfg.discord.enabled = true;
    cfg.discord.api_base = server.api_base();
    cfg.discord.gateway_url = server.gateway_url();
    cfg.discord.token_env = token_variable;
    cfg.discord.shard_count = 1;
    cfg.discord.shard_ids.clear();
    cfg.discord.dev_guild_id.reset();
    cfg.slack.enabled = false;
    cfg.mattermost.enabled = false;
    wiring_hooks hooks;
    hooks.getenv = [token](const std::string& name) -> std::optional<std::string> {
        if (name == token_variable) return token;
        return std::nullopt;
    };
    hooks.ops_listener = !options.config_file.empty();
    auto b = bot::create(cfg, err, hooks);
    if (!b) return exit_startup;
    out << "nudgebot sandbox is running: open " << server.page_url() << " in a browser (Ctrl-C stops it)"
        << std::endl;
    b->handle_signals();
    return b->run();
}

}  // namespace nudgebot::app
