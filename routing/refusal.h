// How grouter refuses a client itself (no destination, max_connections, a blocked host): the way a
// server refuses after its greeting. grouter sends a Handshake v10 of its own, reads the client's
// first packet (its HandshakeResponse), and answers it with the ERR, sequence id one past the
// client's. An ERR in place of the greeting is what MariaDB itself sends in that place, but client
// libraries do not show it as sent: Connector/J 2.7 drops its code, and libmariadb (the mariadb
// CLI) reports it as an unverifiable error 2002 while it expects a TLS handshake. After a greeting
// that offers no TLS, every client shows the ERR's code, SQL state and message.
//
// Pure: no I/O, no clock. RefusalExchange is fed the client's bytes and says when to answer; it
// keeps at most a frame header and two capability bytes, whatever the client sends.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/mysql_wire/err_packet.h"

namespace grouter::routing {

inline constexpr std::size_t kRefusalNonceSize = 20;
// A HandshakeResponse larger than this (connect attributes are at most 64 KiB) is not waited for.
inline constexpr std::uint32_t kMaxAwaitedResponseSize = 96 * 1024;

// grouter's greeting to a client it refuses, framed (sequence id 0): protocol 4.1 with
// mysql_native_password and no TLS. RANDOM gives the nonce (each byte mapped to a printable one).
[[nodiscard]] std::vector<std::uint8_t> refusal_greeting(
    std::span<const std::uint8_t, kRefusalNonceSize> random);

class RefusalExchange {
 public:
  // Feeds what the client sent after the greeting. True once the answer is due: the client's first
  // packet is complete, or so large that it is not waited for.
  bool on_client_bytes(std::span<const std::uint8_t> bytes);
  bool answer_due() const { return answer_due_; }

  // The framed ERR answering the client's packet: sequence id one past the client's, and the SQL
  // state after '#' when the client announced protocol 4.1.
  [[nodiscard]] std::vector<std::uint8_t> error_frame(const mysql_wire::ErrPacket& err) const;

 private:
  static constexpr std::size_t kKeptSize = 6;  // frame header + 2 capability bytes
  std::array<std::uint8_t, kKeptSize> kept_{};
  std::size_t kept_size_ = 0;
  std::uint64_t received_ = 0;  // bytes of the client's first packet, header included
  bool answer_due_ = false;
};

}  // namespace grouter::routing
