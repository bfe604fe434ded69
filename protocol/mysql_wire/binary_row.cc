// Binary result row codec.
#include "protocol/mysql_wire/binary_row.h"

#include "protocol/mysql_wire/binary_value.h"
#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

inline constexpr std::uint8_t kBinaryRowMarker = 0x00;
inline constexpr std::size_t kRowBitmapOffset = 2;

auto walk_for(std::span<const ColumnType> types) {
  return [types](auto& io, auto& row) {
    io.marker(kBinaryRowMarker);
    walk_null_bitmap(io, row.values, types.size(), kRowBitmapOffset);
    walk_present_values(io, types, row.values);
  };
}

}  // namespace

void append_binary_row(std::vector<std::uint8_t>& out, const BinaryRow& row,
                       std::span<const ColumnType> types) {
  encode_with(out, row, walk_for(types));
}

std::expected<BinaryRow, std::error_code> decode_binary_row(std::span<const std::uint8_t> payload,
                                                            std::span<const ColumnType> types) {
  return decode_with<BinaryRow>(payload, walk_for(types));
}

}  // namespace grouter::mysql_wire
