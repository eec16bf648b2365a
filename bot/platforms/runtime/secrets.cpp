#include "platforms/runtime/secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace nudgebot::runtime {

bool same_secret(std::string_view a, std::string_view b) noexcept
{
    if (a.empty() || a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string sign(std::string_view key, std::string_view data)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), mac, &len) == nullptr)
        return {};
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[mac[i] >> 4];
        out += hex[mac[i] & 15];
    }
    return out;
}

bool signature_matches(std::string_view key, std::string_view data, std::string_view signature) noexcept
{
    if (key.empty()) return false;
    try {
        return same_secret(sign(key, data), signature);
    } catch (...) {
        return false;
    }
}

}  // namespace nudgebot::runtime
