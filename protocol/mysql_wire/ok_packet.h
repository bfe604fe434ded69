// OK and EOF packets: the server's success reply and the end marker of result-set parts.
// OK starts with 0x00, or with 0xfe when it ends a result set under CLIENT_DEPRECATE_EOF. The old
// EOF packet (0xfe, warnings, status) is used without CLIENT_DEPRECATE_EOF. With
// CLIENT_SESSION_TRACK the info string is length-encoded and session-state data may follow.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/mysql_wire/session_track.h"

namespace grouter::mysql_wire {

inline constexpr std::uint8_t kOkMarker = 0x00;
inline constexpr std::uint8_t kEofMarker = 0xfe;

struct OkPacket {
  std::uint64_t affected_rows = 0;
  std::uint64_t last_insert_id = 0;
  std::uint16_t status_flags = 0;
  std::uint16_t warnings = 0;
  std::string info;
  // Present on the wire only when status_flags has server_status::kSessionStateChanged.
  std::vector<SessionStateEntry> session_state;

  bool operator==(const OkPacket&) const = default;
};

struct EofPacket {
  std::uint16_t warnings = 0;
  std::uint16_t status_flags = 0;

  bool operator==(const EofPacket&) const = default;
};

void append_ok_payload(std::vector<std::uint8_t>& out, const OkPacket& ok,
                       std::uint32_t capabilities);
// The OK that ends a result set under CLIENT_DEPRECATE_EOF (marker 0xfe).
void append_eof_ok_payload(std::vector<std::uint8_t>& out, const OkPacket& ok,
                           std::uint32_t capabilities);
// Accepts either marker.
[[nodiscard]] std::expected<OkPacket, std::error_code> decode_ok_payload(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities);

void append_eof_payload(std::vector<std::uint8_t>& out, const EofPacket& eof,
                        std::uint32_t capabilities);
[[nodiscard]] std::expected<EofPacket, std::error_code> decode_eof_payload(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities);

// True when PAYLOAD is the packet that ends a result-set part: the old EOF (0xfe, under 9 bytes)
// or, under CLIENT_DEPRECATE_EOF, an OK with marker 0xfe. A row starting with 0xfe is longer.
[[nodiscard]] bool is_end_of_rows(std::span<const std::uint8_t> payload,
                                  std::uint32_t capabilities);

}  // namespace grouter::mysql_wire
