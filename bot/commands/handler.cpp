// The command handler's private answers: every reply to a command or button goes out through
// respond(), after the store job it waits for (see handler.hpp for the contract).
#include "commands/handler.hpp"

#include <memory>

namespace nudgebot::commands {

handler::handler(bot_state& state) : state_(state) {}

void handler::respond(core::platform where, const core::user_id& user, const core::reply_handle& reply,
                      std::function<bool(storage::store&)> job, std::function<core::private_message(bool ok)> answer,
                      bool show_notices)
{
    // Discord wants an answer within 3 s: when the worker is backed up, say "thinking" first.
    if (state_.store.slow()) {
        state_.delivery.defer(reply);
        state_.metrics.counter("nudgebot_interactions_deferred_total").add();
    }
    auto notices = std::make_shared<std::vector<std::string>>();
    state_.store.submit(
        [key = storage::user_key{where, user}, job = std::move(job), notices, show_notices](storage::store& s) {
            if (show_notices) *notices = s.take_notices(key);
            return job ? job(s) : true;
        },
        [this, reply, answer = std::move(answer), notices](bool ok) {
            auto message = answer(ok);
            for (const auto& n : *notices)
                if (n == notice_dms_closed)
                    message.text =
                        "(Earlier I couldn't send you a private suggestion because your direct messages are "
                        "closed for this server. To get them, allow DMs from server members in the server's "
                        "privacy settings.)\n\n" +
                        message.text;
            if (message.text.size() > 2000) message.text.resize(2000);
            state_.delivery.answer_privately(reply, std::move(message), {});
        });
}

void handler::save_consent(core::platform where, const core::user_id& user, const storage::consent& c,
                           const core::reply_handle& reply, std::function<core::private_message(bool)> answer)
{
    respond(where, user, reply,
            [key = storage::user_key{where, user}, c](storage::store& s) { return s.put_consent(key, c); },
            std::move(answer));
}

void handler::save_settings(const core::command_invocation& inv, const storage::server_settings& s, std::string done)
{
    respond(
        inv.where, inv.invoker, inv.reply,
        [key = storage::server_key{inv.where, inv.server}, s](storage::store& st) { return st.put_settings(key, s); },
        [done = std::move(done)](bool ok) {
            return core::private_message{ok ? done
                                            : done + " (In effect now, but I couldn't save it to disk, so it may be "
                                                     "lost after a restart. Please try again in a minute.)",
                                         {}};
        });
}

}  // namespace nudgebot::commands
