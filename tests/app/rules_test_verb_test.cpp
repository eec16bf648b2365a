#include "app/verbs.hpp"

#include <sstream>
#include <string>

#include <catch2/catch.hpp>

using namespace nudgebot;

namespace {

struct run_result {
    int code = 0;
    std::string out;
    std::string err;
};

run_result rules_test(const std::string& dir)
{
    std::ostringstream out;
    std::ostringstream err;
    run_result r;
    r.code = app::run_rules_test({dir}, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

const std::string data = NUDGEBOT_SOURCE_DIR "/tests/app/data/";

}  // namespace

TEST_CASE("rules test passes a pack whose examples all behave", "[app][rules-test]")
{
    const auto r = rules_test(data + "rules");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find(data + "rules: 1 packs, 3 rules, 6 lexicons, compiled in ") == 0);
    // 3 rules x (1 fire + 1 quiet) + 1 pack flag + 1 pack quiet.
    CHECK(r.out.substr(r.out.size() - 20) == "\n8 passed, 0 failed\n");
}

TEST_CASE("rules test prints each failing example at its place and exits 1", "[app][rules-test]")
{
    const auto r = rules_test(data + "failing_rules");
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.out.find(data + "failing_rules/wrong.json:17:35: error: rule \"wrong.insult\" should "
                            "fire on this example but did not") != std::string::npos);
    CHECK(r.out.find(data + "failing_rules/wrong.json:18:19: error: rule \"wrong.insult\" should "
                            "stay quiet on this example but fired") != std::string::npos);
    CHECK(r.out.find("\n1 passed, 2 failed\n") != std::string::npos);
    // Failure lines never quote the example text (only its position).
    CHECK(r.out.find("numbskull alone") == std::string::npos);
}

TEST_CASE("rules test reports every load error at once, sorted, and exits 1", "[app][rules-test]")
{
    const auto r = rules_test(data + "broken_rules");
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    const auto a = r.err.find(data + "broken_rules/a_broken.json:5:");
    const auto b = r.err.find(data + "broken_rules/a_broken.json:8:");
    const auto c = r.err.find(data + "broken_rules/b_syntax.json:3:");
    CHECK(a != std::string::npos);
    CHECK(b != std::string::npos);
    CHECK(c != std::string::npos);
    CHECK(a < b);
    CHECK(b < c);
    CHECK(r.err.find("did not load (") != std::string::npos);
}

TEST_CASE("rules test on a folder that does not exist fails clearly", "[app][rules-test]")
{
    const auto r = rules_test("/nonexistent/rules");
    CHECK(r.code == 1);
    CHECK(r.err.find("/nonexistent/rules") != std::string::npos);
}
