// Cutting outgoing text to a platform's length limit, shared by the platform adapters.
//
// Contract: pure, never throws beyond std::bad_alloc; counts code points (UTF-8 lead bytes) and
// never cuts inside a UTF-8 sequence. Used only inside bot/platforms/.
#pragma once

#include <cstddef>
#include <string>

namespace nudgebot::platforms {

// The first `limit` code points of `text` (all of it when shorter).
inline std::string truncate_utf8(const std::string& text, std::size_t limit)
{
    std::size_t points = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            if (points == limit) return text.substr(0, i);
            ++points;
        }
    }
    return text;
}

}  // namespace nudgebot::platforms
