// The exchange tracker on constructed exchanges, under each way capabilities shape replies (EOF or
// CLIENT_DEPRECATE_EOF, MySQL or MariaDB with cache metadata and progress reports): text result
// sets, every proper split point of each reply, errors amid result sets, multi-results with an ERR
// amid them, LOCAL INFILE accepted and refused, the commands with simple or no replies,
// COM_CHANGE_USER, refused commands, pipelining, broken streams, continued 16 MiB payloads,
// session state. Prepared statements: exchange_statements_test.cc.
#include "routing/exchange_tracker.h"

#include <gtest/gtest.h>

#include "protocol/mysql_wire/change_user.h"
#include "protocol/mysql_wire/frame.h"
#include "routing/exchange_error.h"
#include "tests/unit/routing/exchange_payloads.h"

namespace grouter::routing {
namespace {

using namespace grouter::routing::testing;

class ExchangeTrackerTest : public ExchangeTest {};

INSTANTIATE_TEST_SUITE_P(Capabilities, ExchangeTrackerTest, kVariants, variant_name);

TEST_P(ExchangeTrackerTest, QueryOkErrAndResultSet) {
  EXPECT_TRUE(tracker_.idle());
  send_command(tracker_, make_.query("INSERT INTO t VALUES (1)"));
  EXPECT_FALSE(tracker_.idle());
  feed_reply(tracker_, {make_.ok(kIdle, 3)});
  EXPECT_TRUE(tracker_.idle());
  EXPECT_EQ(tracker_.facts().affected_rows, 3u);
  EXPECT_EQ(tracker_.last_outcome().results, 1u);

  send_command(tracker_, make_.query("SELEC"));
  feed_reply(tracker_, {make_.err(1064)});
  EXPECT_EQ(tracker_.last_outcome().error_code, 1064);
  EXPECT_EQ(tracker_.facts().last_error_code, 1064);

  send_command(tracker_, make_.query("SELECT a, b FROM t"));
  feed_reply(tracker_, make_.result_set(2, 3));
  EXPECT_TRUE(tracker_.idle());
  EXPECT_EQ(tracker_.last_outcome().result_sets, 1u);
  EXPECT_EQ(tracker_.last_outcome().rows, 3u);
  EXPECT_FALSE(tracker_.broken());
}

TEST_P(ExchangeTrackerTest, ResultSetWithoutRows) {
  send_command(tracker_, make_.query("SELECT a FROM t WHERE 0"));
  feed_reply(tracker_, make_.result_set(1, 0));
  EXPECT_EQ(tracker_.last_outcome().rows, 0u);
}

TEST_P(ExchangeTrackerTest, ErrAmidRowsEndsTheResponse) {
  send_command(tracker_, make_.query("SELECT a FROM big"));
  Payloads reply = make_.result_set(1, 2);
  reply.back() = make_.err(1317);  // query execution was interrupted
  feed_reply(tracker_, reply);
  EXPECT_EQ(tracker_.last_outcome().error_code, 1317);
  EXPECT_EQ(tracker_.last_outcome().rows, 2u);
  send_command(tracker_, make_.simple(Command::kPing));
  feed_reply(tracker_, {make_.ok()});
}

TEST_P(ExchangeTrackerTest, MultiResultsChainUntilTheLastStatus) {
  send_command(tracker_, make_.query("INSERT ...; SELECT ...; SELECT ...; UPDATE ..."));
  feed_reply(tracker_, Payloads{make_.ok(kMore, 1)} + make_.result_set(1, 1, kMore) +
                           make_.result_set(2, 0, kMore) + Payloads{make_.ok(kIdle, 4)});
  EXPECT_EQ(tracker_.last_outcome().results, 4u);
  EXPECT_EQ(tracker_.last_outcome().result_sets, 2u);
  EXPECT_EQ(tracker_.facts().affected_rows, 4u);
}

TEST_P(ExchangeTrackerTest, ErrAmidMultiResultsEndsTheChain) {
  send_command(tracker_, make_.query("SELECT 1; SELEC; SELECT 3"));
  feed_reply(tracker_, make_.result_set(1, 1, kMore) + Payloads{make_.err(1064)});
  EXPECT_TRUE(tracker_.idle());
  EXPECT_EQ(tracker_.last_outcome().error_code, 1064);
  send_command(tracker_, make_.query("SELECT 4"));
  feed_reply(tracker_, make_.result_set(1, 1));
}

TEST_P(ExchangeTrackerTest, LocalInfileAccepted) {
  send_command(tracker_, make_.query("LOAD DATA LOCAL INFILE 'x.csv' INTO TABLE t"));
  Bytes request{0xfb, 'x', '.', 'c', 's', 'v'};
  feed_reply(tracker_, {request}, ResponseProgress::kInfileRequested);
  EXPECT_TRUE(tracker_.awaiting_infile_data());
  EXPECT_EQ(tracker_.on_command(make_.simple(Command::kPing)).error(),
            make_error_code(ExchangeErrc::kCommandNotAllowed));
  EXPECT_EQ(tracker_.on_client_payload(Bytes{'1', ',', 'a', '\n'})->kind,
            ClientPayloadKind::kInfileData);
  EXPECT_EQ(tracker_.on_client_payload(Bytes{'2', ',', 'b', '\n'})->kind,
            ClientPayloadKind::kInfileData);
  EXPECT_EQ(tracker_.on_client_payload(Bytes{})->kind, ClientPayloadKind::kInfileEnd);
  feed_reply(tracker_, {make_.ok(kIdle, 2)});
  EXPECT_TRUE(tracker_.last_outcome().infile);
  EXPECT_EQ(tracker_.facts().affected_rows, 2u);
}

TEST_P(ExchangeTrackerTest, LocalInfileRefusedByTheClient) {
  send_command(tracker_, make_.query("LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t"));
  feed_reply(tracker_, {Bytes{0xfb, '/'}}, ResponseProgress::kInfileRequested);
  EXPECT_EQ(tracker_.on_client_payload(Bytes{})->kind, ClientPayloadKind::kInfileEnd);
  feed_reply(tracker_, {make_.err(2)});  // file not found
  EXPECT_TRUE(tracker_.idle());
}

TEST_P(ExchangeTrackerTest, LocalInfileInsideMultiStatements) {
  send_command(tracker_, make_.query("DELETE ...; LOAD DATA LOCAL INFILE 'x' ...; SELECT ..."));
  feed_reply(tracker_, {make_.ok(kMore), Bytes{0xfb, 'x'}}, ResponseProgress::kInfileRequested);
  EXPECT_EQ(tracker_.on_client_payload(Bytes{'a'})->kind, ClientPayloadKind::kInfileData);
  EXPECT_EQ(tracker_.on_client_payload(Bytes{})->kind, ClientPayloadKind::kInfileEnd);
  feed_reply(tracker_, Payloads{make_.ok(kMore, 1)} + make_.result_set(1, 1));
  EXPECT_EQ(tracker_.last_outcome().results, 3u);
}

TEST_P(ExchangeTrackerTest, LocalInfileWithoutTheCapabilityBreaks) {
  ExchangeTracker t(GetParam().caps & ~wire::capability::kLocalFiles, GetParam().mariadb_caps);
  send_command(t, make_.query("LOAD DATA LOCAL INFILE 'x' INTO TABLE t"));
  auto progress = t.on_server_payload(Bytes{0xfb, 'x'});
  EXPECT_EQ(progress.error(), make_error_code(ExchangeErrc::kUnexpectedPayload));
  EXPECT_TRUE(t.broken());
  EXPECT_EQ(t.on_server_payload(make_.ok()).error(), make_error_code(ExchangeErrc::kBroken));
}

TEST_P(ExchangeTrackerTest, CommandsWithoutReply) {
  Bytes long_data;
  wire::append_stmt_send_long_data(long_data, wire::ComStmtSendLongData{1, 0, Bytes{1, 2, 3}});
  send_command(tracker_, long_data, false);
  EXPECT_TRUE(tracker_.idle());
  send_command(tracker_, make_.close(1), false);
  EXPECT_TRUE(tracker_.idle());
  send_command(tracker_, make_.simple(Command::kQuit), false);
  EXPECT_TRUE(tracker_.ended());
  EXPECT_EQ(tracker_.on_command(make_.simple(Command::kPing)).error(),
            make_error_code(ExchangeErrc::kEnded));
}

TEST_P(ExchangeTrackerTest, SimpleReplies) {
  Bytes init_db, kill, set_option;
  wire::append_init_db(init_db, wire::ComInitDb{"shop"});
  wire::append_process_kill(kill, wire::ComProcessKill{42});
  wire::append_set_option(set_option, wire::ComSetOption{wire::kMultiStatementsOff});
  send_command(tracker_, make_.simple(Command::kPing));
  feed_reply(tracker_, {make_.ok()});
  send_command(tracker_, init_db);
  feed_reply(tracker_, {make_.ok()});
  EXPECT_EQ(tracker_.facts().schema, "shop");
  send_command(tracker_, set_option);
  feed_reply(tracker_, {make_.end()});  // MariaDB answers COM_SET_OPTION with EOF
  send_command(tracker_, kill);
  feed_reply(tracker_, {make_.err(1094)});
  send_command(tracker_, make_.simple(Command::kDebug));
  feed_reply(tracker_, {make_.end()});
  send_command(tracker_, make_.simple(Command::kRefresh));
  feed_reply(tracker_, {make_.ok()});
  send_command(tracker_, make_.simple(Command::kResetConnection));
  feed_reply(tracker_, {make_.ok()});
  EXPECT_EQ(tracker_.facts().schema, "shop");  // reset keeps the schema
  EXPECT_FALSE(tracker_.broken());
}

TEST_P(ExchangeTrackerTest, FailedInitDbKeepsTheSchema) {
  ASSERT_TRUE(tracker_.on_login_ok(make_.ok(), "app"));
  Bytes init_db;
  wire::append_init_db(init_db, wire::ComInitDb{"nosuch"});
  send_command(tracker_, init_db);
  feed_reply(tracker_, {make_.err(1049)});
  EXPECT_EQ(tracker_.facts().schema, "app");
}

TEST_P(ExchangeTrackerTest, StatisticsIsOneStringPacket) {
  send_command(tracker_, make_.simple(Command::kStatistics));
  const std::string text = "Uptime: 12  Threads: 1  Questions: 5";
  feed_reply(tracker_, {Bytes(text.begin(), text.end())});
}

TEST_P(ExchangeTrackerTest, FieldListIsDefinitionsThenEnd) {
  send_command(tracker_, Bytes{wire::command_byte(Command::kFieldList), 't', 0});
  feed_reply(tracker_, {make_.column("a"), make_.column("b"), make_.end()});
  send_command(tracker_, Bytes{wire::command_byte(Command::kFieldList), 'x', 0});
  feed_reply(tracker_, {make_.err(1146)});
}

TEST_P(ExchangeTrackerTest, ChangeUserIsAnAuthExchange) {
  send_command(tracker_, make_.prepare("SELECT 1"));
  feed_reply(tracker_, {make_.prepare_ok(1, 0, 0)});
  wire::ComChangeUser change;
  change.user = "other";
  change.schema = "db2";
  change.auth_plugin_name = "mysql_native_password";
  Bytes payload;
  wire::append_change_user(payload, change, GetParam().caps);
  auto info = tracker_.on_client_payload(payload);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->command.auth_exchange);
  EXPECT_TRUE(tracker_.in_auth_exchange());
  EXPECT_EQ(tracker_.on_command(make_.simple(Command::kPing)).error(),
            make_error_code(ExchangeErrc::kCommandNotAllowed));
  Bytes auth_switch{0xfe, 'm', 'y', 's', 'q', 'l', 0, 1, 2, 3};
  feed_reply(tracker_, {auth_switch}, ResponseProgress::kMore);
  EXPECT_EQ(tracker_.on_client_payload(Bytes(20, 7))->kind, ClientPayloadKind::kAuthData);
  feed_reply(tracker_, {Bytes{0x01, 0x03}}, ResponseProgress::kMore);  // more data
  feed_reply(tracker_, {make_.ok()});
  EXPECT_FALSE(tracker_.in_auth_exchange());
  EXPECT_EQ(tracker_.facts().schema, "db2");
  EXPECT_EQ(tracker_.statements().size(), 0u);  // the server dropped them

