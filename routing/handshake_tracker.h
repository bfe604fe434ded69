// Watches the bytes of a pass-through connection until the client's authentication is settled, so
// the route can enforce client_connect_timeout and count connect errors without terminating the
// protocol. Pure: bytes in, an outcome out.
//
// Plain connections: the first server packet is the greeting; after the client's first packet,
// a server OK (0x00) means authenticated and an ERR (0xff) means refused. Anything else (auth
// switch, more data) continues the exchange.
// TLS (the client's first packet is an SSLRequest): from then on only TLS record headers are
// visible; the handshake counts as done when the server sends application data after the client
// has sent some (the first encrypted MySQL packets after the TLS handshake).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace grouter::routing {

class HandshakeTracker {
 public:
  enum class Outcome {
    kPending,        // still authenticating
    kAuthenticated,  // the server accepted the client
    kServerRefused,  // the server sent ERR (its code is in error_code())
    kMalformed,      // bytes that cannot be a MySQL/TLS handshake
  };

  Outcome on_client_bytes(std::span<const std::uint8_t> bytes);
  Outcome on_server_bytes(std::span<const std::uint8_t> bytes);

  Outcome outcome() const { return outcome_; }
  std::uint16_t error_code() const { return error_code_; }
  bool tls() const { return tls_; }

 private:
  // Splits one direction's byte stream into frames (MySQL: 4-byte header; TLS: 5-byte header),
  // reporting each frame's header and the first bytes of its body.
  struct Scanner {
    std::array<std::uint8_t, 9> head{};  // header + first body bytes of the current frame
    std::size_t head_size = 0;          // bytes of head filled
    std::size_t body_left = 0;           // body bytes of the current frame still to skip
    bool in_body = false;
  };
  struct Frame {
    std::uint32_t body_size = 0;
    std::span<const std::uint8_t> body_start;  // up to the first 4 body bytes (MySQL) / 0 (TLS)
    std::uint8_t tls_type = 0;
  };

  template <typename OnFrame>
  bool scan(Scanner& scanner, std::span<const std::uint8_t> bytes, OnFrame&& on_frame);
  void on_client_frame(const Frame& frame);
  void on_server_frame(const Frame& frame);

  Scanner client_;
  Scanner server_;
  Outcome outcome_ = Outcome::kPending;
  std::uint16_t error_code_ = 0;
  bool tls_ = false;
  bool greeting_seen_ = false;
  bool client_responded_ = false;
  bool client_sent_app_data_ = false;
};

}  // namespace grouter::routing
