// Follows the command phase of one server connection: the client's commands going to the server
// and the server's replies coming back, frame by frame, and says when each command's response is
// complete and what it changed (SessionFacts, prepared statements, the last exchange's outcome).
// The router uses it to know when a server waits for the next command (a statement may go to
// another server, an idle session may move) and what the session's state is. Pure: payloads in,
// progress and facts out; no sockets, loop or clock.
//
// Input: each frame's payload in order, per direction (the caller splits frames and checks
// sequence ids). A frame of kMaxPayloadSize bytes is continued by the next frame of its direction;
// the tracker passes over such continuation frames (a payload's kind is in its first frame).
//
// What it follows (capabilities are the negotiated ones):
//   COM_QUERY, COM_PROCESS_INFO: OK | ERR | a result set (column count; the definitions unless
//     the count says MariaDB's cache-metadata or MySQL's optional metadata skipped them; EOF unless
//     CLIENT_DEPRECATE_EOF; rows; EOF, or OK with 0xfe) | for COM_QUERY a LOCAL INFILE request
//     (0xfb: the client sends content frames and an empty frame, then the server's OK | ERR).
//     Results chain while an OK or end EOF carries SERVER_MORE_RESULTS_EXISTS; an ERR ends it.
//   COM_STMT_PREPARE: PREPARE_OK, parameter definitions [EOF], column definitions [EOF] | ERR.
//   COM_STMT_EXECUTE: as COM_QUERY with binary rows, without LOCAL INFILE; with a cursor flag the
//     reply may end after the definitions with SERVER_STATUS_CURSOR_EXISTS (the cursor is open).
//   MariaDB's COM_STMT_BULK_EXECUTE (0xfa): as COM_STMT_EXECUTE without a cursor.
//   COM_STMT_FETCH: binary rows, then EOF (SERVER_STATUS_LAST_ROW_SENT closes the cursor) | ERR.
//   COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE, COM_QUIT: no reply.
//   COM_STATISTICS: one string packet. COM_FIELD_LIST: column definitions, then EOF | ERR.
//   COM_PING, COM_INIT_DB, COM_RESET_CONNECTION, COM_SET_OPTION, COM_PROCESS_KILL, COM_DEBUG,
//     COM_REFRESH, COM_SHUTDOWN, COM_CREATE_DB, COM_DROP_DB, COM_STMT_RESET: OK | EOF | ERR.
//   COM_CHANGE_USER: an authentication exchange, the caller's to drive (CommandInfo says so); it
//     ends with the server's OK | ERR, and client payloads meanwhile are auth data.
//   MariaDB progress reports (ERR 0xffff, sent when mariadb_capability::kProgress is agreed) inside
//     a reply are passed over. An ERR while no command is pending is the server's goodbye.
// Refused with kUnsupportedCommand: replication (COM_BINLOG_DUMP, COM_REGISTER_SLAVE, ...),
// MariaDB's COM_MULTI, obsolete and unknown command bytes.
//
// Commands may be sent ahead of earlier replies (MariaDB connectors pipeline PREPARE and EXECUTE),
// up to kMaxPendingCommands; replies come in order. A statement id of kLastPreparedStatement names
// the last statement prepared (MariaDB). COM_CHANGE_USER is never pipelined, and nothing is sent
// behind it or during a LOCAL INFILE transfer.
//
// Bounds: no payload is kept; the pending commands, the statement table (statement_table.h) and
// the facts (session_facts.h) are bounded. Errors: exchange_error.h. Ownership: one per server
// connection, used on its loop only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "protocol/mysql_wire/command.h"
#include "routing/session_facts.h"
#include "routing/statement_table.h"

