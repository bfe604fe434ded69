// Internal glue for the symmetric codecs: runs one field-walking function (a generic lambda taking
// `(io, message)`) with a WireWriter to encode or with a WireReader to decode, so every message's
// layout is written once. Not part of the public API.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include "protocol/mysql_wire/wire_reader.h"
#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

template <class Msg, class Walk>
void encode_with(std::vector<std::uint8_t>& out, const Msg& message, Walk&& walk) {
  WireWriter io(out);
  std::forward<Walk>(walk)(io, message);
}

template <class Msg, class Walk>
std::expected<Msg, std::error_code> decode_with(std::span<const std::uint8_t> in, Walk&& walk) {
  WireReader io(in);
  Msg message{};
  std::forward<Walk>(walk)(io, message);
  return io.finish(std::move(message));
}

// The walk of a message that is a marker byte and one field running to the end of the payload
// (COM_QUERY, COM_INIT_DB, COM_STMT_PREPARE); kField is a pointer to that member.
template <std::uint8_t kMarker, auto kField>
constexpr auto kWalkMarkerAndRest = [](auto& io, auto& m) {
  io.marker(kMarker);
  io.eof_str(m.*kField);
};

}  // namespace grouter::mysql_wire
