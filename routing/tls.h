// TLS for terminated sessions, over OpenSSL memory BIOs: no sockets here. A TlsChannel takes the
// ciphertext its peer sent (feed), hands out the plaintext it decrypted (read), encrypts what the
// session writes (write), and queues every byte for the peer in its output (take_output), which
// the connection then sends. The contexts are built once per route from its SessionConfig at
// start: a bad certificate, key, CA, cipher list or curve list is a one-line error then, never
// at a client's handshake.
//
// Threads: a TlsContexts is immutable after build and shared by every worker (SSL_CTX is
// thread-safe for creating sessions); a TlsChannel belongs to one connection on one loop.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "routing/session_config.h"

struct ssl_ctx_st;
struct ssl_st;
struct bio_st;

namespace grouter::routing {

struct SslCtxDeleter {
  void operator()(ssl_ctx_st* ctx) const;
};
using SslCtxPtr = std::unique_ptr<ssl_ctx_st, SslCtxDeleter>;

// The OpenSSL contexts of one route: `accept` for clients (when client_ssl_mode may use TLS),
// `connect` for storage nodes (when server_ssl_mode may use TLS). Null when not needed.
struct TlsContexts {
  SslCtxPtr accept;
  SslCtxPtr connect;
  ServerSslVerify verify = ServerSslVerify::kDisabled;
};

// Builds the contexts CONFIG needs; the error names the option and the cause.
[[nodiscard]] std::expected<std::shared_ptr<const TlsContexts>, std::string> build_tls_contexts(
    const SessionConfig& config);

class TlsChannel {
 public:
  enum class Progress { kPending, kDone, kFailed };

  // The server end, toward a client.
  static std::unique_ptr<TlsChannel> accepting(ssl_ctx_st* ctx);
  // The client end, toward storage node HOST (checked against its certificate under
  // VERIFY_IDENTITY).
  static std::unique_ptr<TlsChannel> connecting(ssl_ctx_st* ctx, const std::string& host,
                                                ServerSslVerify verify);
  TlsChannel(const TlsChannel&) = delete;
  TlsChannel& operator=(const TlsChannel&) = delete;
  ~TlsChannel();

  // Ciphertext from the peer.
  void feed(std::span<const std::uint8_t> ciphertext);
  // Advances the handshake with what was fed; kFailed leaves the reason in error().
  Progress handshake();
  bool established() const { return established_; }
  // Appends every plaintext byte decrypted so far to OUT. False on a TLS error or a close alert
  // (error() says which).
  bool read(std::vector<std::uint8_t>& out);
  // Encrypts PLAINTEXT into the output. False on a TLS error.
  bool write(std::span<const std::uint8_t> plaintext);
  // Moves the ciphertext waiting for the peer to the end of OUT.
  void take_output(std::vector<std::uint8_t>& out);
  const std::string& error() const { return error_; }
  // The negotiated protocol and cipher, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384".
  std::string description() const;

 private:
  explicit TlsChannel(ssl_st* ssl);
  void record_error(int rc, const char* what);

  ssl_st* ssl_ = nullptr;
  bio_st* in_ = nullptr;   // owned by ssl_
  bio_st* out_ = nullptr;  // owned by ssl_
  bool established_ = false;
  std::string error_;
};

}  // namespace grouter::routing
