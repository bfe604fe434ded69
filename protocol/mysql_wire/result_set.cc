// Column count, ColumnDefinition41 and text row codecs.
#include "protocol/mysql_wire/result_set.h"

#include <type_traits>
#include "protocol/mysql_wire/capabilities.h"

#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

inline constexpr std::uint8_t kFixedFieldsSize = 0x0c;

auto walk_count_for(std::uint32_t caps, std::uint32_t mariadb_caps) {
  const bool has_flag = (caps & capability::kOptionalResultsetMetadata) ||
                        (mariadb_caps & mariadb_capability::kCacheMetadata);
  return [has_flag](auto& io, auto& m) {
    io.lenenc(m.count);
    if (has_flag) io.u8(m.metadata_follows);
  };
}

auto walk_column_for(std::uint32_t mariadb_caps) {
  return [mariadb_caps](auto& io, auto& m) {
    io.lenenc_str(m.catalog);
    io.lenenc_str(m.schema);
    io.lenenc_str(m.table);
    io.lenenc_str(m.org_table);
    io.lenenc_str(m.name);
    io.lenenc_str(m.org_name);
    if (mariadb_caps & mariadb_capability::kExtendedTypeInfo) io.lenenc_str(m.extended_metadata);
    io.marker(kFixedFieldsSize);
    io.u16(m.charset);
    io.u32(m.column_length);
    std::uint8_t type = static_cast<std::uint8_t>(m.type);
    io.u8(type);
    io.u16(m.flags);
    io.u8(m.decimals);
    io.filler(2);
    if constexpr (std::remove_reference_t<decltype(io)>::kDecoding)
      m.type = static_cast<ColumnType>(type);
  };
}

}  // namespace

void append_column_count(std::vector<std::uint8_t>& out, const ColumnCount& count,
                         std::uint32_t capabilities, std::uint32_t mariadb_capabilities) {
  encode_with(out, count, walk_count_for(capabilities, mariadb_capabilities));
}

std::expected<ColumnCount, std::error_code> decode_column_count(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities,
    std::uint32_t mariadb_capabilities) {
  auto count =
      decode_with<ColumnCount>(payload, walk_count_for(capabilities, mariadb_capabilities));
  if (count && count->count == 0) return std::unexpected(make_error_code(CodecErrc::kInvalidInput));
  return count;
}

void append_column_definition(std::vector<std::uint8_t>& out, const ColumnDefinition& column,
                              std::uint32_t mariadb_capabilities) {
  encode_with(out, column, walk_column_for(mariadb_capabilities));
}

std::expected<ColumnDefinition, std::error_code> decode_column_definition(
    std::span<const std::uint8_t> payload, std::uint32_t mariadb_capabilities) {
  return decode_with<ColumnDefinition>(payload, walk_column_for(mariadb_capabilities));
}

void append_text_row(std::vector<std::uint8_t>& out, const TextRow& row) {
  WireWriter io(out);
  for (const auto& value : row.values) io.nullable_lenenc_str(value);
}

std::expected<TextRow, std::error_code> decode_text_row(std::span<const std::uint8_t> payload,
                                                        std::size_t column_count) {
  WireReader io(payload);
  TextRow row;
  // Every value takes at least one byte, so a count beyond the payload cannot be met.
  if (column_count > payload.size()) {
    io.fail(CodecErrc::kNeedMoreBytes);
  }
  row.values.reserve(io.ok() ? column_count : 0);
  for (std::size_t i = 0; i < column_count && io.ok(); ++i)
    io.nullable_lenenc_str(row.values.emplace_back());
  return io.finish(std::move(row));
}

}  // namespace grouter::mysql_wire