namespace grouter::routing {

struct CommandInfo {
  mysql_wire::Command command = mysql_wire::Command::kSleep;
  bool expects_response = true;  // false: COM_STMT_SEND_LONG_DATA, COM_STMT_CLOSE, COM_QUIT
  bool auth_exchange = false;    // COM_CHANGE_USER: the reply is an authentication exchange
};

enum class ClientPayloadKind {
  kCommand,       // a new command (ClientStep::command)
  kContinuation,  // the rest of a payload of kMaxPayloadSize bytes or more
  kInfileData,    // LOCAL INFILE content
  kInfileEnd,     // the empty payload that ends the content: the server's reply comes next
  kAuthData,      // part of COM_CHANGE_USER's authentication exchange
};

struct ClientStep {
  ClientPayloadKind kind = ClientPayloadKind::kCommand;
  CommandInfo command;  // when kind is kCommand
};

enum class ResponseProgress {
  kMore,             // the response goes on
  kInfileRequested,  // the server asks for LOCAL INFILE content: the client's payloads come next
  kComplete,         // the response to the oldest pending command is complete
  kServerGoodbye,    // an ERR while no command was pending (shutdown, timeout): the session ended
};

// What the last completed response said.
struct ExchangeOutcome {
  mysql_wire::Command command = mysql_wire::Command::kSleep;
  std::uint32_t results = 0;      // OKs, EOFs and result sets: several for multi-statements, CALL
  std::uint32_t result_sets = 0;  // result sets begun
  std::uint64_t rows = 0;         // over all result sets
  std::uint16_t error_code = 0;   // of the ERR that ended the response; 0 when none
  bool infile = false;            // the server asked for LOCAL INFILE content
  bool cursor_opened = false;     // COM_STMT_EXECUTE opened a cursor
  bool session_state_changed = false;  // an OK carried SERVER_SESSION_STATE_CHANGED

  bool operator==(const ExchangeOutcome&) const = default;
};

class ExchangeTracker {
 public:
  // Real clients pipeline whole batches: Connector/J sends up to useBatchMultiSendNumber (100 by
  // default) statements of an executeBatch() before reading a reply. A pending command costs
  // tens of bytes here (and in the read/write splitter), so the bound stays far above that.
  static constexpr std::size_t kMaxPendingCommands = 1024;
  static constexpr std::uint32_t kLastPreparedStatement = 0xffffffff;

  // CAPABILITIES and MARIADB_CAPABILITIES as agreed in the handshake (client's & server's).
  ExchangeTracker(std::uint32_t capabilities, std::uint32_t mariadb_capabilities);

  // The OK that ended the login, and the schema the HandshakeResponse asked for ("" for none):
  // the session's first facts. kMalformedPayload when OK_PAYLOAD is not an OK.
  [[nodiscard]] std::expected<void, std::error_code> on_login_ok(
      std::span<const std::uint8_t> ok_payload, std::string_view schema);

  // The first frame's payload of a client command (command byte and body). A refused command
  // leaves the tracker as it was (exchange_error.h); the caller must not forward it.
  [[nodiscard]] std::expected<CommandInfo, std::error_code> on_command(
      std::span<const std::uint8_t> payload);
  // Any client frame's payload: a command (as on_command), or part of the exchange in progress.
  [[nodiscard]] std::expected<ClientStep, std::error_code> on_client_payload(
      std::span<const std::uint8_t> payload);
  // Each server frame's payload, in order. An error breaks the tracker (exchange_error.h).
  [[nodiscard]] std::expected<ResponseProgress, std::error_code> on_server_payload(
      std::span<const std::uint8_t> payload);

  // No response is due: the server waits for the next command.
  bool idle() const { return pending_.empty() && !server_continues_; }
  std::size_t pending_commands() const { return pending_.size(); }
  bool in_auth_exchange() const;
  bool awaiting_infile_data() const { return phase_ == Phase::kInfileData; }
  bool ended() const { return ended_; }
  bool broken() const { return static_cast<bool>(broken_); }
  // What broke the tracker, for the log; empty while it is not broken.
  std::string_view failure() const { return failure_; }

  const SessionFacts& facts() const { return facts_; }
  const StatementTable& statements() const { return statements_; }
  const ExchangeOutcome& last_outcome() const { return last_; }

