// Server-side prepared statements: COM_STMT_PREPARE and its reply COM_STMT_PREPARE_OK,
// COM_STMT_EXECUTE (parameters in the binary protocol), COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE and
// COM_STMT_RESET. Parameter values are raw bytes as in binary_row.h.
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

// COM_STMT_EXECUTE cursor flags.
inline constexpr std::uint8_t kCursorTypeNoCursor = 0x00;
inline constexpr std::uint8_t kCursorTypeReadOnly = 0x01;
// Parameter type flag: the integer is unsigned.
inline constexpr std::uint8_t kParamUnsigned = 0x80;

struct ComStmtPrepare {
  std::string query;
  bool operator==(const ComStmtPrepare&) const = default;
};

struct StmtPrepareOk {
  std::uint32_t statement_id = 0;
  std::uint16_t column_count = 0;
  std::uint16_t param_count = 0;
  std::uint16_t warnings = 0;
  std::uint8_t metadata_follows = 1;  // only with kOptionalResultsetMetadata

  bool operator==(const StmtPrepareOk&) const = default;
};

struct ParamType {
  ColumnType type = ColumnType::kNull;
  std::uint8_t flags = 0;  // kParamUnsigned
  bool operator==(const ParamType&) const = default;
};

struct ComStmtExecute {
  std::uint32_t statement_id = 0;
  std::uint8_t flags = kCursorTypeNoCursor;
  std::uint32_t iteration_count = 1;
  // When true the types travel with this message; otherwise those of an earlier execute apply.
  bool new_params_bound = true;
  std::vector<ParamType> param_types;
  std::vector<std::optional<Bytes>> values;  // nullopt: SQL NULL

  bool operator==(const ComStmtExecute&) const = default;
};

struct ComStmtSendLongData {
  std::uint32_t statement_id = 0;
  std::uint16_t param_id = 0;
  Bytes data;
  bool operator==(const ComStmtSendLongData&) const = default;
};

// COM_STMT_CLOSE (no reply) and COM_STMT_RESET (OK or ERR) name only the statement.
struct ComStmtClose {
  std::uint32_t statement_id = 0;
  bool operator==(const ComStmtClose&) const = default;
};
struct ComStmtReset {
  std::uint32_t statement_id = 0;
  bool operator==(const ComStmtReset&) const = default;
};

void append_stmt_prepare(std::vector<std::uint8_t>& out, const ComStmtPrepare& command);
[[nodiscard]] std::expected<ComStmtPrepare, std::error_code> decode_stmt_prepare(
    std::span<const std::uint8_t> payload);

void append_stmt_prepare_ok(std::vector<std::uint8_t>& out, const StmtPrepareOk& ok,
                            std::uint32_t capabilities);
[[nodiscard]] std::expected<StmtPrepareOk, std::error_code> decode_stmt_prepare_ok(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities);

// PARAM_COUNT comes from the statement's StmtPrepareOk. When the message does not bind new types,
// PREVIOUS_TYPES (those of the statement's last execute) lay out the values; kInvalidInput when
// they are missing.
void append_stmt_execute(std::vector<std::uint8_t>& out, const ComStmtExecute& command,
                         std::span<const ParamType> previous_types = {});
[[nodiscard]] std::expected<ComStmtExecute, std::error_code> decode_stmt_execute(
    std::span<const std::uint8_t> payload, std::uint16_t param_count,
    std::span<const ParamType> previous_types = {});

void append_stmt_send_long_data(std::vector<std::uint8_t>& out, const ComStmtSendLongData& command);
[[nodiscard]] std::expected<ComStmtSendLongData, std::error_code> decode_stmt_send_long_data(
    std::span<const std::uint8_t> payload);

void append_stmt_close(std::vector<std::uint8_t>& out, const ComStmtClose& command);
[[nodiscard]] std::expected<ComStmtClose, std::error_code> decode_stmt_close(
    std::span<const std::uint8_t> payload);

void append_stmt_reset(std::vector<std::uint8_t>& out, const ComStmtReset& command);
[[nodiscard]] std::expected<ComStmtReset, std::error_code> decode_stmt_reset(
    std::span<const std::uint8_t> payload);

}  // namespace grouter::mysql_wire
