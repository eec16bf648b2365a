// A storage::store wrapper that can fail or slow down on demand, for tests of the error paths.
//
// Contract: header-only test support. Delegates to a real store; when `fail_writes` is set every
// write returns false; `delay` is slept before every call (to make the async worker slow);
// `durable_delay_ms` before each durable write only (put_consent, put_settings, forget_user), as a
// slow fsync would; `shared` makes it report shared(). The flags are atomics so the test thread
// may flip them while the worker runs.
#pragma once

#include "storage/store.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

namespace nudgebot::testing {

class failing_store final : public storage::store {
public:
    // `shared`: report shared() as a store several processes use would (the event router then
    // claims daily slots through claim_daily before delivering), whatever the inner store is.
    explicit failing_store(std::unique_ptr<storage::store> inner, bool shared = false)
        : inner_(std::move(inner)), shared_(shared)
    {}

    bool shared() const noexcept override { return shared_; }

    std::atomic<bool> fail_writes{false};
    std::atomic<int> delay_ms{0};
    std::atomic<int> durable_delay_ms{0};

    std::optional<storage::consent> get_consent(const storage::user_key& u) override { return wait(), inner_->get_consent(u); }
    bool put_consent(const storage::user_key& u, const storage::consent& c) override
    {
        wait();
        durable_wait();
        return !fail_writes && inner_->put_consent(u, c);
    }
    std::vector<std::pair<core::user_id, storage::consent>> load_consents(core::platform p) override
    {
        return wait(), inner_->load_consents(p);
    }
    std::optional<storage::server_settings> get_settings(const storage::server_key& s) override
    {
        return wait(), inner_->get_settings(s);
    }
    bool put_settings(const storage::server_key& k, const storage::server_settings& s) override
    {
        wait();
        durable_wait();
        return !fail_writes && inner_->put_settings(k, s);
    }
    std::vector<std::pair<core::server_id, storage::server_settings>> load_settings(core::platform p) override
    {
        return wait(), inner_->load_settings(p);
    }
    bool add_counts(const std::vector<storage::counter_row>& rows) override
    {
        wait();
        return !fail_writes && inner_->add_counts(rows);
    }
    std::vector<storage::counter_row> counts(core::platform p, const std::string& s, std::int32_t a, std::int32_t b) override
    {
        return wait(), inner_->counts(p, s, a, b);
    }
    bool add_notice(const storage::user_key& u, const std::string& k) override
    {
        wait();
        return !fail_writes && inner_->add_notice(u, k);
    }
    std::vector<std::string> take_notices(const storage::user_key& u) override { return wait(), inner_->take_notices(u); }
    bool forget_user(const storage::user_key& u) override
    {
        wait();
        durable_wait();
        return !fail_writes && inner_->forget_user(u);
    }
    std::vector<std::pair<std::string, std::string>> load_state(core::platform p) override
    {
        return wait(), inner_->load_state(p);
    }
    bool put_state(core::platform p, const std::string& name, const std::string& value) override
    {
        wait();
        return !fail_writes && inner_->put_state(p, name, value);
    }

private:
    void wait() const
    {
        if (int ms = delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    void durable_wait() const
    {
        if (int ms = durable_delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    std::unique_ptr<storage::store> inner_;
    bool shared_ = false;
};

}  // namespace nudgebot::testing
