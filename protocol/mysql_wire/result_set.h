// The parts of a result set common to the text and binary protocols, and the text row: the column
// count, ColumnDefinition41 and the text row (length-encoded strings, 0xfb for NULL). The sequence
// a result set follows (count, definitions, [EOF], rows, EOF or OK) is the caller's; ok_packet.h
// has the end markers. MariaDB adds extended type info to column definitions when
// mariadb_capability::kExtendedTypeInfo is agreed.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/mysql_wire/column_type.h"
#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

struct ColumnCount {
  std::uint64_t count = 0;
  // Only with kOptionalResultsetMetadata (MySQL) or mariadb_capability::kCacheMetadata.
  std::uint8_t metadata_follows = 1;

  bool operator==(const ColumnCount&) const = default;
};

struct ColumnDefinition {
  std::string catalog = "def";
  std::string schema;
  std::string table;
  std::string org_table;
  std::string name;
  std::string org_name;
  Bytes extended_metadata;  // MariaDB, only with mariadb_capability::kExtendedTypeInfo
  std::uint16_t charset = 0;
  std::uint32_t column_length = 0;
  ColumnType type = ColumnType::kVarString;
  std::uint16_t flags = 0;
  std::uint8_t decimals = 0;

  bool operator==(const ColumnDefinition&) const = default;
};

struct TextRow {
  std::vector<std::optional<std::string>> values;  // nullopt: SQL NULL

  bool operator==(const TextRow&) const = default;
};

void append_column_count(std::vector<std::uint8_t>& out, const ColumnCount& count,
                         std::uint32_t capabilities, std::uint32_t mariadb_capabilities);
[[nodiscard]] std::expected<ColumnCount, std::error_code> decode_column_count(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities,
    std::uint32_t mariadb_capabilities);

void append_column_definition(std::vector<std::uint8_t>& out, const ColumnDefinition& column,
                              std::uint32_t mariadb_capabilities);
[[nodiscard]] std::expected<ColumnDefinition, std::error_code> decode_column_definition(
    std::span<const std::uint8_t> payload, std::uint32_t mariadb_capabilities);

void append_text_row(std::vector<std::uint8_t>& out, const TextRow& row);
// kInvalidInput unless the row has exactly COLUMN_COUNT values.
[[nodiscard]] std::expected<TextRow, std::error_code> decode_text_row(
    std::span<const std::uint8_t> payload, std::size_t column_count);

}  // namespace grouter::mysql_wire
