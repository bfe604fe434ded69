// COM_CHANGE_USER: re-authenticates an open connection as USER with a new schema. Its layout
// depends on the capabilities agreed in the handshake (kSecureConnection, kPluginAuth,
// kConnectAttrs). The server usually answers with an AuthSwitchRequest carrying a fresh nonce.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/mysql_wire/connect_attrs.h"
#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

struct ComChangeUser {
  std::string user;
  Bytes auth_response;
  std::string schema;
  std::uint16_t charset = 0;
  std::string auth_plugin_name;  // only with kPluginAuth
  ConnectAttrs attributes;       // only with kConnectAttrs

  bool operator==(const ComChangeUser&) const = default;
};

void append_change_user(std::vector<std::uint8_t>& out, const ComChangeUser& command,
                        std::uint32_t capabilities);
[[nodiscard]] std::expected<ComChangeUser, std::error_code> decode_change_user(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities);

}  // namespace grouter::mysql_wire
