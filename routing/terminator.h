// The handshake of a terminated session, and its byte path after it: grouter is the server to the
// client and a client to the storage node. Pure: bytes in, bytes out, no sockets or clocks (TLS
// runs over memory BIOs), so every step is testable without a network.
//
//   server greeting ──► grouter's greeting to the client (the node's version and nonce, the
//   capabilities grouter supports, TLS offered per client_ssl_mode)
//   client: [SSLRequest ─► TLS handshake] ─► HandshakeResponse [─► AuthSwitchResponse when its
//   plugin was not mysql_native_password and grouter asked it to switch]
//   server leg: [SSLRequest ─► TLS handshake, per server_ssl_mode] ─► HandshakeResponse with the
//   client's user, scramble (the nonce is the node's), schema, character set and attributes
//   server: OK ─► to the client, command phase │ ERR (1045 ...) ─► to the client, done │ a switch
//   to another auth plugin ─► a clear error naming it, done
//   command phase: bytes both ways, decrypted and encrypted on each TLS leg.
//
// Every ERR grouter itself sends carries the client's next sequence id.
//
// Ownership: one per connection, used on its loop only.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "routing/session_config.h"
#include "routing/tls.h"

namespace grouter::routing {

struct TerminatorOutput {
  std::vector<std::uint8_t> to_client;
  std::vector<std::uint8_t> to_server;
  // After hand_over_command_phase(): the command phase's plaintext from each side.
  std::vector<std::uint8_t> client_plain;
  std::vector<std::uint8_t> server_plain;
};

class SessionTerminator {
 public:
  enum class Event {
    kContinue,       // nothing to report
    kAuthenticated,  // the storage node accepted the client: the command phase runs
    kDone,           // a reply that ends the session is queued (an ERR): close after flushing
    kClientFault,    // the client broke the protocol (counts as a connect error): close after
                     // flushing
  };

  SessionTerminator(const SessionConfig& config, std::shared_ptr<const TlsContexts> tls,
                    std::string route_name, std::string server_host);
  SessionTerminator(const SessionTerminator&) = delete;
  SessionTerminator& operator=(const SessionTerminator&) = delete;
  ~SessionTerminator();

  [[nodiscard]] Event on_server_bytes(std::span<const std::uint8_t> bytes, TerminatorOutput& out);
  [[nodiscard]] Event on_client_bytes(std::span<const std::uint8_t> bytes, TerminatorOutput& out);

  bool authenticated() const { return phase_ == Phase::kCommand; }
  // In the command phase with no TLS on either leg: bytes may go through unchanged.
  bool transparent() const;
  // Why the session ended or failed, for the log (never a password or scramble).
  const std::string& reason() const { return reason_; }
  const std::string& user() const { return response_.user; }
  bool client_tls() const { return client_tls_ != nullptr; }
  bool server_tls() const { return server_tls_ != nullptr; }

  // A read/write-splitting session takes the command phase over: from now on the plaintext each
  // side sends comes out in client_plain / server_plain, and the caller sends with send_*_plain.
  void hand_over_command_phase() { hand_over_ = true; }
  void send_client_plain(std::span<const std::uint8_t> bytes, TerminatorOutput& out);
  void send_server_plain(std::span<const std::uint8_t> bytes, TerminatorOutput& out);
  // What the login agreed, for the session's further server connections.
  std::uint32_t capabilities() const { return response_.capabilities & offered_capabilities_; }
  std::uint32_t mariadb_capabilities() const {
    return response_.mariadb_capabilities & greeting_.mariadb_capabilities;
  }
  const mysql_wire::HandshakeResponse& client_response() const { return response_; }
  const std::vector<std::uint8_t>& nonce() const { return greeting_.nonce; }
  const std::vector<std::uint8_t>& login_ok() const { return login_ok_; }

 private:
  enum class Phase {
    kServerGreeting,
    kClientResponse,
    kClientTls,
    kClientAuthSwitch,
    kServerTls,
    kServerAuth,
    kCommand,
    kEnded,
  };

  Event take_bytes(bool from_client, std::span<const std::uint8_t> bytes, TerminatorOutput& out);
  Event handle_server_frame(std::span<const std::uint8_t> payload);
  Event handle_client_frame(std::uint8_t sequence_id, std::span<const std::uint8_t> payload);
  Event on_greeting(std::span<const std::uint8_t> payload);
  Event on_handshake_response(std::span<const std::uint8_t> payload);
  Event start_client_tls(std::span<const std::uint8_t> after_request);
  Event client_tls_step();
  Event server_tls_step();
  Event start_server_login();
  void send_handshake_response();
  Event on_server_auth_reply(std::span<const std::uint8_t> payload);
  Event drain_frames(bool from_client);
  void pass_command_bytes(bool from_client);

  Event fail_client(std::uint16_t code, const char* sql_state, const std::string& message,
                    Event event);
  void send_to_client(std::span<const std::uint8_t> payload);
  void send_to_server(std::span<const std::uint8_t> payload);
  void emit_client(std::span<const std::uint8_t> bytes);
  void emit_server(std::span<const std::uint8_t> bytes);

  const SessionConfig& config_;
  const std::shared_ptr<const TlsContexts> tls_;
  const std::string route_name_;
  const std::string server_host_;

  Phase phase_ = Phase::kServerGreeting;
  TerminatorOutput* out_ = nullptr;  // the output of the call in progress
  std::vector<std::uint8_t> client_in_;  // plaintext from the client not yet used
  std::vector<std::uint8_t> server_in_;  // plaintext from the server not yet used
  std::unique_ptr<TlsChannel> client_tls_;
  std::unique_ptr<TlsChannel> server_tls_;
  mysql_wire::ServerGreeting greeting_;       // the storage node's
  std::uint32_t offered_capabilities_ = 0;    // in grouter's greeting to the client
  mysql_wire::HandshakeResponse response_;    // the client's
  std::uint8_t client_sequence_ = 0;          // the next sequence id toward the client
  std::uint8_t server_sequence_ = 0;          // the next sequence id toward the server
  std::string reason_;
  std::vector<std::uint8_t> login_ok_;  // the node's OK that ended the login
  bool hand_over_ = false;
};

}  // namespace grouter::routing
