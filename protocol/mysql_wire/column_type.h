// Column and parameter types (MYSQL_TYPE_*) and how the binary protocol lays out one value of each:
// fixed-size little-endian numbers, a one-byte length before temporal values, or a length-encoded
// string for everything else.
#pragma once

#include <cstddef>
#include <cstdint>

namespace grouter::mysql_wire {

enum class ColumnType : std::uint8_t {
  kDecimal = 0x00,
  kTiny = 0x01,
  kShort = 0x02,
  kLong = 0x03,
  kFloat = 0x04,
  kDouble = 0x05,
  kNull = 0x06,
  kTimestamp = 0x07,
  kLongLong = 0x08,
  kInt24 = 0x09,
  kDate = 0x0a,
  kTime = 0x0b,
  kDatetime = 0x0c,
  kYear = 0x0d,
  kNewDate = 0x0e,
  kVarchar = 0x0f,
  kBit = 0x10,
  kTimestamp2 = 0x11,
  kDatetime2 = 0x12,
  kTime2 = 0x13,
  kJson = 0xf5,
  kNewDecimal = 0xf6,
  kEnum = 0xf7,
  kSet = 0xf8,
  kTinyBlob = 0xf9,
  kMediumBlob = 0xfa,
  kLongBlob = 0xfb,
  kBlob = 0xfc,
  kVarString = 0xfd,
  kString = 0xfe,
  kGeometry = 0xff,
};

enum class BinaryLayout { kFixed, kLengthByte, kLenencString };

constexpr BinaryLayout binary_layout(ColumnType type) {
  switch (type) {
    case ColumnType::kNull:
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kYear:
    case ColumnType::kLong:
    case ColumnType::kInt24:
    case ColumnType::kFloat:
    case ColumnType::kLongLong:
    case ColumnType::kDouble:
      return BinaryLayout::kFixed;
    case ColumnType::kDate:
    case ColumnType::kDatetime:
    case ColumnType::kTimestamp:
    case ColumnType::kTime:
      return BinaryLayout::kLengthByte;
    default:
      return BinaryLayout::kLenencString;
  }
}

// Bytes of a kFixed value.
constexpr std::size_t binary_fixed_size(ColumnType type) {
  switch (type) {
    case ColumnType::kTiny:
      return 1;
    case ColumnType::kShort:
    case ColumnType::kYear:
      return 2;
    case ColumnType::kLong:
    case ColumnType::kInt24:
    case ColumnType::kFloat:
      return 4;
    case ColumnType::kLongLong:
    case ColumnType::kDouble:
      return 8;
    default:
      return 0;
  }
}

}  // namespace grouter::mysql_wire
