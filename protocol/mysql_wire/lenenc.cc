// Length-encoded integers and strings.
#include "protocol/mysql_wire/lenenc.h"

#include "protocol/mysql_wire/codec_error.h"

namespace grouter::mysql_wire {
namespace {

void append_le(std::vector<std::uint8_t>& out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i)
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

}  // namespace

std::size_t lenenc_int_size(std::uint64_t value) {
  if (value < 0xfb) return 1;
  if (value <= 0xffff) return 3;
  if (value <= 0xffffff) return 4;
  return 9;
}

void append_lenenc_int(std::vector<std::uint8_t>& out, std::uint64_t value) {
  switch (lenenc_int_size(value)) {
    case 1:
      out.push_back(static_cast<std::uint8_t>(value));
      return;
    case 3:
      out.push_back(0xfc);
      append_le(out, value, 2);
      return;
    case 4:
      out.push_back(0xfd);
      append_le(out, value, 3);
      return;
    default:
      out.push_back(0xfe);
      append_le(out, value, 8);
      return;
  }
}

void append_lenenc_string(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  append_lenenc_int(out, bytes.size());
  out.insert(out.end(), bytes.begin(), bytes.end());
}

std::expected<LenencInt, std::error_code> decode_lenenc_int(std::span<const std::uint8_t> in) {
  if (in.empty()) return std::unexpected(make_error_code(CodecErrc::kNeedMoreBytes));
  const std::uint8_t first = in[0];
  std::size_t bytes = 0;
  switch (first) {
    case 0xfb:
    case 0xff:
      return std::unexpected(make_error_code(CodecErrc::kInvalidInput));
    case 0xfc:
      bytes = 2;
      break;
    case 0xfd:
      bytes = 3;
      break;
    case 0xfe:
      bytes = 8;
      break;
    default:
      return LenencInt{.value = first, .size = 1};
  }
  if (in.size() < 1 + bytes) return std::unexpected(make_error_code(CodecErrc::kNeedMoreBytes));
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value |= static_cast<std::uint64_t>(in[1 + i]) << (8 * i);
  return LenencInt{.value = value, .size = 1 + bytes};
}

}  // namespace grouter::mysql_wire
