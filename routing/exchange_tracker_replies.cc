// The server side of the command-phase tracker: each reply payload read by the phase of the reply
// in progress. Only end packets (OK, EOF, ERR, PREPARE_OK, column counts) are decoded; rows and
// definitions are counted by their first byte.
#include "routing/exchange_tracker.h"

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"
#include "protocol/mysql_wire/stmt_commands.h"
#include "routing/exchange_error.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
namespace status = wire::server_status;
using wire::Command;

constexpr std::uint8_t kLocalInfileMarker = 0xfb;
constexpr std::uint8_t kBinaryRowMarker = 0x00;
constexpr std::uint8_t kProgressCodeByte = 0xff;  // both bytes of the code 0xffff

std::error_code unexpected_payload() {
  return make_error_code(ExchangeErrc::kUnexpectedPayload);
}
std::error_code malformed_payload() {
  return make_error_code(ExchangeErrc::kMalformedPayload);
}

}  // namespace

std::expected<ResponseProgress, std::error_code> ExchangeTracker::on_server_payload(
    std::span<const std::uint8_t> payload) {
  if (broken_) return std::unexpected(make_error_code(ExchangeErrc::kBroken));
  const bool continues = payload.size() == wire::kMaxPayloadSize;
  if (server_continues_) {
    server_continues_ = continues;
    if (continues || !complete_after_continuation_) return ResponseProgress::kMore;
    complete_after_continuation_ = false;
    return complete_front();
  }
  if (ended_) return fail(make_error_code(ExchangeErrc::kEnded), "a server packet after the end");
  if (phase_ == Phase::kIdle) {
    if (payload.empty() || payload[0] != wire::kErrMarker) {
      return fail(unexpected_payload(), "a server packet while no command was pending");
    }
    auto err = wire::decode_err_payload(payload, capabilities_);
    if (!err) return fail(malformed_payload(), "a malformed ERR while no command was pending");
    apply_err(facts_, *err);
    ended_ = true;
    return ResponseProgress::kServerGoodbye;
  }
  if (is_progress_report(payload)) return ResponseProgress::kMore;
  auto step = on_reply_payload(payload);
  if (!step) return std::unexpected(step.error());
  server_continues_ = continues;
  switch (*step) {
    case Step::kMore:
      return ResponseProgress::kMore;
    case Step::kInfile:
      return ResponseProgress::kInfileRequested;
    case Step::kComplete:
      if (!continues) return complete_front();
      complete_after_continuation_ = true;
      return ResponseProgress::kMore;
  }
  return ResponseProgress::kMore;
}

ExchangeTracker::StepResult ExchangeTracker::on_reply_payload(
    std::span<const std::uint8_t> payload) {
  if (payload.empty()) return fail(unexpected_payload(), "an empty server packet");
  switch (phase_) {
    case Phase::kFirstPacket:
      return on_first_packet(payload);
    case Phase::kDefinitions:
      return on_definition(payload);
    case Phase::kRows:
      return on_row(payload);
    case Phase::kPrepareOk:
      return on_prepare_ok(payload);
    case Phase::kFieldList:
      if (payload[0] == wire::kErrMarker) return on_err(payload);
      if (!wire::is_end_of_rows(payload, capabilities_)) return Step::kMore;  // a definition
      if (auto end = on_end_packet(payload); !end) return std::unexpected(end.error());
      return Step::kComplete;
    case Phase::kStatistics:
      if (payload[0] == wire::kErrMarker) return on_err(payload);
      return Step::kComplete;  // the statistics string
    case Phase::kSimpleReply:
      return on_simple_reply(payload);
    case Phase::kAuth:
      return on_auth_reply(payload);
    case Phase::kInfileData:
      return fail(unexpected_payload(), "a server packet during LOCAL INFILE content");
    case Phase::kInfileReply:
      if (payload[0] == wire::kOkMarker) return on_ok_result(payload);
      if (payload[0] == wire::kErrMarker) return on_err(payload);
      return fail(unexpected_payload(), "expected OK or ERR after LOCAL INFILE content");
    case Phase::kIdle:
      break;
  }
  return fail(unexpected_payload(), "a server packet while no command was pending");
}

