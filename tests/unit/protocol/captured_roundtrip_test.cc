// Table-driven tests over every captured frame: it decodes, re-encodes to the same bytes, each
// proper prefix of the frame is kNeedMoreBytes, and each proper prefix of the payload too (up to
// the start of a trailing rest-of-payload string, where shorter messages are still well formed).
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/binary_row.h"
#include "protocol/mysql_wire/change_user.h"
#include "protocol/mysql_wire/codec_error.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "protocol/mysql_wire/stmt_commands.h"
#include "tests/unit/protocol/captured_frames.h"
#include "tests/unit/protocol/test_bytes.h"

namespace grouter::mysql_wire::testing {
namespace {

// Decodes a payload and, on success, re-encodes the value into the second argument.
using RoundTrip = std::function<std::error_code(std::span<const std::uint8_t>, Bytes&)>;

template <class Decode, class Encode>
RoundTrip rt(Decode decode, Encode encode) {
  return [decode, encode](std::span<const std::uint8_t> payload, Bytes& out) -> std::error_code {
    auto value = decode(payload);
    if (!value) return value.error();
    encode(out, *value);
    return {};
  };
}

inline constexpr std::size_t kWhole = std::numeric_limits<std::size_t>::max();

struct Case {
  std::string name;
  std::string_view frame_hex;
  // Payload prefixes shorter than this must be kNeedMoreBytes (kWhole: every proper prefix).
  std::size_t need_more_below;
  RoundTrip round_trip;
  // A prefix of this length is itself another complete message (the lone 0xfe of the pre-4.1
  // auth switch), which the decoder reports as kUnsupported.
  std::size_t other_message_at = kWhole;
};

const std::vector<ColumnType> kItemTypes = {ColumnType::kLong, ColumnType::kVarString,
                                            ColumnType::kNewDecimal, ColumnType::kDatetime,
                                            ColumnType::kBlob};

// For decoders and encoders that take one more argument (capabilities).
template <class Decode, class Encode>
RoundTrip with(std::uint32_t caps, Decode decode, Encode encode) {
  return rt([caps, decode](auto p) { return decode(p, caps); },
            [caps, encode](Bytes& o, const auto& v) { encode(o, v, caps); });
}
RoundTrip ok_rt(std::uint32_t caps) {
  return with(caps, decode_ok_payload, append_ok_payload);
}
RoundTrip eof_ok_rt(std::uint32_t caps) {
  return with(caps, decode_ok_payload, append_eof_ok_payload);
}
RoundTrip eof_rt(std::uint32_t caps) {
  return with(caps, decode_eof_payload, append_eof_payload);
}
RoundTrip err_rt(std::uint32_t caps) {
  return with(caps, decode_err_payload, append_err_payload);
}
RoundTrip column_rt(std::uint32_t mariadb_caps) {
  return with(mariadb_caps, decode_column_definition, append_column_definition);
}
RoundTrip simple_rt(Command command) {
  return rt([command](auto p) { return decode_simple_command(p, command); },
            [](Bytes& o, Command c) { append_simple_command(o, c); });
}

std::vector<Case> cases() {
  const auto greeting = rt(decode_server_greeting, append_server_greeting);
  const auto response = rt(decode_handshake_response, append_handshake_response);
  const auto text_row = rt([](auto p) { return decode_text_row(p, 5); }, append_text_row);
  const auto binary_row =
      rt([](auto p) { return decode_binary_row(p, kItemTypes); },
         [](Bytes& o, const BinaryRow& v) { append_binary_row(o, v, kItemTypes); });
  const auto query = rt([](auto p) { return decode_query(p); },
                        [](Bytes& o, const ComQuery& v) { append_query(o, v); });
  const auto change_user = with(kScriptCaps, decode_change_user, append_change_user);
  const auto prepare_ok = with(kScriptCaps, decode_stmt_prepare_ok, append_stmt_prepare_ok);
  const auto execute = rt([](auto p) { return decode_stmt_execute(p, 1); },
                          [](Bytes& o, const ComStmtExecute& v) { append_stmt_execute(o, v); });
  const auto column_count = rt(
      [](auto p) { return decode_column_count(p, kCliCaps, kCliMariadbCaps); },
      [](Bytes& o, const ColumnCount& v) { append_column_count(o, v, kCliCaps, kCliMariadbCaps); });
  return {
      {"cli greeting", kCliGreeting, kWhole, greeting},
      {"ssl greeting", kSslGreeting, kWhole, greeting},
      {"script greeting", kScriptGreeting, kWhole, greeting},
      {"cli handshake response", kCliHandshakeResponse, kWhole, response},
      {"cli handshake response with db", kCliHandshakeResponseWithDb, kWhole, response},
      {"wrong password response", kWrongPasswordResponse, kWhole, response},
      {"script handshake response", kScriptHandshakeResponse, kWhole, response},
      {"deprecate-eof handshake response", kDeprecateEofHandshakeResponse, kWhole, response},
      {"ssl request", kSslRequest, kWhole, rt(decode_ssl_request, append_ssl_request)},
      {"auth switch request", kAuthSwitchRequest, 23,
       rt(decode_auth_switch_request, append_auth_switch_request), 1},
      {"change user auth switch", kChangeUserAuthSwitch, 23,
       rt(decode_auth_switch_request, append_auth_switch_request), 1},
      {"auth switch response", kAuthSwitchResponse, 0,
       rt(decode_auth_switch_response, append_auth_switch_response)},
      {"cli ok", kCliOk, kWhole, ok_rt(kCliCaps)},
      {"ok schema tracked", kOkSchemaTracked, kWhole, ok_rt(kCliCaps)},
      {"ok autocommit tracked", kOkAutocommitTracked, kWhole, ok_rt(kCliCaps)},
      {"ok init db tracked", kOkInitDbTracked, kWhole, ok_rt(kCliCaps)},
      {"ok after auth switch", kOkAfterAuthSwitch, kWhole, ok_rt(kScriptCaps)},
      {"ok state change tracked", kOkStateChangeTracked, kWhole, ok_rt(kScriptCaps)},
      {"ok autocommit+state", kOkAutocommitStateTracked, kWhole, ok_rt(kScriptCaps)},
      {"ok trx characteristics", kOkTransactionCharacteristics, kWhole, ok_rt(kScriptCaps)},
      {"ok insert trx state", kOkInsertTransactionState, kWhole, ok_rt(kScriptCaps)},
      {"ok last gtid", kOkLastGtidTracked, kWhole, ok_rt(kScriptCaps)},
      {"ok ping", kOkPing, kWhole, ok_rt(kScriptCaps)},
      {"ok after change user", kOkAfterChangeUser, kWhole, ok_rt(kScriptCaps)},
      {"ok end of rows", kOkEndOfRowsTracked, kWhole, eof_ok_rt(kScriptDeprecateEofCaps)},
      {"ok end of binary rows", kOkEndOfBinaryRows, kWhole, eof_ok_rt(kScriptDeprecateEofCaps)},
      {"ok end set option", kOkEndSetOption, kWhole, eof_ok_rt(kScriptDeprecateEofCaps)},
      {"cli eof", kCliEof, kWhole, eof_rt(kCliCaps)},
      {"eof after columns", kEofAfterColumns, kWhole, eof_rt(kScriptCaps)},
      {"eof after rows", kEofAfterRows, kWhole, eof_rt(kScriptCaps)},
      {"eof set option", kEofSetOption, kWhole, eof_rt(kScriptCaps)},
      {"err access denied", kErrAccessDenied, 9, err_rt(kCliCaps)},
      {"err unknown table", kErrUnknownTable, 9, err_rt(kCliCaps)},
      {"err unknown thread", kErrUnknownThread, 9, err_rt(kScriptCaps)},
      {"column count", kCliColumnCount, kWhole, column_count},
      {"column id (ext type info)", kCliColumnId, kWhole, column_rt(kCliMariadbCaps)},
      {"column name (ext type info)", kCliColumnName, kWhole, column_rt(kCliMariadbCaps)},
      {"column price (ext type info)", kCliColumnPrice, kWhole, column_rt(kCliMariadbCaps)},
      {"column made (ext type info)", kCliColumnMade, kWhole, column_rt(kCliMariadbCaps)},
      {"column note (ext type info)", kCliColumnNote, kWhole, column_rt(kCliMariadbCaps)},
      {"param definition", kParamDefinition, kWhole, column_rt(0)},
      {"cli text row", kCliTextRow1, kWhole, text_row},
      {"cli text row with nulls", kCliTextRow2, kWhole, text_row},
      {"text row with null", kTextRowWithNull, kWhole, text_row},
      {"text row mostly null", kTextRowAllNull, kWhole, text_row},
      {"binary row", kBinaryRow1, kWhole, binary_row},
      {"binary row with nulls", kBinaryRow2, kWhole, binary_row},
      {"stmt prepare ok", kStmtPrepareOk, kWhole, prepare_ok},
      {"stmt prepare ok (no eof)", kDeprecateEofStmtPrepareOk, kWhole, prepare_ok},
      {"cli query", kCliQuery, 1, query},
      {"query unknown table", kQueryUnknownTable, 1, query},
      {"init db", kCliInitDb, 1, rt(decode_init_db, append_init_db)},
      {"quit", kQuit, kWhole, simple_rt(Command::kQuit)},
      {"cli quit", kCliQuit, kWhole, simple_rt(Command::kQuit)},
      {"ping", kPing, kWhole, simple_rt(Command::kPing)},
      {"statistics", kStatistics, kWhole, simple_rt(Command::kStatistics)},
      {"reset connection", kResetConnection, kWhole, simple_rt(Command::kResetConnection)},
      {"process kill", kProcessKill, kWhole, rt(decode_process_kill, append_process_kill)},
      {"set option", kSetOption, kWhole, rt(decode_set_option, append_set_option)},
      {"stmt prepare", kStmtPrepare, 1, rt(decode_stmt_prepare, append_stmt_prepare)},
      {"stmt execute", kStmtExecute, kWhole, execute},
      {"stmt send long data", kStmtSendLongData, 7,
       rt(decode_stmt_send_long_data, append_stmt_send_long_data)},
      {"stmt close", kStmtClose, kWhole, rt(decode_stmt_close, append_stmt_close)},
      {"stmt reset", kStmtReset, kWhole, rt(decode_stmt_reset, append_stmt_reset)},
      {"change user", kChangeUser, kWhole, change_user},
  };
}

class CapturedFrame : public ::testing::TestWithParam<Case> {};

TEST_P(CapturedFrame, DecodesAndReencodesByteExact) {
  const Bytes frame = from_hex(GetParam().frame_hex);
  const auto decoded = decode_frame(frame);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->size(), frame.size());
  Bytes out;
  ASSERT_EQ(GetParam().round_trip(decoded->payload, out), std::error_code{});
  EXPECT_EQ(out, Bytes(decoded->payload.begin(), decoded->payload.end()));

