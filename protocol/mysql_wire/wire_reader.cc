// WireReader's out-of-line reads.
#include "protocol/mysql_wire/wire_reader.h"

namespace grouter::mysql_wire {

std::span<const std::uint8_t> WireReader::take(std::uint64_t size) {
  if (!ok()) return {};
  if (size > remaining()) {
    fail(CodecErrc::kNeedMoreBytes);
    return {};
  }
  const auto bytes = in_.subspan(pos_, static_cast<std::size_t>(size));
  pos_ += static_cast<std::size_t>(size);
  return bytes;
}

std::uint64_t WireReader::int_le(std::size_t bytes) {
  const auto b = take(bytes);
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < b.size(); ++i) v |= static_cast<std::uint64_t>(b[i]) << (8 * i);
  return v;
}

void WireReader::lenenc(std::uint64_t& v) {
  v = 0;
  if (!ok()) return;
  auto decoded = decode_lenenc_int(in_.subspan(pos_));
  if (!decoded) {
    error_ = decoded.error();
    return;
  }
  v = decoded->value;
  pos_ += decoded->size;
}

void WireReader::marker(std::uint8_t expected) {
  const auto b = take(1);
  if (!b.empty() && b[0] != expected) fail(CodecErrc::kInvalidInput);
}

}  // namespace grouter::mysql_wire