 private:
  enum class Phase : std::uint8_t {
    kIdle,
    kFirstPacket,  // the first packet of a result: OK, ERR, column count, LOCAL INFILE request
    kDefinitions,  // column or parameter definitions, then [EOF]
    kRows,
    kPrepareOk,
    kFieldList,
    kStatistics,
    kSimpleReply,  // OK, EOF or ERR
    kAuth,
    kInfileData,   // the client sends LOCAL INFILE content
    kInfileReply,  // the server's OK or ERR after the content
  };
  // Where a block of definitions leads.
  enum class AfterDefinitions : std::uint8_t { kRows, kPrepareColumns, kComplete };
  // What a server payload did to the response in progress.
  enum class Step : std::uint8_t { kMore, kInfile, kComplete };

  struct PendingCommand {
    mysql_wire::Command command = mysql_wire::Command::kSleep;
    std::uint32_t statement_id = 0;     // COM_STMT_*
    bool cursor = false;                // COM_STMT_EXECUTE with a cursor type
    std::optional<std::string> schema;  // COM_INIT_DB, COM_CHANGE_USER (nullopt: not readable)
  };

  using StepResult = std::expected<Step, std::error_code>;

  // exchange_tracker.cc: commands and the order of replies.
  // The phase the reply to COMMAND_BYTE starts in: kIdle for none, nullopt when unsupported.
  static std::optional<Phase> first_phase(std::uint8_t command_byte);
  PendingCommand read_command(std::span<const std::uint8_t> payload) const;
  void start_next();
  ResponseProgress complete_front();
  void apply_success_effects();
  std::unexpected<std::error_code> fail(std::error_code error, const char* what);
  bool chains_results() const;
  bool binary_rows() const;

  // exchange_tracker_replies.cc: the server's payloads, by phase.
  StepResult on_reply_payload(std::span<const std::uint8_t> payload);
  StepResult on_first_packet(std::span<const std::uint8_t> payload);
  StepResult on_definition(std::span<const std::uint8_t> payload);
  StepResult leave_definitions_when_done();
  StepResult on_row(std::span<const std::uint8_t> payload);
  StepResult on_prepare_ok(std::span<const std::uint8_t> payload);
  StepResult on_simple_reply(std::span<const std::uint8_t> payload);
  StepResult on_auth_reply(std::span<const std::uint8_t> payload);
  StepResult on_ok_result(std::span<const std::uint8_t> payload);
  StepResult on_err(std::span<const std::uint8_t> payload);
  StepResult after_result(std::uint16_t status_flags);
  std::expected<std::uint16_t, std::error_code> on_end_packet(
      std::span<const std::uint8_t> payload);
  void record_ok(const mysql_wire::OkPacket& ok);
  bool is_progress_report(std::span<const std::uint8_t> payload) const;

  const std::uint32_t capabilities_;
  const std::uint32_t mariadb_capabilities_;

  Phase phase_ = Phase::kIdle;
  std::deque<PendingCommand> pending_;  // front: the command whose reply is in progress
  std::uint64_t definitions_left_ = 0;
  bool eof_after_definitions_ = false;
  AfterDefinitions after_definitions_ = AfterDefinitions::kRows;
  std::uint16_t prepare_columns_ = 0;  // column definitions after the prepare's parameters
  std::size_t pending_prepares_ = 0;   // COM_STMT_PREPAREs sent and not yet answered
  std::uint32_t last_prepared_id_ = 0;
  bool client_continues_ = false;  // the next client frame continues a kMaxPayloadSize one
  bool server_continues_ = false;  // the next server frame continues a kMaxPayloadSize one
  bool complete_after_continuation_ = false;
  bool quit_sent_ = false;
  bool ended_ = false;
  std::error_code broken_;
  std::string_view failure_;

  SessionFacts facts_;
  StatementTable statements_;
  ExchangeOutcome current_;
  ExchangeOutcome last_;
};

}  // namespace grouter::routing
