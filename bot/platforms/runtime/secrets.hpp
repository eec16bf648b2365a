// Comparing secrets and signing what a platform echoes back to us.
//
// Contract: pure functions, thread-safe, no logging. `same_secret` compares in time that does not
// depend on where the inputs differ (OpenSSL CRYPTO_memcmp); an empty secret never matches.
// `sign` is HMAC-SHA256 of `data` under `key`, as lowercase hex; `signature_matches` checks one
// in constant time. Neither key nor data is ever logged by callers.
#pragma once

#include <string>
#include <string_view>

namespace nudgebot::runtime {

bool same_secret(std::string_view a, std::string_view b) noexcept;
std::string sign(std::string_view key, std::string_view data);
bool signature_matches(std::string_view key, std::string_view data, std::string_view signature) noexcept;

}  // namespace nudgebot::runtime
