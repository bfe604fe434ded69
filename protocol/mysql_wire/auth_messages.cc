// AuthSwitchRequest, AuthSwitchResponse and AuthMoreData codecs.
#include "protocol/mysql_wire/auth_messages.h"

#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

constexpr auto kWalkSwitchRequest = [](auto& io, auto& m) {
  io.marker(kAuthSwitchMarker);
  io.nul_str(m.plugin_name);
  io.eof_str(m.plugin_data);
};
constexpr auto kWalkSwitchResponse = [](auto& io, auto& m) { io.eof_str(m.data); };
constexpr auto kWalkMoreData = kWalkMarkerAndRest<kAuthMoreDataMarker, &AuthMoreData::data>;

}  // namespace

void append_auth_switch_request(std::vector<std::uint8_t>& out, const AuthSwitchRequest& request) {
  encode_with(out, request, kWalkSwitchRequest);
}

std::expected<AuthSwitchRequest, std::error_code> decode_auth_switch_request(
    std::span<const std::uint8_t> payload) {
  if (payload.size() == 1 && payload[0] == kAuthSwitchMarker) {
    return std::unexpected(make_error_code(CodecErrc::kUnsupported));
  }
  return decode_with<AuthSwitchRequest>(payload, kWalkSwitchRequest);
}

void append_auth_switch_response(std::vector<std::uint8_t>& out,
                                 const AuthSwitchResponse& response) {
  encode_with(out, response, kWalkSwitchResponse);
}

std::expected<AuthSwitchResponse, std::error_code> decode_auth_switch_response(
    std::span<const std::uint8_t> payload) {
  return decode_with<AuthSwitchResponse>(payload, kWalkSwitchResponse);
}

void append_auth_more_data(std::vector<std::uint8_t>& out, const AuthMoreData& more) {
  encode_with(out, more, kWalkMoreData);
}

std::expected<AuthMoreData, std::error_code> decode_auth_more_data(
    std::span<const std::uint8_t> payload) {
  return decode_with<AuthMoreData>(payload, kWalkMoreData);
}

}  // namespace grouter::mysql_wire
