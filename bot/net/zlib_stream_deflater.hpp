// The sending side of Discord's `compress=zlib-stream` transport: one deflate context per
// connection, each frame flushed with Z_SYNC_FLUSH so it ends in 00 00 ff ff. Used by the
// sandbox's local Discord server and by the fake Discord in the tests (the client side, the
// inflater, lives in platforms/discord/gateway.cpp).
//
// Contract: owned by one connection, not thread-safe, not copyable. compress() never throws
// beyond std::bad_alloc; if zlib could not be initialised it returns an empty string.
#pragma once

#include <string>

#include <zlib.h>

namespace nudgebot::net {

class zlib_stream_deflater {
public:
    zlib_stream_deflater() { ok_ = deflateInit(&z_, Z_DEFAULT_COMPRESSION) == Z_OK; }
    ~zlib_stream_deflater()
    {
        if (ok_) deflateEnd(&z_);
    }
    zlib_stream_deflater(const zlib_stream_deflater&) = delete;
    zlib_stream_deflater& operator=(const zlib_stream_deflater&) = delete;

    std::string compress(const std::string& in)
    {
        std::string out;
        if (!ok_) return out;
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z_.avail_in = static_cast<uInt>(in.size());
        char buf[16384];
        do {
            z_.next_out = reinterpret_cast<Bytef*>(buf);
            z_.avail_out = sizeof buf;
            deflate(&z_, Z_SYNC_FLUSH);
            out.append(buf, sizeof buf - z_.avail_out);
        } while (z_.avail_out == 0);
        return out;
    }

private:
    z_stream z_{};
    bool ok_ = false;
};

}  // namespace nudgebot::net