ExchangeTracker::StepResult ExchangeTracker::on_first_packet(
    std::span<const std::uint8_t> payload) {
  switch (payload[0]) {
    case wire::kOkMarker:
      return on_ok_result(payload);
    case wire::kErrMarker:
      return on_err(payload);
    case wire::kEofMarker:
      return fail(unexpected_payload(), "an EOF packet where a result starts");
    case kLocalInfileMarker:
      if (pending_.front().command != Command::kQuery) {
        return fail(unexpected_payload(), "a LOCAL INFILE request to a command but COM_QUERY");
      }
      if (!(capabilities_ & wire::capability::kLocalFiles)) {
        return fail(unexpected_payload(), "a LOCAL INFILE request without CLIENT_LOCAL_FILES");
      }
      if (pending_.size() > 1) {
        return fail(unexpected_payload(), "a LOCAL INFILE request with commands sent behind");
      }
      current_.infile = true;
      phase_ = Phase::kInfileData;
      return Step::kInfile;
    default:
      break;
  }
  auto count = wire::decode_column_count(payload, capabilities_, mariadb_capabilities_);
  if (!count) return fail(malformed_payload(), "a malformed column count");
  ++current_.results;
  ++current_.result_sets;
  phase_ = Phase::kDefinitions;
  definitions_left_ = count->metadata_follows ? count->count : 0;
  eof_after_definitions_ = !(capabilities_ & wire::capability::kDeprecateEof);
  after_definitions_ = AfterDefinitions::kRows;
  return leave_definitions_when_done();
}

ExchangeTracker::StepResult ExchangeTracker::on_definition(std::span<const std::uint8_t> payload) {
  if (payload[0] == wire::kErrMarker) return on_err(payload);
  const bool end = wire::is_end_of_rows(payload, capabilities_);
  if (definitions_left_ > 0) {
    if (end) return fail(unexpected_payload(), "an EOF packet amid definitions");
    --definitions_left_;
    return leave_definitions_when_done();
  }
  if (!end) return fail(unexpected_payload(), "expected the EOF after definitions");
  auto eof = wire::decode_eof_payload(payload, capabilities_);
  if (!eof) return fail(malformed_payload(), "a malformed EOF after definitions");
  apply_eof(facts_, *eof);
  eof_after_definitions_ = false;
  if (after_definitions_ == AfterDefinitions::kRows && pending_.front().cursor &&
      (eof->status_flags & status::kCursorExists)) {
    statements_.set_cursor_open(pending_.front().statement_id, true);
    current_.cursor_opened = true;
    return Step::kComplete;
  }
  return leave_definitions_when_done();
}

ExchangeTracker::StepResult ExchangeTracker::leave_definitions_when_done() {
  if (definitions_left_ > 0 || eof_after_definitions_) return Step::kMore;
  switch (after_definitions_) {
    case AfterDefinitions::kRows:
      phase_ = Phase::kRows;
      return Step::kMore;
    case AfterDefinitions::kPrepareColumns:
      definitions_left_ = prepare_columns_;
      eof_after_definitions_ =
          prepare_columns_ > 0 && !(capabilities_ & wire::capability::kDeprecateEof);
      after_definitions_ = AfterDefinitions::kComplete;
      return leave_definitions_when_done();
    case AfterDefinitions::kComplete:
      break;
  }
  return Step::kComplete;
}

ExchangeTracker::StepResult ExchangeTracker::on_row(std::span<const std::uint8_t> payload) {
  if (payload[0] == wire::kErrMarker) return on_err(payload);
  if (!wire::is_end_of_rows(payload, capabilities_)) {
    if (binary_rows() && payload[0] != kBinaryRowMarker) {
      return fail(unexpected_payload(), "a binary row without its 0x00 header");
    }
    ++current_.rows;
    return Step::kMore;
  }
  auto end = on_end_packet(payload);
  if (!end) return std::unexpected(end.error());
  const PendingCommand& front = pending_.front();
  if (front.command == Command::kStmtFetch) {
    if (*end & status::kLastRowSent) statements_.set_cursor_open(front.statement_id, false);
    return Step::kComplete;
  }
  if (front.cursor && (*end & status::kCursorExists)) {
    statements_.set_cursor_open(front.statement_id, true);
    current_.cursor_opened = true;
    return Step::kComplete;
  }
  return after_result(*end);
}

