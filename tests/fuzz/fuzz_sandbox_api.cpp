// libFuzzer target: the sandbox's page API and its Discord REST side, driven by a script of
// requests. Each input line is one request: its first byte picks the endpoint (page: state, send,
// edit, delete, suggest, press, dismiss; bot: channel message, interaction callback, @original
// edit, follow-up, any REST path, any page path) and the rest of the line is the body, query or
// path. Ids that the world made (messages, private items, interactions) are reachable through
// "$m", "$p" and "$i" in a line. No request may throw; every answer has a valid HTTP status and
// page answers are JSON objects.
#include "sandbox/discord_shapes.hpp"
#include "sandbox/gateway.hpp"
#include "sandbox/page_api.hpp"
#include "sandbox/rest.hpp"
#include "sandbox/world.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace nudgebot;
using json = nlohmann::json;

namespace {

struct sandbox_under_test {
    sandbox::server_options options;
    sandbox::world world{options};
    sandbox::gateway_emulator gateway{sandbox::gateway_options{}};
    sandbox::discord_rest rest{world, gateway, [] { return std::string("ws://127.0.0.1:1/gateway"); }};
    sandbox::page_api page{world, gateway};

    sandbox_under_test()
    {
        options.bot_token = "fuzz-token";
        options.max_message_chars = 200;
        options.max_messages_per_channel = 20;
        options.max_private_items = 20;
        options.explain = [](std::string_view text) { return json{{"chars", text.size()}}; };
        auto commands = json::array({{{"name", "nudge"}, {"type", 1}, {"description", "d"}},
                                     {{"name", "nudge-admin"}, {"type", 1}, {"description", "d"}},
                                     {{"name", "Suggest a kind reply"}, {"type", 3}}});
        call(rest_request("PUT", "/api/v10/applications/" + std::string(sandbox::application_id) + "/commands",
                          commands.dump()),
             false);
    }

    static net::server_request rest_request(std::string method, std::string target, std::string body)
    {
        net::server_request r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.body = std::move(body);
        r.headers = {{"Authorization", "Bot fuzz-token"}, {"Content-Type", "application/json"}};
        return r;
    }

    void call(const net::server_request& r, bool page_side)
    {
        net::server_response res;
        try {
            res = page_side ? page.handle(r) : rest.handle(r);
        } catch (...) {
            std::abort();   // an exception would reach the HTTP server as a 500 for every later request
        }
        if (res.status < 200 || res.status > 599) std::abort();
        if (page_side && !json::parse(res.body, nullptr, false).is_object()) std::abort();
    }

    // The newest id of each kind the world holds, for "$m", "$p", "$i" and "$t".
    std::string newest_message() const
    {
        for (const auto& [cid, list] : world.messages)
            if (!list.empty()) return list.back().id;
        return "0";
    }
    std::string newest_private() const
    {
        for (const auto& [pid, list] : world.private_items)
            if (!list.empty()) return list.back().id;
        return "0";
    }
    const sandbox::interaction* newest_interaction() const
    {
        const sandbox::interaction* out = nullptr;
        for (const auto& [token, in] : world.interactions)
            if (!out || in.created > out->created) out = &in;
        return out;
    }

    std::string expand(std::string_view line) const
    {
        std::string out;
        const auto* in = newest_interaction();
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '$' && i + 1 < line.size()) {
                switch (line[i + 1]) {
                case 'm': out += newest_message(); ++i; continue;
                case 'p': out += newest_private(); ++i; continue;
                case 'i': out += in ? in->id : "0"; ++i; continue;
                case 't': out += in ? in->token : "x"; ++i; continue;
                default: break;
                }
            }
            out += line[i];
        }
        return out;
    }

    void run(std::string_view line)
    {
        if (line.empty()) return;
        // G state, S send, E edit, D delete, U suggest, P press, X dismiss; bot: M channel message,
        // C callback, O @original, F follow-up, R "<METHOD> <path>"; A any page path. Other bytes: modulo.
        constexpr std::string_view keys = "GSEDUPXMCOFRA";
        const auto key = keys.find(line.front());
        const auto selector = key != std::string_view::npos ? key : static_cast<unsigned char>(line.front()) % keys.size();
        const std::string rest_of = expand(line.substr(1));
        const std::string app(sandbox::application_id);
        const auto* in = newest_interaction();
        const std::string id = in ? in->id : "0";
        const std::string token = in ? in->token : "x";
        auto page_post = [&](std::string_view path) {
            net::server_request r;
            r.method = "POST";
            r.target = std::string("/sandbox/api/") + std::string(path);
            r.body = rest_of;
            r.headers = {{"Content-Type", "application/json"}, {"Host", "127.0.0.1"}};
            call(r, true);
        };
        switch (selector) {
        case 0: {
            net::server_request r;
            r.method = "GET";
            r.target = "/sandbox/api/state?" + rest_of;
            call(r, true);
            break;
        }
        case 1: page_post("send"); break;
        case 2: page_post("edit"); break;
        case 3: page_post("delete"); break;
        case 4: page_post("suggest"); break;
        case 5: page_post("press"); break;
        case 6: page_post("dismiss"); break;
        case 7: call(rest_request("POST", "/api/v10/channels/" + world.channels.front().id + "/messages", rest_of), false); break;
        case 8: call(rest_request("POST", "/api/v10/interactions/" + id + "/" + token + "/callback", rest_of), false); break;
        case 9: call(rest_request("PATCH", "/api/v10/webhooks/" + app + "/" + token + "/messages/@original", rest_of), false); break;
        case 10: call(rest_request("POST", "/api/v10/webhooks/" + app + "/" + token, rest_of), false); break;
        case 11: {
            auto space = rest_of.find(' ');
            call(rest_request(rest_of.substr(0, space), "/api/v10" + (space == std::string::npos ? std::string() : rest_of.substr(space + 1)), ""), false);
            break;
        }
        default: page_post(rest_of); break;
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size > 64 * 1024) return 0;
    std::string_view script(reinterpret_cast<const char*>(data), size);
    sandbox_under_test s;
    int requests = 0;
    while (!script.empty() && requests++ < 64) {
        auto nl = script.find('\n');
        s.run(script.substr(0, nl));
        script = nl == std::string_view::npos ? std::string_view{} : script.substr(nl + 1);
    }
    return 0;
}
