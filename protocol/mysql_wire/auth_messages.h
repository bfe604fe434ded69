// Messages of the authentication exchange after the HandshakeResponse: AuthSwitchRequest (0xfe,
// plugin name, plugin data: for the native and caching_sha2 plugins a fresh nonce plus a NUL),
// AuthSwitchResponse (the client's raw reply) and AuthMoreData (0x01 and plugin data, e.g.
// caching_sha2_password's fast-auth result 0x03 or its request for the full password 0x04).
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

inline constexpr std::uint8_t kAuthSwitchMarker = 0xfe;
inline constexpr std::uint8_t kAuthMoreDataMarker = 0x01;
inline constexpr std::uint8_t kCachingSha2FastAuthOk = 0x03;
inline constexpr std::uint8_t kCachingSha2FullAuthNeeded = 0x04;

struct AuthSwitchRequest {
  std::string plugin_name;
  Bytes plugin_data;  // as sent, the trailing NUL included

  bool operator==(const AuthSwitchRequest&) const = default;
};

struct AuthSwitchResponse {
  Bytes data;

  bool operator==(const AuthSwitchResponse&) const = default;
};

struct AuthMoreData {
  Bytes data;

  bool operator==(const AuthMoreData&) const = default;
};

void append_auth_switch_request(std::vector<std::uint8_t>& out, const AuthSwitchRequest& request);
// kUnsupported for the pre-4.1 "old auth switch" (a lone 0xfe).
[[nodiscard]] std::expected<AuthSwitchRequest, std::error_code> decode_auth_switch_request(
    std::span<const std::uint8_t> payload);

void append_auth_switch_response(std::vector<std::uint8_t>& out,
                                 const AuthSwitchResponse& response);
[[nodiscard]] std::expected<AuthSwitchResponse, std::error_code> decode_auth_switch_response(
    std::span<const std::uint8_t> payload);

void append_auth_more_data(std::vector<std::uint8_t>& out, const AuthMoreData& more);
[[nodiscard]] std::expected<AuthMoreData, std::error_code> decode_auth_more_data(
    std::span<const std::uint8_t> payload);

}  // namespace grouter::mysql_wire
