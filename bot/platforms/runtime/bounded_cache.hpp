// A small map for what an adapter looks up on its platform and may keep a while: DM channel ids,
// moderator rights.
//
// Contract: bounded — once `limit` entries are held, the next put() forgets them all (a look-up
// is cheap to repeat, and nobody can grow it without end). An entry put with an expiry is not
// found from that time on. Header-only; not thread-safe: used on the adapter's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace nudgebot::runtime {

template <class Value>
class bounded_cache {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit bounded_cache(std::size_t limit) : limit_(limit) {}

    // The value for `key`, or nullptr when there is none or it expired by `now`.
    const Value* find(const std::string& key, time_point now = time_point::min()) const
    {
        auto it = entries_.find(key);
        if (it == entries_.end() || it->second.expires <= now) return nullptr;
        return &it->second.value;
    }

    void put(const std::string& key, Value value, time_point expires = time_point::max())
    {
        if (entries_.size() >= limit_ && !entries_.count(key)) entries_.clear();
        entries_[key] = entry{std::move(value), expires};
    }

    void clear() noexcept { entries_.clear(); }
    std::size_t size() const noexcept { return entries_.size(); }

private:
    struct entry {
        Value value;
        time_point expires;
    };
    std::size_t limit_;
    std::unordered_map<std::string, entry> entries_;
};

}  // namespace nudgebot::runtime
