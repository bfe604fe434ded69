// grouter's login rules toward a storage node.
#include "routing/server_leg.h"

#include <utility>

#include "protocol/mysql_wire/capabilities.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
namespace cap = wire::capability;

// Never agreed on a server leg: compression (grouter would have to inflate every frame) and TLS
// unless the leg uses it.
constexpr std::uint32_t kNeverAgreed = cap::kCompress | cap::kZstdCompression | cap::kSsl;

}  // namespace

ServerTls decide_server_tls(ServerSslMode mode, bool node_offers_tls, bool client_leg_tls) {
  bool use_tls = false;
  switch (mode) {
    case ServerSslMode::kDisabled:
      break;
    case ServerSslMode::kPreferred:
      use_tls = node_offers_tls;
      break;
    case ServerSslMode::kRequired:
      use_tls = true;
      break;
    case ServerSslMode::kAsClient:
      use_tls = client_leg_tls;
      break;
  }
  if (!use_tls) return ServerTls::kPlain;
  return node_offers_tls ? ServerTls::kTls : ServerTls::kNodeLacksTls;
}

wire::HandshakeResponse server_leg_response(wire::HandshakeResponse login,
                                            const wire::ServerGreeting& node, bool tls) {
  login.capabilities =
      (login.capabilities & node.capabilities & ~kNeverAgreed) | (tls ? cap::kSsl : 0);
  login.mariadb_capabilities &= node.mariadb_capabilities;
  login.zstd_level = 0;
  if ((login.capabilities & cap::kPluginAuth) != 0) {
    login.auth_plugin_name = std::string(kNativePlugin);
  }
  return login;
}

wire::SslRequest ssl_request_of(const wire::HandshakeResponse& response) {
  return wire::SslRequest{response.capabilities, response.max_packet_size, response.charset,
                          response.mariadb_capabilities};
}

}  // namespace grouter::routing
