// The rules of grouter's login on a storage node that both the terminated session's own server
// leg (terminator.h) and a session's further server connections (server_login.h) follow: whether
// the leg uses TLS under server_ssl_mode, and the SSLRequest and HandshakeResponse41 grouter sends
// the node, narrowed to the capabilities the node offers. Pure: values in, values out.
//
// Threads: plain functions, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "routing/session_config.h"

namespace grouter::routing {

inline constexpr std::string_view kNativePlugin = "mysql_native_password";
// A handshake message is a few hundred bytes; connection attributes may add some kilobytes.
inline constexpr std::size_t kMaxHandshakePayload = 64 * 1024;

// What server_ssl_mode makes of a node: a plain leg, a TLS leg, or a refusal (TLS required by the
// mode, not offered by the node).
enum class ServerTls { kPlain, kTls, kNodeLacksTls };

// DISABLED: plain. PREFERRED: TLS when the node offers it. REQUIRED: TLS. AS_CLIENT: TLS when
// the client's leg used TLS.
[[nodiscard]] ServerTls decide_server_tls(ServerSslMode mode, bool node_offers_tls,
                                          bool client_leg_tls);

// The HandshakeResponse41 for NODE built from the client's LOGIN (user, auth response, schema,
// charset, attributes): capabilities are the client's AND the node's without compression,
// CLIENT_SSL only when TLS; MariaDB's extended ones likewise; the plugin is mysql_native_password.
[[nodiscard]] mysql_wire::HandshakeResponse server_leg_response(
    mysql_wire::HandshakeResponse login, const mysql_wire::ServerGreeting& node, bool tls);

// The SSLRequest that starts TLS before RESPONSE (a server_leg_response with tls set): its prefix.
[[nodiscard]] mysql_wire::SslRequest ssl_request_of(const mysql_wire::HandshakeResponse& response);

}  // namespace grouter::routing
