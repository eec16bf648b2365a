#include "platforms/runtime/secrets.hpp"

#include <catch2/catch.hpp>

using namespace nudgebot::runtime;

TEST_CASE("Secrets match only when equal, and an empty secret never matches", "[runtime][secrets]")
{
    CHECK(same_secret("s3cret-value", "s3cret-value"));
    CHECK_FALSE(same_secret("s3cret-value", "s3cret-valuf"));
    CHECK_FALSE(same_secret("s3cret-value", "s3cret-valu"));
    CHECK_FALSE(same_secret("", ""));
    CHECK_FALSE(same_secret("", "x"));
}

TEST_CASE("Signatures are HMAC-SHA256 in lowercase hex (RFC 4231 test case 2)", "[runtime][secrets]")
{
    CHECK(sign("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    auto s = sign("key", "nudgebot-button:nb:stop:1");
    CHECK(signature_matches("key", "nudgebot-button:nb:stop:1", s));
    CHECK_FALSE(signature_matches("key", "nudgebot-button:nb:stop:2", s));
    CHECK_FALSE(signature_matches("other key", "nudgebot-button:nb:stop:1", s));
    CHECK_FALSE(signature_matches("", "nudgebot-button:nb:stop:1", sign("", "nudgebot-button:nb:stop:1")));
}
