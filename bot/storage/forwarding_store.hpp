// A store that passes every call on to another store through one hook: the base of the wrappers
// that add the same thing to every operation (timed_store: how long it took; in_order_store: the
// job's turn), so the store interface is forwarded once, here, and each wrapper is only its hook.
//
// Contract: owned by storage/. Same threading as the store it wraps. Every store call becomes
// pass(operation, call): the wrapper must run `call` exactly once, with the store to call, and may
// do what it adds before and after; results and arguments pass through unchanged. shared() is
// forwarded without the hook. take_changes with a wait is its own operation
// (take_changes_waiting), so a wrapper can tell a poll from a wait.
#pragma once

#include "storage/store.hpp"

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

namespace nudgebot::storage {

class forwarding_store : public store {
public:
    // The store's operations; the two that only wait (ping, take_changes_waiting) come last.
    enum class operation : std::uint8_t {
        get_consent, put_consent, load_consents, get_settings, put_settings, load_settings, add_counts, counts,
        add_notice, take_notices, forget_user, take_changes, claim_daily, load_state, put_state,
        ping, take_changes_waiting
    };
    // The operation's name as it appears in metrics ("get_consent", ...).
    static std::string_view name(operation op) noexcept { return names[static_cast<std::size_t>(op)]; }

    explicit forwarding_store(store& inner) noexcept : inner_(inner) {}

    bool ping() override { return forward(operation::ping, &store::ping); }
    bool shared() const noexcept override { return inner_.shared(); }
    std::vector<change> take_changes(int wait_ms) override
    {
        auto op = wait_ms > 0 ? operation::take_changes_waiting : operation::take_changes;
        return forward(op, &store::take_changes, wait_ms);
    }
    bool claim_daily(const user_key& user, std::int32_t day, std::string_view kind, std::uint32_t limit) override
    {
        return forward(operation::claim_daily, &store::claim_daily, user, day, kind, limit);
    }
    std::optional<consent> get_consent(const user_key& u) override
    {
        return forward(operation::get_consent, &store::get_consent, u);
    }
    bool put_consent(const user_key& u, const consent& c) override
    {
        return forward(operation::put_consent, &store::put_consent, u, c);
    }
    std::vector<std::pair<core::user_id, consent>> load_consents(core::platform where) override
    {
        return forward(operation::load_consents, &store::load_consents, where);
    }
    std::optional<server_settings> get_settings(const server_key& server) override
    {
        return forward(operation::get_settings, &store::get_settings, server);
    }
    bool put_settings(const server_key& server, const server_settings& s) override
    {
        return forward(operation::put_settings, &store::put_settings, server, s);
    }
    std::vector<std::pair<core::server_id, server_settings>> load_settings(core::platform where) override
    {
        return forward(operation::load_settings, &store::load_settings, where);
    }
    bool add_counts(const std::vector<counter_row>& rows) override
    {
        return forward(operation::add_counts, &store::add_counts, rows);
    }
    std::vector<counter_row> counts(core::platform where, const std::string& server, std::int32_t first_day,
                                    std::int32_t last_day) override
    {
        return forward(operation::counts, &store::counts, where, server, first_day, last_day);
    }
    bool add_notice(const user_key& u, const std::string& kind) override
    {
        return forward(operation::add_notice, &store::add_notice, u, kind);
    }
    std::vector<std::string> take_notices(const user_key& u) override
    {
        return forward(operation::take_notices, &store::take_notices, u);
    }
    bool forget_user(const user_key& u) override { return forward(operation::forget_user, &store::forget_user, u); }
    std::vector<std::pair<std::string, std::string>> load_state(core::platform where) override
    {
        return forward(operation::load_state, &store::load_state, where);
    }
    bool put_state(core::platform where, const std::string& key, const std::string& value) override
    {
        return forward(operation::put_state, &store::put_state, where, key, value);
    }

protected:
    // A call waiting for the store to run on (a non-owning reference to the caller's lambda).
    class call {
    public:
        template <class F>
        explicit call(F& f) noexcept : f_(&f), run_([](void* f, store& s) { (*static_cast<F*>(f))(s); })
        {}
        void operator()(store& s) const { run_(f_, s); }

    private:
        void* f_;
        void (*run_)(void*, store&);
    };

    // The hook: runs `c` once, on the store it chooses (inner() unless the wrapper knows better).
    virtual void pass(operation op, const call& c) = 0;
    store& inner() const noexcept { return inner_; }

private:
    static constexpr std::array<std::string_view, 17> names{
        "get_consent", "put_consent", "load_consents", "get_settings", "put_settings", "load_settings",
        "add_counts",  "counts",      "add_notice",    "take_notices", "forget_user",  "take_changes",
        "claim_daily", "load_state",  "put_state",     "ping",         "take_changes_waiting"};

    template <class Method, class... Args>
    std::invoke_result_t<Method, store&, const Args&...> forward(operation op, Method method, const Args&... args)
    {
        std::invoke_result_t<Method, store&, const Args&...> result{};
        auto run = [&](store& s) { result = (s.*method)(args...); };
        pass(op, call(run));
        return result;
    }

    store& inner_;
};

}  // namespace nudgebot::storage
