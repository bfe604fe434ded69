// The client side of the command-phase tracker: which commands it follows, the queue of pending
// commands, and what a completed reply changes. The server's payloads: exchange_tracker_replies.cc.
#include "routing/exchange_tracker.h"

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/change_user.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/stmt_commands.h"
#include "protocol/mysql_wire/wire_reader.h"
#include "routing/exchange_error.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
using wire::Command;

// MariaDB's COM_STMT_BULK_EXECUTE: a prepared statement run for many rows of parameters, sent by
// MariaDB's connectors (Connector/J's executeBatch() with useBulkStmts, Connector/C's array
// binding) when the node offers MARIADB_CLIENT_STMT_BULK_OPERATIONS. Body: statement id (4 bytes),
// flags (2), parameter types and rows; the reply is COM_STMT_EXECUTE's (OK | ERR | a binary
// result set, with RETURNING or unit results).
constexpr Command kStmtBulkExecute = static_cast<Command>(0xfa);

// The schema a command selects when it succeeds, when it fits the facts' bound.
template <class Decoded>
std::optional<std::string> bounded_schema(const std::expected<Decoded, std::error_code>& command) {
  if (!command || command->schema.size() > SessionFacts::kMaxFactBytes) return std::nullopt;
  return command->schema;
}

}  // namespace

std::optional<ExchangeTracker::Phase> ExchangeTracker::first_phase(std::uint8_t command_byte) {
  switch (static_cast<Command>(command_byte)) {
    case Command::kQuery:
    case Command::kProcessInfo:
    case Command::kStmtExecute:
    case kStmtBulkExecute:
      return Phase::kFirstPacket;
    case Command::kStmtPrepare:
      return Phase::kPrepareOk;
    case Command::kStmtFetch:
      return Phase::kRows;
    case Command::kFieldList:
      return Phase::kFieldList;
    case Command::kStatistics:
      return Phase::kStatistics;
    case Command::kChangeUser:
      return Phase::kAuth;
    case Command::kQuit:
    case Command::kStmtSendLongData:
    case Command::kStmtClose:
      return Phase::kIdle;  // no reply
    case Command::kInitDb:
    case Command::kCreateDb:
    case Command::kDropDb:
    case Command::kRefresh:
    case Command::kShutdown:
    case Command::kProcessKill:
    case Command::kDebug:
    case Command::kPing:
    case Command::kStmtReset:
    case Command::kSetOption:
    case Command::kResetConnection:
      return Phase::kSimpleReply;
    default:
      // Replication (binlog dump, table dump, register slave), commands the server only uses
      // internally (sleep, connect, time, delayed insert, connect out, daemon), MariaDB's
      // COM_MULTI (0xfe), and unknown bytes.
      return std::nullopt;
  }
}

ExchangeTracker::ExchangeTracker(std::uint32_t capabilities, std::uint32_t mariadb_capabilities)
    : capabilities_(capabilities), mariadb_capabilities_(mariadb_capabilities) {}

std::expected<void, std::error_code> ExchangeTracker::on_login_ok(
    std::span<const std::uint8_t> ok_payload, std::string_view schema) {
  auto ok = wire::decode_ok_payload(ok_payload, capabilities_);
  if (!ok) return std::unexpected(make_error_code(ExchangeErrc::kMalformedPayload));
  apply_schema(facts_, schema);
  apply_ok(facts_, *ok);
  return {};
}

bool ExchangeTracker::in_auth_exchange() const {
  return !pending_.empty() && pending_.back().command == Command::kChangeUser;
}

std::expected<ClientStep, std::error_code> ExchangeTracker::on_client_payload(
    std::span<const std::uint8_t> payload) {
  if (broken_) return std::unexpected(make_error_code(ExchangeErrc::kBroken));
  if (client_continues_) {
    client_continues_ = payload.size() == wire::kMaxPayloadSize;
    return ClientStep{ClientPayloadKind::kContinuation};
  }
  if (phase_ == Phase::kInfileData) {
    if (payload.empty()) {
      phase_ = Phase::kInfileReply;
      return ClientStep{ClientPayloadKind::kInfileEnd};
    }
    client_continues_ = payload.size() == wire::kMaxPayloadSize;
    return ClientStep{ClientPayloadKind::kInfileData};
  }
  if (in_auth_exchange()) {
    client_continues_ = payload.size() == wire::kMaxPayloadSize;
    return ClientStep{ClientPayloadKind::kAuthData};
  }
  auto command = on_command(payload);
  if (!command) return std::unexpected(command.error());
  return ClientStep{ClientPayloadKind::kCommand, *command};
}

