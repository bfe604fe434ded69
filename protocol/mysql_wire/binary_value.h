// Internal: one value of the binary protocol (binary result rows, COM_STMT_EXECUTE parameters),
// kept as the raw bytes of the value without its length prefix, and the NULL bitmaps both messages
// use. Shared by binary_row.cc and stmt_commands.cc; not part of the public API.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "protocol/mysql_wire/column_type.h"
#include "protocol/mysql_wire/wire_reader.h"
#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

using BinaryValue = std::optional<Bytes>;  // nullopt: SQL NULL

template <class Io, class Value>
void walk_binary_value(Io& io, ColumnType type, Value& value) {
  switch (binary_layout(type)) {
    case BinaryLayout::kFixed:
      io.fixed_str(value, binary_fixed_size(type));
      return;
    case BinaryLayout::kLengthByte:
      io.u8_str(value);
      return;
    case BinaryLayout::kLenencString:
      io.lenenc_str(value);
      return;
  }
}

// The NULL bitmap of COUNT values whose bits start at OFFSET (2 in rows, 0 for parameters).
// Decoding sizes VALUES to COUNT with NULLs as nullopt and the others as empty values, which
// walk_present_values then fills.
inline void walk_null_bitmap(WireWriter& io, const std::vector<BinaryValue>& values,
                             std::size_t count, std::size_t offset) {
  Bytes bitmap((count + offset + 7) / 8, 0);
  for (std::size_t i = 0; i < count && i < values.size(); ++i) {
    if (!values[i]) bitmap[(i + offset) / 8] |= static_cast<std::uint8_t>(1u << ((i + offset) % 8));
  }
  io.fixed_str(bitmap, bitmap.size());
}

inline void walk_null_bitmap(WireReader& io, std::vector<BinaryValue>& values, std::size_t count,
                             std::size_t offset) {
  Bytes bitmap;
  io.fixed_str(bitmap, (count + offset + 7) / 8);
  if (!io.ok()) return;
  values.assign(count, std::nullopt);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t bit = i + offset;
    if (((bitmap[bit / 8] >> (bit % 8)) & 1u) == 0) values[i].emplace();
  }
}

// Each non-NULL value, laid out by its type.
template <class Io, class Values>
void walk_present_values(Io& io, std::span<const ColumnType> types, Values& values) {
  for (std::size_t i = 0; i < types.size() && i < values.size() && io.ok(); ++i) {
    if (values[i]) walk_binary_value(io, types[i], *values[i]);
  }
}

}  // namespace grouter::mysql_wire
