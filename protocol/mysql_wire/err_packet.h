// ERR packet: the server's error reply (marker 0xff, error code, SQL state, message). Payload only,
// without the frame header. With kProtocol41 the SQL state follows a '#'; errors sent before the
// handshake (e.g. 1040, 1129) carry none, which decodes as an empty sql_state and encodes back the
// same.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace grouter::mysql_wire {

inline constexpr std::uint8_t kErrMarker = 0xff;

struct ErrPacket {
  std::uint16_t error_code;
  std::string sql_state;  // 5 characters, or empty for none
  std::string message;

  bool operator==(const ErrPacket&) const = default;
};

// Payload only (starts with 0xff); writes '#'+5-char sql_state when kProtocol41 is in capabilities
// and sql_state is not empty (a state of another length is zero-padded or cut to 5).
void append_err_payload(std::vector<std::uint8_t>& out, const ErrPacket& err,
                        std::uint32_t capabilities);

// kUnsupported for MariaDB's progress report (error code 0xffff).
[[nodiscard]] std::expected<ErrPacket, std::error_code> decode_err_payload(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities);

}  // namespace grouter::mysql_wire
