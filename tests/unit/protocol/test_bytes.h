// Helpers shared by the codec tests: hex to bytes, the payload inside a captured frame, and the
// capability flags of the captured sessions (see CAPTURES.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/mysql_wire/frame.h"

namespace grouter::mysql_wire::testing {

using Bytes = std::vector<std::uint8_t>;

inline Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(
        static_cast<std::uint8_t>(std::stoul(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

inline Bytes from_text(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// The payload of the single frame HEX_FRAME.
inline Bytes payload_of(std::string_view hex_frame) {
  const Bytes frame = from_hex(hex_frame);
  return Bytes(frame.begin() + static_cast<std::ptrdiff_t>(kFrameHeaderSize), frame.end());
}

// Client capabilities of the captured sessions, as their HandshakeResponse41 announce them.
inline constexpr std::uint32_t kCliCaps = 0x00bfa284;  // mariadb CLI 10.11 (Connector/C)
inline constexpr std::uint32_t kCliMariadbCaps = 0x1d;
inline constexpr std::uint32_t kScriptCaps = 0x00aea209;              // capture_client.py, EOF
inline constexpr std::uint32_t kScriptDeprecateEofCaps = 0x01aea209;  // capture_client.py, no EOF

}  // namespace grouter::mysql_wire::testing
