// OK and EOF packet codecs.
#include "protocol/mysql_wire/ok_packet.h"

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

inline constexpr std::size_t kOldEofMaxSize = 9;

template <class Io, class Ok>
void walk_ok(Io& io, Ok& ok, std::uint32_t capabilities) {
  io.lenenc(ok.affected_rows);
  io.lenenc(ok.last_insert_id);
  if (capabilities & capability::kProtocol41) {
    io.u16(ok.status_flags);
    io.u16(ok.warnings);
  } else if (capabilities & capability::kTransactions) {
    io.u16(ok.status_flags);
  }
  if (!(capabilities & capability::kSessionTrack)) {
    io.eof_str(ok.info);
    return;
  }
  const bool state_changed = (ok.status_flags & server_status::kSessionStateChanged) != 0;
  bool has_info = state_changed;
  if constexpr (Io::kDecoding) {
    has_info = has_info || !io.at_end();
  } else {
    has_info = has_info || !ok.info.empty();
  }
  if (has_info) io.lenenc_str(ok.info);
  if (!state_changed) return;
  if constexpr (Io::kDecoding) {
    Bytes block;
    io.lenenc_str(block);
    if (!io.ok()) return;
    auto entries = decode_session_state(block);
    if (!entries) {
      io.fail(CodecErrc::kInvalidInput);  // the block's length is known: short means malformed
      return;
    }
    ok.session_state = std::move(*entries);
  } else {
    Bytes block;
    append_session_state(block, ok.session_state);
    io.lenenc_str(block);
  }
}

template <class Io, class Eof>
void walk_eof(Io& io, Eof& eof, std::uint32_t capabilities) {
  io.marker(kEofMarker);
  if (capabilities & capability::kProtocol41) {
    io.u16(eof.warnings);
    io.u16(eof.status_flags);
  }
}

}  // namespace

void append_ok_payload(std::vector<std::uint8_t>& out, const OkPacket& ok,
                       std::uint32_t capabilities) {
  WireWriter io(out);
  io.marker(kOkMarker);
  walk_ok(io, ok, capabilities);
}

void append_eof_ok_payload(std::vector<std::uint8_t>& out, const OkPacket& ok,
                           std::uint32_t capabilities) {
  WireWriter io(out);
  io.marker(kEofMarker);
  walk_ok(io, ok, capabilities);
}

std::expected<OkPacket, std::error_code> decode_ok_payload(std::span<const std::uint8_t> payload,
                                                           std::uint32_t capabilities) {
  WireReader io(payload);
  const auto marker = io.peek();
  io.marker(marker == kEofMarker ? kEofMarker : kOkMarker);
  OkPacket ok;
  walk_ok(io, ok, capabilities);
  return io.finish(std::move(ok));
}

void append_eof_payload(std::vector<std::uint8_t>& out, const EofPacket& eof,
                        std::uint32_t capabilities) {
  encode_with(out, eof, [capabilities](auto& io, auto& e) { walk_eof(io, e, capabilities); });
}

std::expected<EofPacket, std::error_code> decode_eof_payload(std::span<const std::uint8_t> payload,
                                                             std::uint32_t capabilities) {
  return decode_with<EofPacket>(
      payload, [capabilities](auto& io, auto& e) { walk_eof(io, e, capabilities); });
}

bool is_end_of_rows(std::span<const std::uint8_t> payload, std::uint32_t capabilities) {
  if (payload.empty() || payload[0] != kEofMarker) return false;
  if (capabilities & capability::kDeprecateEof) return payload.size() < kMaxPayloadSize;
  return payload.size() < kOldEofMaxSize;
}

}  // namespace grouter::mysql_wire
