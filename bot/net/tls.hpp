// The TLS client context shared by every outgoing connection of the process.
//
// Contract: created once on first use (thread-safe), verifies the peer certificate against the
// system trust store; callers add host-name verification and SNI per connection (transport.cpp).
#pragma once

namespace boost::asio::ssl {
class context;
}

namespace nudgebot::net {

boost::asio::ssl::context& client_tls_context();

}  // namespace nudgebot::net
