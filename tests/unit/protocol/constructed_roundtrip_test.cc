// Round trips of values built by hand for variants the MariaDB captures do not show: MySQL-style
// greetings and responses, pre-4.1 layouts, MySQL's GTID tracker, NULL parameters and reused types.
#include <gtest/gtest.h>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/binary_row.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "protocol/mysql_wire/stmt_commands.h"
#include "tests/unit/protocol/test_bytes.h"

namespace grouter::mysql_wire::testing {
namespace {

using namespace capability;

TEST(Constructed, MysqlGreetingHasNoExtendedCapabilities) {
  ServerGreeting g{.server_version = "8.0.36",
                   .connection_id = 7,
                   .nonce = Bytes(20, 0x41),
                   .capabilities = kLongPassword | kProtocol41 | kSecureConnection | kPluginAuth,
                   .charset = 255,
                   .status_flags = 2,
                   .mariadb_capabilities = 0,
                   .auth_plugin_name = "caching_sha2_password"};
  Bytes out;
  append_server_greeting(out, g);
  EXPECT_EQ(out[out.size() - 22 - 13 - 1], 0);  // last filler byte: MySQL's 10 zero bytes
  EXPECT_EQ(decode_server_greeting(out), g);
}

TEST(Constructed, HandshakeResponseWithoutLenencAuthAndWithZstd) {
  HandshakeResponse r{.capabilities = kLongPassword | kProtocol41 | kSecureConnection |
                                      kPluginAuth | kConnectWithDb | kZstdCompression,
                      .max_packet_size = 1 << 24,
                      .charset = 33,
                      .mariadb_capabilities = 0,
                      .user = "app",
                      .auth_response = Bytes(20, 0x5a),
                      .schema = "shop",
                      .auth_plugin_name = "mysql_native_password",
                      .attributes = {},
                      .zstd_level = 3};
  Bytes out;
  append_handshake_response(out, r);
  EXPECT_EQ(decode_handshake_response(out), r);
}

TEST(Constructed, ErrAndEofWithoutProtocol41) {
  const ErrPacket err{.error_code = 1040, .sql_state = "", .message = "Too many connections"};
  Bytes out;
  append_err_payload(out, err, 0);
  EXPECT_EQ(out, Bytes({0xff, 0x10, 0x04, 'T', 'o', 'o', ' ', 'm', 'a', 'n', 'y', ' ',
                        'c',  'o',  'n',  'n', 'e', 'c', 't', 'i', 'o', 'n', 's'}));
  EXPECT_EQ(decode_err_payload(out, 0), err);
  // Sent before the handshake, a 4.1 reader meets no '#': the state stays empty.
  EXPECT_EQ(decode_err_payload(out, kProtocol41), err);

  Bytes eof;
  append_eof_payload(eof, {.warnings = 0, .status_flags = 0}, 0);
  EXPECT_EQ(eof, from_hex("fe"));
  EXPECT_TRUE(decode_eof_payload(eof, 0).has_value());
}

TEST(Constructed, ErrWritesHashAndState) {
  Bytes out;
  append_err_payload(out, {.error_code = 2003, .sql_state = "HY000", .message = "x"}, kProtocol41);
  EXPECT_EQ(out, from_hex("ffd30723485930303078"));
}

TEST(Constructed, OkWithMysqlGtidsAndUnknownTracker) {
  const std::uint32_t caps = kProtocol41 | kSessionTrack;
  const OkPacket ok{
      .affected_rows = 300,
      .last_insert_id = 70000,
      .status_flags = server_status::kAutocommit | server_status::kSessionStateChanged,
      .warnings = 1,
      .info = "Rows matched: 1",
      .session_state = {TrackedGtids{.encoding = 0, .gtids = "uuid:1-5"},
                        TrackedOther{.type = 42, .data = from_hex("0102")}}};
  Bytes out;
  append_ok_payload(out, ok, caps);
  EXPECT_EQ(decode_ok_payload(out, caps), ok);
}

TEST(Constructed, OkWithoutSessionTrackOrProtocol41) {
  const OkPacket ok{.affected_rows = 1,
                    .last_insert_id = 0,
                    .status_flags = 2,
                    .warnings = 0,
                    .info = "info",
                    .session_state = {}};
  for (std::uint32_t caps : {kProtocol41, kTransactions, 0u}) {
    Bytes out;
    append_ok_payload(out, ok, caps);
    auto expected = ok;
    if (caps == 0) expected.status_flags = 0;
    EXPECT_EQ(decode_ok_payload(out, caps), expected) << caps;
  }
}

TEST(Constructed, ExecuteWithNullsAndReusedTypes) {
  const std::vector<ParamType> types = {
      {ColumnType::kLong, 0}, {ColumnType::kVarString, 0}, {ColumnType::kDate, 0}};
  const ComStmtExecute first{.statement_id = 9,
                             .flags = 0,
                             .iteration_count = 1,
                             .new_params_bound = true,
                             .param_types = types,
                             .values = {from_hex("2a000000"), std::nullopt, from_hex("e8070301")}};
  Bytes out;
  append_stmt_execute(out, first);
  EXPECT_EQ(decode_stmt_execute(out, 3), first);

  ComStmtExecute again = first;
  again.new_params_bound = false;
  again.param_types.clear();
  again.values = {std::nullopt, from_text("abc"), std::nullopt};
  Bytes out2;
  append_stmt_execute(out2, again, types);
  EXPECT_EQ(decode_stmt_execute(out2, 3, types), again);
  EXPECT_EQ(decode_stmt_execute(out2, 3).error(), CodecErrc::kInvalidInput);
}

TEST(Constructed, BinaryRowOfEveryLayout) {
  const std::vector<ColumnType> types = {
      ColumnType::kTiny,   ColumnType::kShort,    ColumnType::kLongLong,
      ColumnType::kDouble, ColumnType::kTime,     ColumnType::kNull,
      ColumnType::kJson,   ColumnType::kGeometry, ColumnType::kFloat};
  const BinaryRow row{.values = {from_hex("01"), from_hex("0200"), Bytes(8, 3), Bytes(8, 4),
                                 from_hex("0000000000010203"), std::nullopt, from_text("{}"),
                                 Bytes(300, 7), from_hex("0000803f")}};
  Bytes out;
  append_binary_row(out, row, types);
  EXPECT_EQ(decode_binary_row(out, types), row);
}

TEST(Constructed, QueryWithoutAttributesUnderQueryAttributes) {
  Bytes out;
  append_query(out, {.query = "SELECT 1"}, kQueryAttributes);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 3), from_hex("030001"));
  EXPECT_EQ(decode_query(out, kQueryAttributes)->query, "SELECT 1");
}

TEST(Constructed, AuthMoreDataFastAuthOk) {
  Bytes out;
  append_auth_more_data(out, {.data = {kCachingSha2FastAuthOk}});
  EXPECT_EQ(out, from_hex("0103"));
  EXPECT_EQ(decode_auth_more_data(out)->data, Bytes{kCachingSha2FastAuthOk});
}

}  // namespace
}  // namespace grouter::mysql_wire::testing