std::expected<CommandInfo, std::error_code> ExchangeTracker::on_command(
    std::span<const std::uint8_t> payload) {
  if (broken_) return std::unexpected(make_error_code(ExchangeErrc::kBroken));
  if (ended_ || quit_sent_) return std::unexpected(make_error_code(ExchangeErrc::kEnded));
  if (payload.empty() || client_continues_ || phase_ == Phase::kInfileData || in_auth_exchange()) {
    return std::unexpected(make_error_code(ExchangeErrc::kCommandNotAllowed));
  }
  const std::optional<Phase> phase = first_phase(payload[0]);
  if (!phase) return std::unexpected(make_error_code(ExchangeErrc::kUnsupportedCommand));
  if (*phase == Phase::kAuth && !pending_.empty()) {
    return std::unexpected(make_error_code(ExchangeErrc::kCommandNotAllowed));
  }
  if (pending_.size() >= kMaxPendingCommands) {
    return std::unexpected(make_error_code(ExchangeErrc::kPipelineFull));
  }
  if (*phase == Phase::kPrepareOk && !statements_.has_room(pending_prepares_ + 1)) {
    return std::unexpected(make_error_code(ExchangeErrc::kTooManyStatements));
  }
  PendingCommand command = read_command(payload);
  const CommandInfo info{command.command, *phase != Phase::kIdle, *phase == Phase::kAuth};
  if (*phase == Phase::kPrepareOk) ++pending_prepares_;
  if (command.command == Command::kQuit) quit_sent_ = true;
  pending_.push_back(std::move(command));
  client_continues_ = payload.size() == wire::kMaxPayloadSize;
  if (phase_ == Phase::kIdle) start_next();
  return info;
}

ExchangeTracker::PendingCommand ExchangeTracker::read_command(
    std::span<const std::uint8_t> payload) const {
  PendingCommand command;
  command.command = static_cast<Command>(payload[0]);
  switch (command.command) {
    case Command::kStmtExecute:
    case kStmtBulkExecute:
    case Command::kStmtFetch:
    case Command::kStmtReset:
    case Command::kStmtClose:
    case Command::kStmtSendLongData: {
      // A body too short to name a statement is the server's to refuse (with an ERR, or in
      // silence for the commands without a reply); statement 0 then stands for none.
      wire::WireReader reader(payload.subspan(1));
      std::uint32_t id = 0;
      reader.u32(id);
      if (reader.ok()) command.statement_id = id;
      std::uint8_t flags = 0;
      reader.u8(flags);
      command.cursor = command.command == Command::kStmtExecute && reader.ok() &&
                       (flags & wire::kCursorTypeReadOnly) != 0;
      break;
    }
    case Command::kInitDb: {
      command.schema = bounded_schema(wire::decode_init_db(payload));
      break;
    }
    case Command::kChangeUser: {
      command.schema = bounded_schema(wire::decode_change_user(payload, capabilities_));
      break;
    }
    default:
      break;
  }
  return command;
}

void ExchangeTracker::start_next() {
  while (!pending_.empty()) {
    PendingCommand& front = pending_.front();
    if (front.statement_id == kLastPreparedStatement) front.statement_id = last_prepared_id_;
    current_ = ExchangeOutcome{front.command};
    // Only commands first_phase() takes are queued.
    const Phase phase =
        first_phase(static_cast<std::uint8_t>(front.command)).value_or(Phase::kIdle);
    if (phase != Phase::kIdle) {
      if (front.command == Command::kStmtExecute) {
        statements_.set_cursor_open(front.statement_id, false);  // a new execute closes it
      }
      phase_ = phase;
      return;
    }
    if (front.command == Command::kQuit) {
      ended_ = true;
      pending_.clear();
      break;
    }
    if (front.command == Command::kStmtClose) statements_.erase(front.statement_id);
    pending_.pop_front();
  }
  phase_ = Phase::kIdle;
}

ResponseProgress ExchangeTracker::complete_front() {
  last_ = current_;
  pending_.pop_front();
  phase_ = Phase::kIdle;
  start_next();
  return ResponseProgress::kComplete;
}

void ExchangeTracker::apply_success_effects() {
  const PendingCommand& front = pending_.front();
  switch (front.command) {
    case Command::kResetConnection:
    case Command::kChangeUser:
      statements_.clear();  // the server closed them
      reset_session_state(facts_);
      if (front.command == Command::kResetConnection) break;
      [[fallthrough]];
    case Command::kInitDb:
      if (front.schema) {
        apply_schema(facts_, *front.schema);
      } else {
        facts_.schema.reset();  // the command selected a schema it could not say
      }
      break;
    case Command::kStmtReset:
      statements_.set_cursor_open(front.statement_id, false);
      break;
    default:
      break;
  }
}

std::unexpected<std::error_code> ExchangeTracker::fail(std::error_code error, const char* what) {
  broken_ = error;
  failure_ = what;
  return std::unexpected(error);
}

bool ExchangeTracker::chains_results() const {
  return first_phase(static_cast<std::uint8_t>(pending_.front().command)) == Phase::kFirstPacket;
}

bool ExchangeTracker::binary_rows() const {
  const Command c = pending_.front().command;
  return c == Command::kStmtExecute || c == kStmtBulkExecute || c == Command::kStmtFetch;
}

}  // namespace grouter::routing
