// The client side of the handshake toward a storage node, for a session's further server
// connections (read/write splitting): grouter logs a client it has already authenticated in to
// any node with that node's own nonce, from the client's proof (SHA1(password), see
// protocol/mysql_wire/scramble.h). Pure: bytes in, bytes out, no sockets or clocks (TLS runs over
// memory BIOs), so every step is testable without a network.
//
//   greeting ─► [SSLRequest ─► TLS handshake, per server_ssl_mode] ─► HandshakeResponse41
//   (scramble_native_from_proof(proof, nonce), plugin mysql_native_password)
//   node: OK ─► logged in │ ERR ─► failed with the node's code │ AuthSwitchRequest to
//   mysql_native_password ─► the reply to its new nonce (once) │ any other plugin ─► failed
//   logged in: the byte stream both ways, decrypted and encrypted when the leg uses TLS.
//
// Errors are what a client would be told: 2003 (no MySQL greeting), 2013 (a broken or unexpected
// reply, a TLS failure after login), 2026 (TLS could not be set up), 1251 (another plugin), or the
// node's own ERR (1045, 1040, ...). Never a proof or scramble in a message.
//
// Ownership: one per server connection, used on its loop only; it holds the request's TLS
// contexts (shared, immutable) for its lifetime.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "protocol/mysql_wire/connect_attrs.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "routing/session_config.h"
#include "routing/tls.h"

namespace grouter::routing {

// What to tell the client when a server connection fails.
struct LinkError {
  std::uint16_t code = 0;
  std::string sql_state;
  std::string message;
};

struct LoginRequest {
  std::string user;
  std::vector<std::uint8_t> proof;  // SHA1(password); empty: an account without a password
  std::string schema;               // empty: none
  std::uint8_t charset = 45;        // utf8mb4_general_ci
  std::uint32_t max_packet_size = 1u << 24;
  // Agreed with the client; the leg's are these AND the node's (see server_leg.h).
  std::uint32_t capabilities = 0;
  std::uint32_t mariadb_capabilities = 0;
  mysql_wire::ConnectAttrs attributes;
  // TLS: server_ssl_mode decides; AS_CLIENT follows client_tls. HOST is checked against the
  // node's certificate under VERIFY_IDENTITY.
  ServerSslMode server_ssl_mode = ServerSslMode::kDisabled;
  bool client_tls = false;
  std::shared_ptr<const TlsContexts> tls;  // its `connect` context is needed for a TLS leg
  std::string host;
};

struct LoginResult {
  std::uint32_t connection_id = 0;  // the node's
  std::string server_version;
  std::uint16_t status_flags = 0;          // from the node's OK
  std::uint32_t capabilities = 0;          // the leg's, as sent in the HandshakeResponse
  std::uint32_t mariadb_capabilities = 0;  // likewise
  bool tls = false;
  std::string tls_description;  // e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384"; empty without TLS
};

class ServerLogin {
 public:
  enum class Event {
    kContinue,  // nothing to report: send what was produced, wait for more bytes
    kLoggedIn,  // the node accepted: result() holds the details
    kFailed,    // error() says why; send nothing more
  };

  explicit ServerLogin(LoginRequest request);
  ServerLogin(const ServerLogin&) = delete;
  ServerLogin& operator=(const ServerLogin&) = delete;
  ~ServerLogin();

  // BYTES, as the node sent them. Appends to TO_NODE what to send it (ciphertext on a TLS leg) and,
  // from the call that returns kLoggedIn on, to PLAINTEXT what the node sent after its OK (nothing,
  // normally: it belongs to the caller).
  [[nodiscard]] Event on_node_bytes(std::span<const std::uint8_t> bytes,
                                    std::vector<std::uint8_t>& to_node,
                                    std::vector<std::uint8_t>& plaintext);
  // After login: PLAINTEXT for the node, appended to TO_NODE as it goes on the wire. False on a
  // TLS failure (error() says why) or before login.
  [[nodiscard]] bool send(std::span<const std::uint8_t> plaintext,
                          std::vector<std::uint8_t>& to_node);

  bool logged_in() const { return phase_ == Phase::kLoggedIn; }
  const LoginResult& result() const { return result_; }
  const LinkError& error() const { return error_; }

 private:
  enum class Phase { kGreeting, kTls, kAuth, kLoggedIn, kFailed };

  Event drain_frames(std::vector<std::uint8_t>& to_node, std::vector<std::uint8_t>& plaintext);
  Event on_greeting(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& to_node);
  Event tls_step(std::vector<std::uint8_t>& to_node);
  // The HandshakeResponse41 for this node without its auth response.
  mysql_wire::HandshakeResponse leg_response(bool tls) const;
  Event send_response(std::vector<std::uint8_t>& to_node);
  Event on_auth_reply(std::uint8_t sequence_id, std::span<const std::uint8_t> payload,
                      std::vector<std::uint8_t>& to_node);
  void send_payload(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& to_node);
  Event fail(std::uint16_t code, const char* sql_state, std::string message);

  const LoginRequest request_;
  const std::string node_;  // "storage node HOST", for messages
  Phase phase_ = Phase::kGreeting;
  std::vector<std::uint8_t> in_;  // plaintext from the node not yet used
  std::unique_ptr<TlsChannel> tls_;
  mysql_wire::ServerGreeting greeting_;
  std::uint8_t sequence_ = 0;  // the next sequence id toward the node
  bool switched_ = false;      // the node asked for an auth switch once already
  LoginResult result_;
  LinkError error_;
};

}  // namespace grouter::routing
