// ERR packet codec: one field walk for both directions.
#include "protocol/mysql_wire/err_packet.h"

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

inline constexpr std::size_t kSqlStateSize = 5;
inline constexpr std::uint16_t kProgressReportCode = 0xffff;

template <class Io, class Err>
void walk(Io& io, Err& err, std::uint32_t capabilities) {
  io.marker(kErrMarker);
  io.u16(err.error_code);
  if (capabilities & capability::kProtocol41) {
    bool has_state = false;
    if constexpr (Io::kDecoding) {
      // A 4.1 ERR always goes on after the code; its end there means more bytes are due.
      if (io.ok() && io.at_end()) io.fail(CodecErrc::kNeedMoreBytes);
      has_state = io.peek() == '#';
    } else {
      has_state = !err.sql_state.empty();
    }
    if (has_state) {
      io.marker('#');
      io.fixed_str(err.sql_state, kSqlStateSize);
    }
  }
  io.eof_str(err.message);
}

}  // namespace

void append_err_payload(std::vector<std::uint8_t>& out, const ErrPacket& err,
                        std::uint32_t capabilities) {
  encode_with(out, err, [capabilities](auto& io, auto& e) { walk(io, e, capabilities); });
}

std::expected<ErrPacket, std::error_code> decode_err_payload(std::span<const std::uint8_t> payload,
                                                             std::uint32_t capabilities) {
  auto err = decode_with<ErrPacket>(
      payload, [capabilities](auto& io, auto& e) { walk(io, e, capabilities); });
  if (err && err->error_code == kProgressReportCode) {
    return std::unexpected(make_error_code(CodecErrc::kUnsupported));
  }
  return err;
}

}  // namespace grouter::mysql_wire
