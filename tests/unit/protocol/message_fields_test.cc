// What the captured MariaDB 10.11 messages decode to, field by field.
#include <gtest/gtest.h>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/binary_row.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/change_user.h"
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

TEST(CapturedGreeting, IsMariaDbWithExtendedCapabilities) {
  const auto g = decode_server_greeting(payload_of(kCliGreeting));
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(g->server_version.starts_with("5.5.5-10.11"));
  EXPECT_EQ(g->nonce.size(), 20u);
  EXPECT_TRUE(has_mariadb_extended_capabilities(g->capabilities));
  EXPECT_TRUE(g->capabilities & capability::kProtocol41);
  EXPECT_TRUE(g->capabilities & capability::kSsl);
  EXPECT_TRUE(g->mariadb_capabilities & mariadb_capability::kCacheMetadata);
  EXPECT_TRUE(g->mariadb_capabilities & mariadb_capability::kStmtBulkOperations);
  EXPECT_EQ(g->status_flags, server_status::kAutocommit);
  EXPECT_EQ(g->auth_plugin_name, "mysql_native_password");
}

TEST(CapturedHandshakeResponse, CarriesUserSchemaPluginAndAttributes) {
  const auto r = decode_handshake_response(payload_of(kCliHandshakeResponseWithDb));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->capabilities & capability::kConnectWithDb, capability::kConnectWithDb);
  EXPECT_EQ(r->mariadb_capabilities, kCliMariadbCaps);
  EXPECT_EQ(r->user, "codec");
  EXPECT_EQ(r->auth_response.size(), 20u);
  EXPECT_EQ(r->schema, "t");
  EXPECT_EQ(r->auth_plugin_name, "mysql_native_password");
  ASSERT_FALSE(r->attributes.empty());
  EXPECT_EQ(r->attributes.front().first, "_os");
}

TEST(CapturedHandshakeResponse, ClientCapabilitiesOfTheCaptures) {
  EXPECT_EQ(decode_handshake_response(payload_of(kCliHandshakeResponse))->capabilities, kCliCaps);
  EXPECT_EQ(decode_handshake_response(payload_of(kScriptHandshakeResponse))->capabilities,
            kScriptCaps);
  EXPECT_EQ(decode_handshake_response(payload_of(kDeprecateEofHandshakeResponse))->capabilities,
            kScriptDeprecateEofCaps);
}

TEST(CapturedSslRequest, IsRecognisedAndDecoded) {
  const Bytes payload = payload_of(kSslRequest);
  EXPECT_TRUE(is_ssl_request(payload));
  EXPECT_FALSE(is_ssl_request(payload_of(kCliHandshakeResponse)));
  const auto r = decode_ssl_request(payload);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->capabilities & capability::kSsl);
  EXPECT_EQ(r->mariadb_capabilities, kCliMariadbCaps);
}

TEST(CapturedErr, AccessDeniedAndUnknownTable) {
  const auto denied = decode_err_payload(payload_of(kErrAccessDenied), kCliCaps);
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->error_code, 1045);
  EXPECT_EQ(denied->sql_state, "28000");
  EXPECT_EQ(denied->message, "Access denied for user 'codec'@'localhost' (using password: YES)");
  const auto table = decode_err_payload(payload_of(kErrUnknownTable), kCliCaps);
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->error_code, 1146);
  EXPECT_EQ(table->sql_state, "42S02");
}

TEST(CapturedOk, SessionTrackingOfSchemaVariablesGtidAndTransaction) {
  const auto schema = decode_ok_payload(payload_of(kOkInitDbTracked), kCliCaps);
  ASSERT_TRUE(schema.has_value());
  EXPECT_EQ(schema->session_state,
            std::vector<SessionStateEntry>{TrackedSchema{.schema = "mysql"}});

  const auto gtid = decode_ok_payload(payload_of(kOkLastGtidTracked), kScriptCaps);
  ASSERT_TRUE(gtid.has_value());
  ASSERT_EQ(gtid->session_state.size(), 2u);
  const auto& variable = std::get<TrackedSystemVariable>(gtid->session_state[0]);
  EXPECT_EQ(variable.name, "last_gtid");
  EXPECT_TRUE(variable.value.starts_with("0-1-"));
  EXPECT_EQ(std::get<TrackedTransactionState>(gtid->session_state[1]).state, "________");

  const auto state = decode_ok_payload(payload_of(kOkAutocommitStateTracked), kScriptCaps);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->session_state,
            (std::vector<SessionStateEntry>{TrackedSystemVariable{"autocommit", "OFF"},
                                            TrackedStateChange{"1"}}));

  const auto characteristics =
      decode_ok_payload(payload_of(kOkTransactionCharacteristics), kScriptCaps);
  ASSERT_TRUE(characteristics.has_value());
  EXPECT_TRUE(characteristics->status_flags & server_status::kInTrans);
  EXPECT_EQ(
      std::get<TrackedTransactionCharacteristics>(characteristics->session_state[1]).statements,
      "START TRANSACTION READ ONLY;");
}

