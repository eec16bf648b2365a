// The store wrappers built on forwarding_store: every call reaches the wrapped store with its
// arguments and its result comes back unchanged; timed_store observes each store operation once,
// by its name, and never a ping or a wait for changes.
#include "storage/job_order.hpp"
#include "storage/timed_store.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace nudgebot;
using namespace nudgebot::storage;

namespace {

const user_key carol{core::platform::slack, core::user_id{"U0CAROL"}};
const server_key team{core::platform::slack, core::server_id{"T0TEAM"}};

// Calls every store operation once, in the order of timed_store::operations(), checking that each
// result is what the wrapped store holds.
void call_every_operation(store& s)
{
    consent c;
    c.enabled = true;
    c.muted = {"pile_on"};
    CHECK_FALSE(s.get_consent(carol).has_value());
    CHECK(s.put_consent(carol, c));
    CHECK(s.load_consents(core::platform::slack).size() == 1);
    CHECK_FALSE(s.get_settings(team).has_value());
    server_settings settings;
    settings.sensitivity = "high";
    CHECK(s.put_settings(team, settings));
    CHECK(s.load_settings(core::platform::slack).at(0).second.sensitivity == "high");
    counter_row row{{3, core::platform::slack, "T0TEAM", "conflict", "r1", "delivered"}, 2};
    CHECK(s.add_counts({row}));
    CHECK(s.counts(core::platform::slack, "T0TEAM", 0, 10).at(0).count == 2);
    CHECK(s.add_notice(carol, "welcome"));
    CHECK(s.take_notices(carol) == std::vector<std::string>{"welcome"});
    CHECK(s.forget_user(carol));
    CHECK(s.take_changes(0).empty());
    CHECK(s.claim_daily(carol, 3, "push", 1));
    CHECK(s.load_state(core::platform::slack).empty());
    CHECK(s.put_state(core::platform::slack, "hash", "abc"));
    CHECK(s.get_consent(carol) == std::nullopt);   // forget-me reached the wrapped store
    CHECK(s.load_state(core::platform::slack).at(0).second == "abc");
}

}  // namespace

TEST_CASE("timed_store passes every call through and observes each operation once by name", "[storage][timed]")
{
    std::vector<std::string> seen;
    timed_store timed(make_store("sqlite::memory:"), [&](std::string_view op, double seconds) {
        CHECK(seconds >= 0);
        seen.emplace_back(op);
    });
    call_every_operation(timed);
    // The last two calls read back what earlier ones wrote.
    std::vector<std::string> expected(timed_store::operations().begin(), timed_store::operations().end());
    expected.push_back("get_consent");
    expected.push_back("load_state");
    CHECK(seen == expected);

    seen.clear();
    CHECK(timed.ping());
    CHECK(timed.take_changes(5).empty());   // a wait for changes measures the quiet, not the store
    CHECK_FALSE(timed.shared());
    CHECK(seen.empty());
}

TEST_CASE("in_order_store passes every call through to its connection once the job has its turn", "[storage][async]")
{
    auto connection = make_store("sqlite::memory:");
    job_order order;
    in_order_store view(*connection, order);
    view.begin(order.taken());
    call_every_operation(view);
    CHECK(connection->load_state(core::platform::slack).size() == 1);
}
