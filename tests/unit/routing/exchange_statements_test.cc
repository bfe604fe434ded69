// The exchange tracker on constructed prepared-statement exchanges, under each way capabilities
// shape replies: PREPARE_OK and its definitions, binary result sets (with metadata skipped),
// procedures with OUT parameters, cursors and COM_STMT_FETCH to the last row, COM_STMT_RESET,
// pipelined PREPARE + EXECUTE of the last statement, MariaDB's COM_STMT_BULK_EXECUTE, the bound
// on statements.
#include "routing/exchange_tracker.h"

#include <gtest/gtest.h>

#include "routing/exchange_error.h"
#include "tests/unit/routing/exchange_payloads.h"

namespace grouter::routing {
namespace {

using namespace grouter::routing::testing;

class StatementExchangeTest : public ExchangeTest {};

INSTANTIATE_TEST_SUITE_P(Capabilities, StatementExchangeTest, kVariants, variant_name);

// MariaDB's cache-metadata or, for MySQL, CLIENT_OPTIONAL_RESULTSET_METADATA: the column count
// says whether the definitions follow.
TEST_P(StatementExchangeTest, SkippedMetadataHasNoDefinitions) {
  Variant v = GetParam();
  if (!(v.mariadb_caps & wire::mariadb_capability::kCacheMetadata)) {
    v.caps |= wire::capability::kOptionalResultsetMetadata;
  }
  ExchangeTracker t(v.caps, v.mariadb_caps);
  const PayloadMaker make(v);
  send_command(t, make.execute(1));
  feed_reply(t, make.result_set(3, 2, kIdle, /*binary=*/true, /*metadata=*/false));
  EXPECT_EQ(t.last_outcome().rows, 2u);
  send_command(t, make.execute(1));
  feed_reply(t, make.result_set(3, 2, kIdle, /*binary=*/true, /*metadata=*/true));
}

TEST_P(StatementExchangeTest, PrepareRecordsTheStatement) {
  send_command(tracker_, make_.prepare("SELECT a, b, c FROM t WHERE x = ? AND y = ?"));
  Payloads reply{make_.prepare_ok(7, 3, 2), make_.column("?"), make_.column("?")};
  if (!deprecate_eof()) reply.push_back(make_.old_eof());
  for (const char* c : {"a", "b", "c"}) reply.push_back(make_.column(c));
  if (!deprecate_eof()) reply.push_back(make_.old_eof());
  feed_reply(tracker_, reply);
  const PreparedStatement* s = tracker_.statements().find(7);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(*s, (PreparedStatement{2, 3, false}));

  send_command(tracker_, make_.prepare("DO 1"));
  feed_reply(tracker_, {make_.prepare_ok(8, 0, 0)});
  send_command(tracker_, make_.prepare("INSERT INTO t VALUES (?)"));
  feed_reply(tracker_, deprecate_eof() ? Payloads{make_.prepare_ok(9, 0, 1), make_.column("?")}
                                       : Payloads{make_.prepare_ok(9, 0, 1), make_.column("?"),
                                                  make_.old_eof()});
  send_command(tracker_, make_.prepare("SELEC ?"));
  feed_reply(tracker_, {make_.err(1064)});
  EXPECT_EQ(tracker_.statements().size(), 3u);

  send_command(tracker_, make_.close(8), /*expects_response=*/false);
  EXPECT_TRUE(tracker_.idle());
  EXPECT_EQ(tracker_.statements().find(8), nullptr);
}

TEST_P(StatementExchangeTest, ExecuteRepliesOkErrOrBinaryRows) {
  send_command(tracker_, make_.execute(1));
  feed_reply(tracker_, {make_.ok(kIdle, 1)});
  send_command(tracker_, make_.execute(1));
  feed_reply(tracker_, {make_.err(1243)});  // unknown prepared statement handler
  send_command(tracker_, make_.execute(1));
  feed_reply(tracker_, make_.result_set(1, 3, kIdle, /*binary=*/true));
  EXPECT_EQ(tracker_.last_outcome().rows, 3u);
}

TEST_P(StatementExchangeTest, ExecuteOfAProcedureWithOutParameters) {
  send_command(tracker_, make_.execute(1));
  feed_reply(tracker_, make_.result_set(2, 2, kMore, true) +
                           make_.result_set(1, 1, kMore | st::kPsOutParams, true) +
                           Payloads{make_.ok()});
  EXPECT_EQ(tracker_.last_outcome().result_sets, 2u);
  EXPECT_EQ(tracker_.last_outcome().results, 3u);
}

TEST_P(StatementExchangeTest, BinaryRowWithoutItsHeaderBreaks) {
  send_command(tracker_, make_.execute(1));
  Payloads reply = make_.result_set(1, 1, kIdle, true);
  const std::size_t row = reply.size() - 2;
  reply[row][0] = 0x01;
  for (std::size_t i = 0; i < row; ++i) ASSERT_TRUE(tracker_.on_server_payload(reply[i]));
  EXPECT_EQ(tracker_.on_server_payload(reply[row]).error(),
            make_error_code(ExchangeErrc::kUnexpectedPayload));
  EXPECT_FALSE(tracker_.failure().empty());
}

TEST_P(StatementExchangeTest, CursorOpensThenFetchesToTheLastRow) {
  send_command(tracker_, make_.prepare("SELECT a FROM t"));
  feed_reply(tracker_, deprecate_eof() ? Payloads{make_.prepare_ok(3, 1, 0), make_.column("a")}
                                       : Payloads{make_.prepare_ok(3, 1, 0), make_.column("a"),
                                                  make_.old_eof()});
  send_command(tracker_, make_.execute(3, wire::kCursorTypeReadOnly));
  // The definitions, then the status with SERVER_STATUS_CURSOR_EXISTS and no rows.
  feed_reply(tracker_,
             {make_.column_count(1), make_.column("a"), make_.end(kIdle | st::kCursorExists)});
  EXPECT_TRUE(tracker_.last_outcome().cursor_opened);
  EXPECT_TRUE(tracker_.statements().find(3)->cursor_open);
  EXPECT_EQ(tracker_.statements().open_cursors(), 1u);

  send_command(tracker_, make_.fetch(3, 2));
  feed_reply(tracker_,
             {make_.binary_row(1), make_.binary_row(2), make_.end(kIdle | st::kCursorExists)});
  EXPECT_EQ(tracker_.last_outcome().rows, 2u);
  EXPECT_EQ(tracker_.statements().open_cursors(), 1u);
  send_command(tracker_, make_.fetch(3, 2));
  feed_reply(tracker_, {make_.binary_row(3), make_.end(kIdle | st::kLastRowSent)});
  EXPECT_EQ(tracker_.statements().open_cursors(), 0u);

  send_command(tracker_, make_.fetch(3, 2));
  feed_reply(tracker_, {make_.err(1421)});  // no cursor open
}

TEST_P(StatementExchangeTest, CursorFlagWithoutACursorStreamsRows) {
  send_command(tracker_, make_.execute(3, wire::kCursorTypeReadOnly));
  feed_reply(tracker_, make_.result_set(1, 2, kIdle, true));
  EXPECT_FALSE(tracker_.last_outcome().cursor_opened);
}

TEST_P(StatementExchangeTest, StatementResetClosesTheCursor) {
  send_command(tracker_, make_.prepare("SELECT a FROM t"));
  feed_reply(tracker_, {make_.prepare_ok(4, 0, 0)});
  send_command(tracker_, make_.execute(4, wire::kCursorTypeReadOnly));
  feed_reply(tracker_,
             {make_.column_count(1), make_.column("a"), make_.end(kIdle | st::kCursorExists)});
  EXPECT_EQ(tracker_.statements().open_cursors(), 1u);
  Bytes reset;
  wire::append_stmt_reset(reset, wire::ComStmtReset{4});
  send_command(tracker_, reset);
  feed_reply(tracker_, {make_.ok()});
  EXPECT_EQ(tracker_.statements().open_cursors(), 0u);
}

TEST_P(StatementExchangeTest, PipelinedPrepareAndExecuteOfTheLastStatement) {
  send_command(tracker_, make_.prepare("SELECT a FROM t"));
  send_command(tracker_,
               make_.execute(ExchangeTracker::kLastPreparedStatement, wire::kCursorTypeReadOnly));
  send_command(tracker_, make_.close(ExchangeTracker::kLastPreparedStatement), false);
  EXPECT_EQ(tracker_.pending_commands(), 3u);
  feed_reply(tracker_, deprecate_eof() ? Payloads{make_.prepare_ok(12, 1, 0), make_.column("a")}
                                       : Payloads{make_.prepare_ok(12, 1, 0), make_.column("a"),
                                                  make_.old_eof()});
  EXPECT_EQ(tracker_.pending_commands(), 2u);
  feed_reply(tracker_,
             {make_.column_count(1), make_.column("a"), make_.end(kIdle | st::kCursorExists)});
  EXPECT_TRUE(tracker_.idle());  // the close needs no reply
  EXPECT_EQ(tracker_.statements().find(12), nullptr);
  EXPECT_EQ(tracker_.statements().open_cursors(), 0u);
}

// COM_STMT_BULK_EXECUTE as MariaDB Connector/J sends it for executeBatch() with useBulkStmts:
// pipelined behind the PREPARE, naming the last statement prepared; one OK for every row, or
// with RETURNING a binary result set.
TEST_P(StatementExchangeTest, BulkExecuteRepliesAsExecute) {
  auto bulk = [](std::uint32_t id) {
    Bytes out{0xfa};
    for (int shift = 0; shift < 32; shift += 8) {
      out.push_back(static_cast<std::uint8_t>(id >> shift));
    }
    // SEND_TYPES_TO_SERVER, one VARCHAR parameter, two rows ('a', 'b') without indicators.
    out.insert(out.end(), {0x80, 0x00, 0xfd, 0x00, 0x00, 0x01, 'a', 0x00, 0x01, 'b'});
    return out;
  };
  send_command(tracker_, make_.prepare("INSERT INTO t VALUES (?)"));
  send_command(tracker_, bulk(ExchangeTracker::kLastPreparedStatement));
  feed_reply(tracker_, deprecate_eof() ? Payloads{make_.prepare_ok(7, 0, 1), make_.column("?")}
                                       : Payloads{make_.prepare_ok(7, 0, 1), make_.column("?"),
                                                  make_.old_eof()});
  feed_reply(tracker_, {make_.ok(kIdle, 2)});
  EXPECT_TRUE(tracker_.idle());
  EXPECT_EQ(tracker_.facts().affected_rows, 2u);
  send_command(tracker_, bulk(7));
  feed_reply(tracker_, {make_.err(1062)});  // a duplicate key
  EXPECT_EQ(tracker_.last_outcome().error_code, 1062);
  send_command(tracker_, bulk(7));  // INSERT ... RETURNING
  feed_reply(tracker_, make_.result_set(1, 2, kIdle, /*binary=*/true));
  EXPECT_EQ(tracker_.last_outcome().rows, 2u);
  EXPECT_FALSE(tracker_.broken());
  EXPECT_NE(tracker_.statements().find(7), nullptr);
}

TEST_P(StatementExchangeTest, TooManyStatementsIsRefusedBeforeTheServer) {
  for (std::uint32_t id = 1; id <= StatementTable::kMaxStatements; ++id) {
    ASSERT_TRUE(tracker_.on_command(make_.prepare("DO 1")));
    ASSERT_EQ(tracker_.on_server_payload(make_.prepare_ok(id, 0, 0)), ResponseProgress::kComplete);
  }
  EXPECT_EQ(tracker_.on_command(make_.prepare("DO 1")).error(),
            make_error_code(ExchangeErrc::kTooManyStatements));
  EXPECT_TRUE(tracker_.idle());
  send_command(tracker_, make_.close(1), false);
  send_command(tracker_, make_.prepare("DO 1"));
}

}  // namespace
}  // namespace grouter::routing
