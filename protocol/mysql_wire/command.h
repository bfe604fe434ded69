// Client commands (COM_*) that carry at most one simple field: the command byte values, and codecs
// for COM_QUIT, COM_PING, COM_STATISTICS, COM_RESET_CONNECTION (command byte only), COM_INIT_DB,
// COM_QUERY, COM_PROCESS_KILL and COM_SET_OPTION. Prepared-statement commands are in
// stmt_commands.h, COM_CHANGE_USER in change_user.h.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace grouter::mysql_wire {

enum class Command : std::uint8_t {
  kSleep = 0x00,
  kQuit = 0x01,
  kInitDb = 0x02,
  kQuery = 0x03,
  kFieldList = 0x04,
  kCreateDb = 0x05,
  kDropDb = 0x06,
  kRefresh = 0x07,
  kShutdown = 0x08,
  kStatistics = 0x09,
  kProcessInfo = 0x0a,
  kConnect = 0x0b,
  kProcessKill = 0x0c,
  kDebug = 0x0d,
  kPing = 0x0e,
  kTime = 0x0f,
  kDelayedInsert = 0x10,
  kChangeUser = 0x11,
  kBinlogDump = 0x12,
  kTableDump = 0x13,
  kConnectOut = 0x14,
  kRegisterSlave = 0x15,
  kStmtPrepare = 0x16,
  kStmtExecute = 0x17,
  kStmtSendLongData = 0x18,
  kStmtClose = 0x19,
  kStmtReset = 0x1a,
  kSetOption = 0x1b,
  kStmtFetch = 0x1c,
  kDaemon = 0x1d,
  kBinlogDumpGtid = 0x1e,
  kResetConnection = 0x1f,
};

constexpr std::uint8_t command_byte(Command c) {
  return static_cast<std::uint8_t>(c);
}

// MYSQL_OPTION_MULTI_STATEMENTS_ON/OFF, COM_SET_OPTION's argument.
inline constexpr std::uint16_t kMultiStatementsOn = 0;
inline constexpr std::uint16_t kMultiStatementsOff = 1;

struct ComInitDb {
  std::string schema;
  bool operator==(const ComInitDb&) const = default;
};
struct ComQuery {
  std::string query;
  bool operator==(const ComQuery&) const = default;
};
struct ComProcessKill {
  std::uint32_t connection_id = 0;
  bool operator==(const ComProcessKill&) const = default;
};
struct ComSetOption {
  std::uint16_t option = 0;
  bool operator==(const ComSetOption&) const = default;
};

// The command byte of a command payload; kNeedMoreBytes when PAYLOAD is empty.
[[nodiscard]] std::expected<Command, std::error_code> decode_command_byte(
    std::span<const std::uint8_t> payload);

// Commands that are the command byte alone (COM_QUIT, COM_PING, COM_STATISTICS,
// COM_RESET_CONNECTION).
void append_simple_command(std::vector<std::uint8_t>& out, Command command);
// kInvalidInput unless PAYLOAD is exactly COMMAND's byte.
[[nodiscard]] std::expected<Command, std::error_code> decode_simple_command(
    std::span<const std::uint8_t> payload, Command command);

void append_init_db(std::vector<std::uint8_t>& out, const ComInitDb& command);
[[nodiscard]] std::expected<ComInitDb, std::error_code> decode_init_db(
    std::span<const std::uint8_t> payload);

// COM_QUERY. With kQueryAttributes (MySQL 8 clients; MariaDB never agrees it) a parameter count and
// a parameter-set count come before the query; queries that carry attributes are kUnsupported.
void append_query(std::vector<std::uint8_t>& out, const ComQuery& command,
                  std::uint32_t capabilities = 0);
[[nodiscard]] std::expected<ComQuery, std::error_code> decode_query(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities = 0);

void append_process_kill(std::vector<std::uint8_t>& out, const ComProcessKill& command);
[[nodiscard]] std::expected<ComProcessKill, std::error_code> decode_process_kill(
    std::span<const std::uint8_t> payload);

void append_set_option(std::vector<std::uint8_t>& out, const ComSetOption& command);
[[nodiscard]] std::expected<ComSetOption, std::error_code> decode_set_option(
    std::span<const std::uint8_t> payload);

}  // namespace grouter::mysql_wire
