// The client's side of the handshake: SSLRequest (the 32-byte prefix a client sends before TLS) and
// HandshakeResponse41 (user, auth response, schema, auth plugin, connection attributes). Each
// message is laid out by the client's own capability flags, which it carries first. A MariaDB
// client (bit 0, kClientMysql, clear) puts its extended capabilities in the last 4 of the 23 filler
// bytes.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/mysql_wire/connect_attrs.h"
#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

inline constexpr std::size_t kSslRequestSize = 32;

struct SslRequest {
  std::uint32_t capabilities = 0;
  std::uint32_t max_packet_size = 0;
  std::uint8_t charset = 0;
  std::uint32_t mariadb_capabilities = 0;  // only when capabilities lacks kClientMysql

  bool operator==(const SslRequest&) const = default;
};

struct HandshakeResponse {
  std::uint32_t capabilities = 0;
  std::uint32_t max_packet_size = 0;
  std::uint8_t charset = 0;
  std::uint32_t mariadb_capabilities = 0;  // only when capabilities lacks kClientMysql
  std::string user;
  Bytes auth_response;
  std::string schema;            // only with kConnectWithDb
  std::string auth_plugin_name;  // only with kPluginAuth
  ConnectAttrs attributes;       // only with kConnectAttrs
  std::uint8_t zstd_level = 0;   // only with kZstdCompression

  bool operator==(const HandshakeResponse&) const = default;
};

void append_ssl_request(std::vector<std::uint8_t>& out, const SslRequest& request);
[[nodiscard]] std::expected<SslRequest, std::error_code> decode_ssl_request(
    std::span<const std::uint8_t> payload);

// True when PAYLOAD, the client's first reply, is an SSLRequest rather than a HandshakeResponse41.
[[nodiscard]] bool is_ssl_request(std::span<const std::uint8_t> payload);

void append_handshake_response(std::vector<std::uint8_t>& out, const HandshakeResponse& response);
// kUnsupported for the pre-4.1 HandshakeResponse320 (kProtocol41 clear).
[[nodiscard]] std::expected<HandshakeResponse, std::error_code> decode_handshake_response(
    std::span<const std::uint8_t> payload);

}  // namespace grouter::mysql_wire
