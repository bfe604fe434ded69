// How a route treats its client sessions: relayed unchanged (client_ssl_mode = PASSTHROUGH, as
// before) or terminated (grouter is the server to the client and a client to the storage node),
// with MySQL Router's TLS options and their rules. Plain values and pure checks; the OpenSSL
// contexts built from them live in routing/tls.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace grouter::routing {

// MySQL Router's client_ssl_mode.
enum class ClientSslMode { kDisabled, kPreferred, kRequired, kPassthrough };
// MySQL Router's server_ssl_mode.
enum class ServerSslMode { kDisabled, kPreferred, kRequired, kAsClient };
// MySQL Router's server_ssl_verify.
enum class ServerSslVerify { kDisabled, kVerifyCa, kVerifyIdentity };

struct SessionConfig {
  // Unset in the file: PREFERRED when client_ssl_cert or client_ssl_key is given, PASSTHROUGH
  // (grouter's relay) when not, as in MySQL Router.
  std::optional<ClientSslMode> client_ssl_mode;
  std::string client_ssl_cert;
  std::string client_ssl_key;
  std::string client_ssl_cipher;  // OpenSSL cipher list (TLS 1.2 and below)
  std::string client_ssl_curves;  // OpenSSL groups list, e.g. "P-256:X25519"
  std::string client_ssl_ca;      // CA to verify client certificates with (requests one)

  std::optional<ServerSslMode> server_ssl_mode;  // unset: AS_CLIENT
  ServerSslVerify server_ssl_verify = ServerSslVerify::kDisabled;
  std::string server_ssl_ca;
  std::string server_ssl_cert;  // client certificate grouter shows the storage node
  std::string server_ssl_key;
  std::string server_ssl_cipher;
  std::string server_ssl_curves;

  // The effective modes, defaults applied.
  ClientSslMode client_mode() const;
  ServerSslMode server_mode() const { return server_ssl_mode.value_or(ServerSslMode::kAsClient); }
  // Whether grouter terminates the session: every client_ssl_mode but PASSTHROUGH.
  bool terminated() const { return client_mode() != ClientSslMode::kPassthrough; }
};

std::optional<ClientSslMode> parse_client_ssl_mode(std::string_view text);  // any case
std::optional<ServerSslMode> parse_server_ssl_mode(std::string_view text);
std::optional<ServerSslVerify> parse_server_ssl_verify(std::string_view text);
std::string_view to_string(ClientSslMode mode);
std::string_view to_string(ServerSslMode mode);
std::string_view to_string(ServerSslVerify verify);

// The first of MySQL Router's rules CONFIG breaks, worded as MySQL Router words it, or nullopt:
// - client_ssl_mode = PREFERRED or REQUIRED needs client_ssl_cert and client_ssl_key;
// - client_ssl_mode = PASSTHROUGH needs server_ssl_mode = AS_CLIENT, and takes no client_ssl_ca,
//   server_ssl_cert or server_ssl_key (DISABLED takes no client_ssl_ca either);
// - server_ssl_verify = VERIFY_CA or VERIFY_IDENTITY needs server_ssl_ca;
// - a server leg without TLS (server_ssl_mode = DISABLED, or AS_CLIENT under client_ssl_mode =
//   DISABLED) takes no server_ssl_cert or server_ssl_key.
std::optional<std::string> check_session_config(const SessionConfig& config);

}  // namespace grouter::routing
