// A store that times every operation of the store it wraps: the store-latency histogram
// (nudgebot_store_operation_seconds{op}) in production, raw samples in the store benchmark.
//
// Contract: owned by storage/. Same threading as the wrapped store (one thread at a time); the
// observer runs on that thread right after each call, with the operation's name (a fixed word)
// and its duration in seconds. Adds nothing else: results pass through unchanged.
#pragma once

#include "core/metrics.hpp"
#include "storage/store.hpp"

#include <functional>
#include <memory>
#include <string_view>

namespace nudgebot::storage {

class timed_store final : public store {
public:
    using observer = std::function<void(std::string_view op, double seconds)>;

    timed_store(std::unique_ptr<store> inner, observer observe);
    // Observes into registry's nudgebot_store_operation_seconds{op}, every op's series created now.
    timed_store(std::unique_ptr<store> inner, core::metrics& registry);

    // The operation names, as they appear in the op label.
    static const std::vector<std::string_view>& operations();

    std::optional<consent> get_consent(const user_key& user) override;
    bool put_consent(const user_key& user, const consent& c) override;
    std::vector<std::pair<core::user_id, consent>> load_consents(core::platform where) override;
    std::optional<server_settings> get_settings(const server_key& server) override;
    bool put_settings(const server_key& server, const server_settings& s) override;
    std::vector<std::pair<core::server_id, server_settings>> load_settings(core::platform where) override;
    bool add_counts(const std::vector<counter_row>& rows) override;
    std::vector<counter_row> counts(core::platform where, const std::string& server, std::int32_t first_day,
                                    std::int32_t last_day) override;
    bool add_notice(const user_key& user, const std::string& kind) override;
    std::vector<std::string> take_notices(const user_key& user) override;
    bool forget_user(const user_key& user) override;
    std::vector<std::pair<std::string, std::string>> load_state(core::platform where) override;
    bool put_state(core::platform where, const std::string& name, const std::string& value) override;
    bool ping() override { return inner_->ping(); }
    bool shared() const noexcept override { return inner_->shared(); }
    std::vector<change> take_changes(int wait_ms) override;
    bool claim_daily(const user_key& user, std::int32_t day, std::string_view kind, std::uint32_t limit) override;

private:
    template <class F>
    auto timed(std::string_view op, F&& f);

    std::unique_ptr<store> inner_;
    observer observe_;
};

}  // namespace nudgebot::storage