  ASSERT_TRUE(tracker_.on_client_payload(payload));
  feed_reply(tracker_, {make_.err(1045)});
  EXPECT_TRUE(tracker_.idle());
}

TEST_P(ExchangeTrackerTest, ChangeUserIsNeverPipelined) {
  send_command(tracker_, make_.simple(Command::kPing));
  wire::ComChangeUser change;
  change.user = "other";
  Bytes payload;
  wire::append_change_user(payload, change, GetParam().caps);
  EXPECT_EQ(tracker_.on_command(payload).error(),
            make_error_code(ExchangeErrc::kCommandNotAllowed));
  EXPECT_EQ(tracker_.pending_commands(), 1u);
}

TEST_P(ExchangeTrackerTest, UnsupportedCommandsAreRefusedAndChangeNothing) {
  for (std::uint8_t command :
       {wire::command_byte(Command::kBinlogDump), wire::command_byte(Command::kBinlogDumpGtid),
        wire::command_byte(Command::kRegisterSlave), wire::command_byte(Command::kTableDump),
        wire::command_byte(Command::kSleep), wire::command_byte(Command::kDaemon),
        std::uint8_t{0xfe}, std::uint8_t{0x20}}) {
    SCOPED_TRACE(static_cast<int>(command));
    EXPECT_EQ(tracker_.on_command(Bytes{command, 0, 0, 0, 0}).error(),
              make_error_code(ExchangeErrc::kUnsupportedCommand));
    EXPECT_TRUE(tracker_.idle());
    EXPECT_FALSE(tracker_.broken());
  }
  EXPECT_EQ(tracker_.on_command(Bytes{}).error(),
            make_error_code(ExchangeErrc::kCommandNotAllowed));
  send_command(tracker_, make_.simple(Command::kPing));
  feed_reply(tracker_, {make_.ok()});
}

TEST_P(ExchangeTrackerTest, ProgressReportsAreNotAnEnd) {
  send_command(tracker_, make_.query("ALTER TABLE t ADD c INT"));
  feed_reply(tracker_, {make_.progress(), make_.progress(), make_.ok()});
  send_command(tracker_, make_.query("SELECT 1"));
  feed_reply(tracker_, Payloads{make_.progress()} + make_.result_set(1, 1));
  EXPECT_EQ(tracker_.facts().errors, 0u);
}

TEST_P(ExchangeTrackerTest, PipelineIsBounded) {
  for (std::size_t i = 0; i < ExchangeTracker::kMaxPendingCommands; ++i) {
    ASSERT_TRUE(tracker_.on_command(make_.simple(Command::kPing)));
  }
  EXPECT_EQ(tracker_.on_command(make_.simple(Command::kPing)).error(),
            make_error_code(ExchangeErrc::kPipelineFull));
  for (std::size_t i = 0; i < ExchangeTracker::kMaxPendingCommands; ++i) {
    ASSERT_EQ(tracker_.on_server_payload(make_.ok()), ResponseProgress::kComplete);
  }
  EXPECT_TRUE(tracker_.idle());
}

// Connector/J's executeBatch() with its defaults (useBatchMultiSend, useBatchMultiSendNumber =
// 100): a hundred INSERTs sent before the first reply.
TEST_P(ExchangeTrackerTest, PipelineOfAConnectorJBatch) {
  constexpr std::size_t kBatch = 100;
  for (std::size_t i = 0; i < kBatch; ++i) {
    ASSERT_TRUE(
        tracker_.on_command(make_.query("INSERT INTO t VALUES (" + std::to_string(i) + ")")))
        << "command " << i;
  }
  EXPECT_EQ(tracker_.pending_commands(), kBatch);
  for (std::size_t i = 0; i < kBatch; ++i) {
    ASSERT_EQ(tracker_.on_server_payload(make_.ok(kIdle, 1)), ResponseProgress::kComplete);
  }
  EXPECT_TRUE(tracker_.idle());
  EXPECT_FALSE(tracker_.broken());
}

TEST_P(ExchangeTrackerTest, LocalInfileWithCommandsBehindBreaks) {
  send_command(tracker_, make_.query("LOAD DATA LOCAL INFILE 'x' INTO TABLE t"));
  send_command(tracker_, make_.simple(Command::kPing));
  EXPECT_EQ(tracker_.on_server_payload(Bytes{0xfb, 'x'}).error(),
            make_error_code(ExchangeErrc::kUnexpectedPayload));
}

TEST_P(ExchangeTrackerTest, ServerGoodbyeWhileIdle) {
  auto progress = tracker_.on_server_payload(make_.err(1927));  // connection killed
  ASSERT_TRUE(progress);
  EXPECT_EQ(*progress, ResponseProgress::kServerGoodbye);
  EXPECT_TRUE(tracker_.ended());
  EXPECT_EQ(tracker_.facts().last_error_code, 1927);
}

TEST_P(ExchangeTrackerTest, UnexpectedServerPayloadsBreak) {
  const std::vector<std::pair<Payloads, const char*>> cases = {
      {{make_.ok()}, "an OK while idle"},
      {{make_.end()}, "an EOF while idle"},
  };
  for (const auto& [payloads, what] : cases) {
    ExchangeTracker t(GetParam().caps, GetParam().mariadb_caps);
    EXPECT_EQ(t.on_server_payload(payloads[0]).error(),
              make_error_code(ExchangeErrc::kUnexpectedPayload))
        << what;
  }
  struct Case {
    Bytes command;
    Payloads reply;  // the last one must be refused
    ExchangeErrc error;
  };
  const std::vector<Case> after_command = {
      {make_.query("SELECT 1"), {make_.end()}, ExchangeErrc::kUnexpectedPayload},
      {make_.query("SELECT 1"), {Bytes{}}, ExchangeErrc::kUnexpectedPayload},
      {make_.query("SELECT 1"), {Bytes{0x00, 0x01}}, ExchangeErrc::kMalformedPayload},
      {make_.query("SELECT 1"), {Bytes{0xff, 0x01}}, ExchangeErrc::kMalformedPayload},
      {make_.query("SELECT 1"), {Bytes{0xfc, 0x01}}, ExchangeErrc::kMalformedPayload},
      {make_.execute(1), {Bytes{0xfb, 'x'}}, ExchangeErrc::kUnexpectedPayload},
      {make_.prepare("SELECT 1"), {Bytes{0x05}}, ExchangeErrc::kUnexpectedPayload},
      {make_.prepare("SELECT 1"), {Bytes{0x00, 1, 0}}, ExchangeErrc::kMalformedPayload},
      {make_.simple(Command::kPing), {make_.column_count(1)}, ExchangeErrc::kUnexpectedPayload},
      {make_.query("SELECT 1"),
       {make_.column_count(2), make_.column("a"), make_.end()},
       ExchangeErrc::kUnexpectedPayload},
  };
  for (std::size_t i = 0; i < after_command.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const Case& c = after_command[i];
    ExchangeTracker t(GetParam().caps, GetParam().mariadb_caps);
    send_command(t, c.command);
    for (std::size_t j = 0; j + 1 < c.reply.size(); ++j)
      ASSERT_TRUE(t.on_server_payload(c.reply[j]));
    EXPECT_EQ(t.on_server_payload(c.reply.back()).error(), make_error_code(c.error));
    EXPECT_TRUE(t.broken());
    EXPECT_EQ(t.on_client_payload(make_.simple(Command::kPing)).error(),
              make_error_code(ExchangeErrc::kBroken));
  }
}

TEST_P(ExchangeTrackerTest, PayloadsOfSixteenMebibytesGoOn) {
  Bytes big_query(wire::kMaxPayloadSize, 'x');
  big_query[0] = wire::command_byte(Command::kQuery);
  send_command(tracker_, big_query);
  EXPECT_EQ(tracker_.on_command(make_.simple(Command::kPing)).error(),
            make_error_code(ExchangeErrc::kCommandNotAllowed));  // the query is not all there
  EXPECT_EQ(tracker_.on_client_payload(Bytes{})->kind, ClientPayloadKind::kContinuation);
  Bytes big_row(wire::kMaxPayloadSize, 'y');
  big_row[0] = 0xfe;  // a value of 2^24 bytes or more: 8-byte length
  Payloads reply{make_.column_count(1), make_.column("blob")};
  if (!deprecate_eof()) reply.push_back(make_.old_eof());
  reply.push_back(big_row);
  reply.push_back(Bytes(wire::kMaxPayloadSize, 'z'));
  reply.push_back(Bytes(10, 'z'));  // the row's last frame
  reply.push_back(make_.end());
  feed_reply(tracker_, reply);
  EXPECT_EQ(tracker_.last_outcome().rows, 1u);
}

TEST_P(ExchangeTrackerTest, SessionStateFromOkPackets) {
  wire::OkPacket ok;
  ok.status_flags = st::kInTrans | st::kInTransReadonly | st::kSessionStateChanged;
  ok.session_state = {wire::TrackedSchema{"shop"},
                      wire::TrackedSystemVariable{"last_gtid", "0-1-42"},
                      wire::TrackedSystemVariable{"autocommit", "OFF"},
                      wire::TrackedTransactionState{"T_R_____"},
                      wire::TrackedTransactionCharacteristics{"START TRANSACTION READ ONLY;"},
                      wire::TrackedStateChange{"1"}};
  send_command(tracker_, make_.query("START TRANSACTION READ ONLY"));
  feed_reply(tracker_, {make_.ok_packet(ok)});
  const SessionFacts& f = tracker_.facts();
  EXPECT_TRUE(f.in_transaction());
  EXPECT_TRUE(f.in_read_only_transaction());
  EXPECT_FALSE(f.autocommit());
  EXPECT_EQ(f.schema, "shop");
  EXPECT_EQ(f.last_gtid, "0-1-42");
  ASSERT_NE(f.variable("autocommit"), nullptr);
  EXPECT_EQ(*f.variable("autocommit"), "OFF");
  EXPECT_EQ(f.transaction_state, "T_R_____");
  EXPECT_EQ(f.transaction_characteristics, "START TRANSACTION READ ONLY;");
  EXPECT_EQ(f.state_changes, 1u);
  EXPECT_TRUE(tracker_.last_outcome().session_state_changed);

  send_command(tracker_, make_.simple(Command::kResetConnection));
  feed_reply(tracker_, {make_.ok()});
  EXPECT_EQ(tracker_.facts().variable("autocommit"), nullptr);
  EXPECT_EQ(tracker_.facts().last_gtid, "0-1-42");  // what was written stays written
  EXPECT_EQ(tracker_.facts().schema, "shop");
}

}  // namespace
}  // namespace grouter::routing