ExchangeTracker::StepResult ExchangeTracker::on_prepare_ok(std::span<const std::uint8_t> payload) {
  --pending_prepares_;
  if (payload[0] == wire::kErrMarker) return on_err(payload);
  if (payload[0] != wire::kOkMarker) return fail(unexpected_payload(), "expected PREPARE_OK");
  auto ok = wire::decode_stmt_prepare_ok(payload, capabilities_);
  if (!ok) return fail(malformed_payload(), "a malformed PREPARE_OK");
  // Room was checked when the command was taken (kTooManyStatements), so this cannot fail.
  if (!statements_.add(ok->statement_id, {ok->param_count, ok->column_count, false})) {
    return fail(make_error_code(ExchangeErrc::kTooManyStatements), "statement table full");
  }
  last_prepared_id_ = ok->statement_id;
  facts_.warnings = ok->warnings;
  const bool metadata =
      !(capabilities_ & wire::capability::kOptionalResultsetMetadata) || ok->metadata_follows;
  phase_ = Phase::kDefinitions;
  definitions_left_ = metadata ? ok->param_count : 0;
  eof_after_definitions_ =
      definitions_left_ > 0 && !(capabilities_ & wire::capability::kDeprecateEof);
  prepare_columns_ = metadata ? ok->column_count : 0;
  after_definitions_ = AfterDefinitions::kPrepareColumns;
  return leave_definitions_when_done();
}

ExchangeTracker::StepResult ExchangeTracker::on_simple_reply(
    std::span<const std::uint8_t> payload) {
  if (payload[0] == wire::kErrMarker) return on_err(payload);
  if (payload[0] == wire::kOkMarker) {
    auto ok = wire::decode_ok_payload(payload, capabilities_);
    if (!ok) return fail(malformed_payload(), "a malformed OK");
    apply_success_effects();
    record_ok(*ok);
    ++current_.results;
    return Step::kComplete;
  }
  if (!wire::is_end_of_rows(payload, capabilities_)) {
    return fail(unexpected_payload(), "expected OK, EOF or ERR");
  }
  apply_success_effects();
  if (auto end = on_end_packet(payload); !end) return std::unexpected(end.error());
  ++current_.results;
  return Step::kComplete;
}

ExchangeTracker::StepResult ExchangeTracker::on_auth_reply(std::span<const std::uint8_t> payload) {
  if (payload[0] == wire::kErrMarker) return on_err(payload);
  if (payload[0] != wire::kOkMarker) return Step::kMore;  // auth switch, more data
  auto ok = wire::decode_ok_payload(payload, capabilities_);
  if (!ok) return fail(malformed_payload(), "a malformed OK after COM_CHANGE_USER");
  apply_success_effects();
  record_ok(*ok);
  ++current_.results;
  return Step::kComplete;
}

ExchangeTracker::StepResult ExchangeTracker::on_ok_result(std::span<const std::uint8_t> payload) {
  auto ok = wire::decode_ok_payload(payload, capabilities_);
  if (!ok) return fail(malformed_payload(), "a malformed OK");
  record_ok(*ok);
  ++current_.results;
  return after_result(ok->status_flags);
}

ExchangeTracker::StepResult ExchangeTracker::on_err(std::span<const std::uint8_t> payload) {
  auto err = wire::decode_err_payload(payload, capabilities_);
  if (!err) return fail(malformed_payload(), "a malformed ERR");
  apply_err(facts_, *err);
  current_.error_code = err->error_code;
  return Step::kComplete;
}

ExchangeTracker::StepResult ExchangeTracker::after_result(std::uint16_t status_flags) {
  if ((status_flags & status::kMoreResultsExist) && chains_results()) {
    phase_ = Phase::kFirstPacket;
    return Step::kMore;
  }
  return Step::kComplete;
}

// The packet that ends a result set: EOF, or under CLIENT_DEPRECATE_EOF an OK with 0xfe.
std::expected<std::uint16_t, std::error_code> ExchangeTracker::on_end_packet(
    std::span<const std::uint8_t> payload) {
  if (capabilities_ & wire::capability::kDeprecateEof) {
    auto ok = wire::decode_ok_payload(payload, capabilities_);
    if (!ok) return fail(malformed_payload(), "a malformed OK ending rows");
    record_ok(*ok);
    return ok->status_flags;
  }
  auto eof = wire::decode_eof_payload(payload, capabilities_);
  if (!eof) return fail(malformed_payload(), "a malformed EOF");
  apply_eof(facts_, *eof);
  return eof->status_flags;
}

void ExchangeTracker::record_ok(const wire::OkPacket& ok) {
  apply_ok(facts_, ok);
  if (ok.status_flags & status::kSessionStateChanged) current_.session_state_changed = true;
}

bool ExchangeTracker::is_progress_report(std::span<const std::uint8_t> payload) const {
  // Recognised whether or not kProgress was agreed: no ERR carries the code 0xffff.
  return payload.size() >= 3 && payload[0] == wire::kErrMarker && payload[1] == kProgressCodeByte &&
         payload[2] == kProgressCodeByte;
}

}  // namespace grouter::routing
