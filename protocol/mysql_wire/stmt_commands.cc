// Prepared-statement command codecs.
#include "protocol/mysql_wire/stmt_commands.h"

#include <type_traits>

#include "protocol/mysql_wire/binary_value.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

inline constexpr std::uint8_t kPrepareOkMarker = 0x00;

constexpr auto kWalkPrepare =
    kWalkMarkerAndRest<command_byte(Command::kStmtPrepare), &ComStmtPrepare::query>;
constexpr auto kWalkSendLongData = [](auto& io, auto& m) {
  io.marker(command_byte(Command::kStmtSendLongData));
  io.u32(m.statement_id);
  io.u16(m.param_id);
  io.eof_str(m.data);
};
template <Command kCommand>
constexpr auto kWalkStatementOnly = [](auto& io, auto& m) {
  io.marker(command_byte(kCommand));
  io.u32(m.statement_id);
};

auto walk_prepare_ok_for(std::uint32_t caps) {
  return [caps](auto& io, auto& m) {
    io.marker(kPrepareOkMarker);
    io.u32(m.statement_id);
    io.u16(m.column_count);
    io.u16(m.param_count);
    io.filler(1);
    io.u16(m.warnings);
    if (caps & capability::kOptionalResultsetMetadata) io.u8(m.metadata_follows);
  };
}

std::vector<ColumnType> column_types_of(std::span<const ParamType> params) {
  std::vector<ColumnType> types;
  types.reserve(params.size());
  for (const auto& p : params) types.push_back(p.type);
  return types;
}

// PARAM_COUNT: from the prepare when decoding, the values' count when encoding.
auto walk_execute_for(std::size_t param_count, std::span<const ParamType> previous_types) {
  return [param_count, previous_types](auto& io, auto& m) {
    constexpr bool kDecoding = std::remove_reference_t<decltype(io)>::kDecoding;
    io.marker(command_byte(Command::kStmtExecute));
    io.u32(m.statement_id);
    io.u8(m.flags);
    io.u32(m.iteration_count);
    const std::size_t count = kDecoding ? param_count : m.values.size();
    if (count == 0) {
      if constexpr (kDecoding) m.new_params_bound = false;
      return;
    }
    walk_null_bitmap(io, m.values, count, 0);
    std::uint8_t bound = m.new_params_bound ? 1 : 0;
    io.u8(bound);
    if constexpr (kDecoding) {
      if (bound > 1) io.fail(CodecErrc::kInvalidInput);
      m.new_params_bound = bound == 1;
      if (m.new_params_bound) m.param_types.resize(io.ok() ? count : 0);
    }
    if (m.new_params_bound) {
      for (auto& p : m.param_types) {
        std::uint8_t type = static_cast<std::uint8_t>(p.type);
        io.u8(type);
        io.u8(p.flags);
        if constexpr (kDecoding) p.type = static_cast<ColumnType>(type);
      }
    }
    const auto types = column_types_of(
        m.new_params_bound ? std::span<const ParamType>(m.param_types) : previous_types);
    if constexpr (kDecoding) {
      if (types.size() != count) io.fail(CodecErrc::kInvalidInput);
    }
    walk_present_values(io, types, m.values);
  };
}

}  // namespace

void append_stmt_prepare(std::vector<std::uint8_t>& out, const ComStmtPrepare& command) {
  encode_with(out, command, kWalkPrepare);
}
std::expected<ComStmtPrepare, std::error_code> decode_stmt_prepare(
    std::span<const std::uint8_t> payload) {
  return decode_with<ComStmtPrepare>(payload, kWalkPrepare);
}

void append_stmt_prepare_ok(std::vector<std::uint8_t>& out, const StmtPrepareOk& ok,
                            std::uint32_t capabilities) {
  encode_with(out, ok, walk_prepare_ok_for(capabilities));
}
std::expected<StmtPrepareOk, std::error_code> decode_stmt_prepare_ok(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities) {
  return decode_with<StmtPrepareOk>(payload, walk_prepare_ok_for(capabilities));
}

void append_stmt_execute(std::vector<std::uint8_t>& out, const ComStmtExecute& command,
                         std::span<const ParamType> previous_types) {
  encode_with(out, command, walk_execute_for(command.values.size(), previous_types));
}
std::expected<ComStmtExecute, std::error_code> decode_stmt_execute(
    std::span<const std::uint8_t> payload, std::uint16_t param_count,
    std::span<const ParamType> previous_types) {
  return decode_with<ComStmtExecute>(payload, walk_execute_for(param_count, previous_types));
}

void append_stmt_send_long_data(std::vector<std::uint8_t>& out,
                                const ComStmtSendLongData& command) {
  encode_with(out, command, kWalkSendLongData);
}
std::expected<ComStmtSendLongData, std::error_code> decode_stmt_send_long_data(
    std::span<const std::uint8_t> payload) {
  return decode_with<ComStmtSendLongData>(payload, kWalkSendLongData);
}

void append_stmt_close(std::vector<std::uint8_t>& out, const ComStmtClose& command) {
  encode_with(out, command, kWalkStatementOnly<Command::kStmtClose>);
}
std::expected<ComStmtClose, std::error_code> decode_stmt_close(
    std::span<const std::uint8_t> payload) {
  return decode_with<ComStmtClose>(payload, kWalkStatementOnly<Command::kStmtClose>);
}

void append_stmt_reset(std::vector<std::uint8_t>& out, const ComStmtReset& command) {
  encode_with(out, command, kWalkStatementOnly<Command::kStmtReset>);
}
std::expected<ComStmtReset, std::error_code> decode_stmt_reset(
    std::span<const std::uint8_t> payload) {
  return decode_with<ComStmtReset>(payload, kWalkStatementOnly<Command::kStmtReset>);
}

}  // namespace grouter::mysql_wire
