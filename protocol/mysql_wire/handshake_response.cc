// SSLRequest and HandshakeResponse41 codecs; the first 32 bytes are one shared walk.
#include "protocol/mysql_wire/handshake_response.h"

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

inline constexpr std::size_t kFillerSize = 19;

// The fixed 32-byte part both messages start with (Msg is SslRequest or HandshakeResponse).
template <class Io, class Msg>
void walk_fixed(Io& io, Msg& m) {
  io.u32(m.capabilities);
  io.u32(m.max_packet_size);
  io.u8(m.charset);
  io.filler(kFillerSize);
  if (has_mariadb_extended_capabilities(m.capabilities)) {
    io.u32(m.mariadb_capabilities);
  } else {
    io.filler(4);
  }
}

template <class Io, class Msg>
void walk_auth_response(Io& io, Msg& m) {
  const std::uint32_t caps = m.capabilities;
  if (caps & capability::kPluginAuthLenencData) {
    io.lenenc_str(m.auth_response);
  } else if (caps & capability::kSecureConnection) {
    io.u8_str(m.auth_response);
  } else {
    io.nul_str(m.auth_response);
  }
}

template <class Io, class Msg>
void walk_response(Io& io, Msg& m) {
  walk_fixed(io, m);
  if (!(m.capabilities & capability::kProtocol41)) {
    if constexpr (Io::kDecoding) io.fail(CodecErrc::kUnsupported);
    return;
  }
  io.nul_str(m.user);
  walk_auth_response(io, m);
  const std::uint32_t caps = m.capabilities;
  if (caps & capability::kConnectWithDb) io.nul_str(m.schema);
  if (caps & capability::kPluginAuth) io.nul_str(m.auth_plugin_name);
  if (caps & capability::kConnectAttrs) walk_connect_attrs(io, m.attributes);
  if (caps & capability::kZstdCompression) io.u8(m.zstd_level);
}

}  // namespace

void append_ssl_request(std::vector<std::uint8_t>& out, const SslRequest& request) {
  encode_with(out, request, [](auto& io, auto& m) { walk_fixed(io, m); });
}

std::expected<SslRequest, std::error_code> decode_ssl_request(
    std::span<const std::uint8_t> payload) {
  auto request = decode_with<SslRequest>(payload, [](auto& io, auto& m) { walk_fixed(io, m); });
  if (request && !(request->capabilities & capability::kSsl)) {
    return std::unexpected(make_error_code(CodecErrc::kInvalidInput));
  }
  return request;
}

bool is_ssl_request(std::span<const std::uint8_t> payload) {
  if (payload.size() != kSslRequestSize) return false;
  auto request = decode_ssl_request(payload);
  return request.has_value();
}

void append_handshake_response(std::vector<std::uint8_t>& out, const HandshakeResponse& response) {
  encode_with(out, response, [](auto& io, auto& m) { walk_response(io, m); });
}

std::expected<HandshakeResponse, std::error_code> decode_handshake_response(
    std::span<const std::uint8_t> payload) {
  return decode_with<HandshakeResponse>(payload, [](auto& io, auto& m) { walk_response(io, m); });
}

}  // namespace grouter::mysql_wire
