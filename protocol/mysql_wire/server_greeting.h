// Handshake v10, the server's greeting: protocol version 10, version string (MariaDB's starts
// "5.5.5-"), connection id, the 20-byte nonce in two parts, capabilities, charset, status, and the
// auth plugin name. A MariaDB server (kClientMysql clear) puts its extended capabilities in the
// last 4 of the 10 filler bytes.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

inline constexpr std::uint8_t kProtocolVersion10 = 10;

struct ServerGreeting {
  std::string server_version;
  std::uint32_t connection_id = 0;
  Bytes nonce;  // auth-plugin-data without its terminating NUL (20 bytes from real servers)
  std::uint32_t capabilities = 0;
  std::uint8_t charset = 0;
  std::uint16_t status_flags = 0;
  std::uint32_t mariadb_capabilities = 0;  // only when capabilities lacks kClientMysql
  std::string auth_plugin_name;            // only with kPluginAuth

  bool operator==(const ServerGreeting&) const = default;
};

void append_server_greeting(std::vector<std::uint8_t>& out, const ServerGreeting& greeting);
// kUnsupported for a protocol version other than 10.
[[nodiscard]] std::expected<ServerGreeting, std::error_code> decode_server_greeting(
    std::span<const std::uint8_t> payload);

}  // namespace grouter::mysql_wire
