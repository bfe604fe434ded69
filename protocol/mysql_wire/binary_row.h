// A row of a binary result set (the reply to COM_STMT_EXECUTE): marker 0x00, a NULL bitmap whose
// bits start at offset 2, then each non-NULL value laid out by its column's type (column_type.h).
// Values are kept as their raw bytes without length prefix; decoding needs the columns' types.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "protocol/mysql_wire/column_type.h"
#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

struct BinaryRow {
  std::vector<std::optional<Bytes>> values;  // nullopt: SQL NULL

  bool operator==(const BinaryRow&) const = default;
};

void append_binary_row(std::vector<std::uint8_t>& out, const BinaryRow& row,
                       std::span<const ColumnType> types);
[[nodiscard]] std::expected<BinaryRow, std::error_code> decode_binary_row(
    std::span<const std::uint8_t> payload, std::span<const ColumnType> types);

}  // namespace grouter::mysql_wire
