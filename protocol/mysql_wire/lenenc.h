// Length-encoded integers and strings of the MySQL protocol. An integer below 0xfb is one byte;
// 0xfc, 0xfd and 0xfe prefix 2, 3 and 8 little-endian bytes; 0xfb means SQL NULL (only in row
// values) and 0xff is never a length-encoded integer. Encoders write the shortest form; decoders
// accept any form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <system_error>
#include <vector>

namespace grouter::mysql_wire {

inline constexpr std::uint8_t kLenencNull = 0xfb;

struct LenencInt {
  std::uint64_t value;
  std::size_t size;  // bytes the encoding took
};

[[nodiscard]] std::size_t lenenc_int_size(std::uint64_t value);
void append_lenenc_int(std::vector<std::uint8_t>& out, std::uint64_t value);
void append_lenenc_string(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes);

// kNeedMoreBytes when IN stops inside the integer; kInvalidInput for 0xfb (NULL) and 0xff.
[[nodiscard]] std::expected<LenencInt, std::error_code> decode_lenenc_int(
    std::span<const std::uint8_t> in);

}  // namespace grouter::mysql_wire