  Bytes reframed;
  std::uint8_t sequence_id = decoded->header.sequence_id;
  append_frames(reframed, sequence_id, out);
  EXPECT_EQ(reframed, frame);
}

TEST_P(CapturedFrame, EveryProperFramePrefixNeedsMoreBytes) {
  const Bytes frame = from_hex(GetParam().frame_hex);
  for (std::size_t n = 0; n < frame.size(); ++n) {
    const auto decoded = decode_frame(std::span(frame).first(n));
    ASSERT_FALSE(decoded.has_value()) << n;
    EXPECT_EQ(decoded.error(), CodecErrc::kNeedMoreBytes) << n;
  }
}

TEST_P(CapturedFrame, ProperPayloadPrefixesNeedMoreBytes) {
  const Bytes payload = payload_of(GetParam().frame_hex);
  for (std::size_t n = 0; n < payload.size() && n < GetParam().need_more_below; ++n) {
    Bytes out;
    const auto expected =
        n == GetParam().other_message_at ? CodecErrc::kUnsupported : CodecErrc::kNeedMoreBytes;
    EXPECT_EQ(GetParam().round_trip(std::span(payload).first(n), out), expected)
        << "prefix of " << n << " bytes";
  }
}

INSTANTIATE_TEST_SUITE_P(MariaDb1011, CapturedFrame, ::testing::ValuesIn(cases()),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           for (auto& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace grouter::mysql_wire::testing
