// Handshake v10 codec.
#include "protocol/mysql_wire/server_greeting.h"

#include <algorithm>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

inline constexpr std::size_t kNoncePart1Size = 8;
inline constexpr std::size_t kNoncePart2MinSize = 13;  // with its NUL
inline constexpr std::size_t kFillerSize = 6;

template <class Io, class Greeting>
void walk(Io& io, Greeting& g) {
  io.marker(kProtocolVersion10);
  io.nul_str(g.server_version);
  io.u32(g.connection_id);
  Bytes part1(g.nonce.begin(), g.nonce.begin() + std::min(g.nonce.size(), kNoncePart1Size));
  io.fixed_str(part1, kNoncePart1Size);
  io.filler(1);
  std::uint16_t caps_low = static_cast<std::uint16_t>(g.capabilities);
  io.u16(caps_low);
  io.u8(g.charset);
  io.u16(g.status_flags);
  std::uint16_t caps_high = static_cast<std::uint16_t>(g.capabilities >> 16);
  io.u16(caps_high);
  const std::uint32_t caps =
      static_cast<std::uint32_t>(caps_low) | (std::uint32_t{caps_high} << 16);
  std::uint8_t auth_data_size =
      (caps & capability::kPluginAuth)
          ? static_cast<std::uint8_t>(std::min<std::size_t>(g.nonce.size() + 1, 0xff))
          : 0;
  io.u8(auth_data_size);
  io.filler(kFillerSize);
  if (has_mariadb_extended_capabilities(caps)) {
    io.u32(g.mariadb_capabilities);
  } else {
    io.filler(4);
  }
  Bytes part2;
  if (caps & capability::kSecureConnection) {
    // Part 2 ends with a NUL that is not part of the nonce; its size follows the announced length,
    // which only kPluginAuth makes meaningful.
    std::size_t part2_size = kNoncePart2MinSize;
    if ((caps & capability::kPluginAuth) && auth_data_size > kNoncePart1Size + kNoncePart2MinSize) {
      part2_size = auth_data_size - kNoncePart1Size;
    }
    if constexpr (!Io::kDecoding) {
      if (g.nonce.size() > kNoncePart1Size)
        part2.assign(g.nonce.begin() + kNoncePart1Size, g.nonce.end());
    }
    io.fixed_str(part2, part2_size);
    if constexpr (Io::kDecoding) {
      if (!part2.empty()) part2.pop_back();
    }
  }
  if (caps & capability::kPluginAuth) io.nul_str(g.auth_plugin_name);
  if constexpr (Io::kDecoding) {
    g.capabilities = caps;
    g.nonce = std::move(part1);
    g.nonce.insert(g.nonce.end(), part2.begin(), part2.end());
  }
}

}  // namespace

void append_server_greeting(std::vector<std::uint8_t>& out, const ServerGreeting& greeting) {
  encode_with(out, greeting, [](auto& io, auto& g) { walk(io, g); });
}

std::expected<ServerGreeting, std::error_code> decode_server_greeting(
    std::span<const std::uint8_t> payload) {
  if (!payload.empty() && payload[0] != kProtocolVersion10) {
    return std::unexpected(make_error_code(CodecErrc::kUnsupported));
  }
  return decode_with<ServerGreeting>(payload, [](auto& io, auto& g) { walk(io, g); });
}

}  // namespace grouter::mysql_wire