TEST(CapturedOk, InsertReportsAffectedRows) {
  const auto ok = decode_ok_payload(payload_of(kOkInsertTransactionState), kScriptCaps);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->affected_rows, 1u);
  EXPECT_TRUE(ok->status_flags & server_status::kInTrans);
}

TEST(CapturedResultSet, EndMarkersWithAndWithoutDeprecateEof) {
  EXPECT_TRUE(is_end_of_rows(payload_of(kEofAfterRows), kScriptCaps));
  EXPECT_TRUE(is_end_of_rows(payload_of(kOkEndOfRowsTracked), kScriptDeprecateEofCaps));
  EXPECT_FALSE(is_end_of_rows(payload_of(kOkEndOfRowsTracked), kScriptCaps));  // 20 bytes: a row
  EXPECT_FALSE(is_end_of_rows(payload_of(kTextRowWithNull), kScriptCaps));
  const auto end = decode_ok_payload(payload_of(kOkEndOfRowsTracked), kScriptDeprecateEofCaps);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(std::get<TrackedTransactionState>(end->session_state[0]).state, "I_R___S_");
}

TEST(CapturedResultSet, TextRowsAndColumnDefinitions) {
  const auto column = decode_column_definition(payload_of(kCliColumnPrice), kCliMariadbCaps);
  ASSERT_TRUE(column.has_value());
  EXPECT_EQ(column->schema, "t");
  EXPECT_EQ(column->table, "items");
  EXPECT_EQ(column->name, "price");
  EXPECT_EQ(column->type, ColumnType::kNewDecimal);
  EXPECT_EQ(column->decimals, 2);
  const auto row = decode_text_row(payload_of(kCliTextRow2), 5);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->values, (std::vector<std::optional<std::string>>{"2", std::nullopt, std::nullopt,
                                                                  std::nullopt, "x"}));
  EXPECT_EQ(decode_column_count(payload_of(kCliColumnCount), kCliCaps, kCliMariadbCaps)->count, 5u);
}

TEST(CapturedPreparedStatement, PrepareExecuteAndBinaryRows) {
  const auto ok = decode_stmt_prepare_ok(payload_of(kStmtPrepareOk), kScriptCaps);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->column_count, 5);
  EXPECT_EQ(ok->param_count, 1);
  const auto execute = decode_stmt_execute(payload_of(kStmtExecute), ok->param_count);
  ASSERT_TRUE(execute.has_value());
  EXPECT_EQ(execute->statement_id, ok->statement_id);
  ASSERT_EQ(execute->param_types.size(), 1u);
  EXPECT_EQ(execute->param_types[0].type, ColumnType::kLongLong);
  EXPECT_EQ(execute->values[0], from_hex("0200000000000000"));

  const std::vector<ColumnType> types = {ColumnType::kLong, ColumnType::kVarString,
                                         ColumnType::kNewDecimal, ColumnType::kDatetime,
                                         ColumnType::kBlob};
  const auto row1 = decode_binary_row(payload_of(kBinaryRow1), types);
  ASSERT_TRUE(row1.has_value());
  EXPECT_EQ(row1->values[0], from_hex("01000000"));
  EXPECT_EQ(row1->values[1], from_text("apple"));
  EXPECT_EQ(row1->values[2], from_text("1.25"));
  EXPECT_EQ(row1->values[3], from_hex("e80703010a141e"));  // 2024-03-01 10:20:30
  EXPECT_EQ(row1->values[4], std::nullopt);
  const auto row2 = decode_binary_row(payload_of(kBinaryRow2), types);
  ASSERT_TRUE(row2.has_value());
  EXPECT_EQ(row2->values[1], std::nullopt);
  EXPECT_EQ(row2->values[4], from_text("x"));
}

TEST(CapturedCommands, ChangeUserKillAndSetOption) {
  const auto change = decode_change_user(payload_of(kChangeUser), kScriptCaps);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->user, "codec");
  EXPECT_EQ(change->schema, "t");
  EXPECT_EQ(change->charset, 45);
  EXPECT_EQ(change->auth_plugin_name, "caching_sha2_password");
  EXPECT_EQ(decode_process_kill(payload_of(kProcessKill))->connection_id, 999999u);
  EXPECT_EQ(decode_set_option(payload_of(kSetOption))->option, kMultiStatementsOff);
  EXPECT_EQ(*decode_command_byte(payload_of(kCliInitDb)), Command::kInitDb);
  EXPECT_EQ(decode_init_db(payload_of(kCliInitDb))->schema, "mysql");
  EXPECT_EQ(decode_stmt_send_long_data(payload_of(kStmtSendLongData))->data,
            from_text("long data"));
}

}  // namespace
}  // namespace grouter::mysql_wire::testing
