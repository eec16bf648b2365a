// What a platform adapter keeps across restarts: small named values such as Discord's gateway
// session per shard (so a restart RESUMEs) and the registered command set's hash (so a restart
// does not register it again). app/ reads them from the store before the adapter starts and hands
// in `save`, which writes to the store.
//
// Contract: `loaded` is what the store held when the process started, read once. `save` queues one
// value for the store (an empty value deletes the name); it never blocks, may be called on the
// adapter's thread, and app/ lets the store finish every queued write before a normal exit. Values
// hold ids, sequence numbers, URLs and hashes only: never message text, never a token. Without
// `save` (tests, tools) nothing is kept.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace nudgebot::runtime {

struct kept_state {
    std::map<std::string, std::string> loaded;
    std::function<void(const std::string& name, const std::string& value)> save;

    bool keeps() const noexcept { return static_cast<bool>(save); }
    const std::string* find(const std::string& name) const
    {
        auto it = loaded.find(name);
        return it == loaded.end() || it->second.empty() ? nullptr : &it->second;
    }
};

}  // namespace nudgebot::runtime
