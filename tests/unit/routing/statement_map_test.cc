// The session's prepared statements by client id: ids kept across a move to a new primary, the
// commands rewritten to the new ids, parameter types put back in, the bounds.
#include "routing/statement_map.h"

#include <gtest/gtest.h>

namespace grouter::routing {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes with_id(std::uint8_t command, std::uint32_t id, Bytes rest = {}) {
  Bytes p{command, static_cast<std::uint8_t>(id), static_cast<std::uint8_t>(id >> 8),
          static_cast<std::uint8_t>(id >> 16), static_cast<std::uint8_t>(id >> 24)};
  p.insert(p.end(), rest.begin(), rest.end());
  return p;
}

// COM_STMT_EXECUTE of a 2-parameter statement: flags 0, iteration 1, null bitmap, bound flag.
Bytes execute(std::uint32_t id, bool bound) {
  Bytes rest{0x00, 1, 0, 0, 0, 0x00, static_cast<std::uint8_t>(bound ? 1 : 0)};
  if (bound) rest.insert(rest.end(), {0x03, 0x00, 0xfe, 0x00});  // LONG, STRING
  rest.insert(rest.end(), {7, 0, 0, 0, 1, 'x'});                 // the values
  return with_id(0x17, id, rest);
}

TEST(StatementMap, TheFirstServersIdsAreTheClientsAndPassUnchanged) {
  StatementMap map;
  EXPECT_EQ(map.on_prepared(1, 2, "INSERT INTO t VALUES (?, ?)"), 1u);
  EXPECT_EQ(map.on_prepared(2, 0, "SELECT 1"), 2u);
  Bytes p = execute(1, true);
  const Bytes before = p;
  ASSERT_TRUE(map.to_primary(p, true));
  EXPECT_EQ(p, before);
  Bytes unknown = execute(9, false);
  ASSERT_TRUE(map.to_primary(unknown, true));
  EXPECT_EQ(unknown, execute(9, false));  // the server answers with its own error
}

TEST(StatementMap, AfterAMoveCommandsGoUnderTheNewIdsWithTheTypesPutBack) {
  StatementMap map;
  (void)map.on_prepared(1, 2, "INSERT INTO t VALUES (?, ?)");
  (void)map.on_prepared(2, 0, "SELECT 1");
  Bytes first = execute(1, true);
  ASSERT_TRUE(map.to_primary(first, true));
  EXPECT_EQ(map.begin_reprepare(),
            (std::vector<std::string>{"INSERT INTO t VALUES (?, ?)", "SELECT 1"}));
  map.on_reprepared(0, 5);
  map.on_reprepared(1, 6);
  // The client's next execute does not bind: the new server needs the types, which grouter adds.
  Bytes next = execute(1, false);
  ASSERT_TRUE(map.to_primary(next, true));
  Bytes expected = execute(5, true);
  EXPECT_EQ(next, expected);
  // Once the new server has them, the payload only changes its id.
  Bytes again = execute(1, false);
  ASSERT_TRUE(map.to_primary(again, true));
  EXPECT_EQ(again, execute(5, false));
  Bytes close = with_id(0x19, 2);
  ASSERT_TRUE(map.to_primary(close, true));
  EXPECT_EQ(close, with_id(0x19, 6));
  EXPECT_EQ(map.size(), 1u);
}

TEST(StatementMap, TypesThatCannotBePutInRefuseAndChangeNothing) {
  StatementMap map;
  (void)map.on_prepared(1, 2, "INSERT INTO t VALUES (?, ?)");
  Bytes first = execute(1, true);
  ASSERT_TRUE(map.to_primary(first, true));
  (void)map.begin_reprepare();
  map.on_reprepared(0, 3);
  Bytes big = execute(1, false);
  EXPECT_FALSE(map.to_primary(big, false));
  EXPECT_EQ(big, execute(1, false));
}

TEST(StatementMap, ANewServersIdThatAClientIdHoldsGetsAnotherClientId) {
  StatementMap map;
  (void)map.on_prepared(1, 0, "SELECT 1");
  (void)map.on_prepared(2, 0, "SELECT 2");
  (void)map.begin_reprepare();
  map.on_reprepared(0, 2);  // the new server numbers them its own way
  map.on_reprepared(1, 1);
  const std::uint32_t id = map.on_prepared(3, 0, "SELECT 3");
  EXPECT_EQ(id, 3u);
  const std::uint32_t taken = map.on_prepared(1, 0, "SELECT 4");  // 1 is a client id already
  EXPECT_NE(taken, 1u);
  EXPECT_NE(taken, 2u);
  EXPECT_NE(taken, 3u);
  Bytes reset = with_id(0x1a, taken);
  ASSERT_TRUE(map.to_primary(reset, true));
  EXPECT_EQ(reset, with_id(0x1a, 1));
  Bytes first = with_id(0x1a, 1);
  ASSERT_TRUE(map.to_primary(first, true));
  EXPECT_EQ(first, with_id(0x1a, 2));
}

TEST(StatementMap, TheLastPreparedIdNamesTheLastClientStatement) {
  StatementMap map;
  (void)map.on_prepared(1, 0, "SELECT 1");
  (void)map.begin_reprepare();
  map.on_reprepared(0, 4);
  Bytes p = with_id(0x17, StatementMap::kLastPrepared, {0, 1, 0, 0, 0});
  ASSERT_TRUE(map.to_primary(p, true));
  EXPECT_EQ(p, with_id(0x17, 4, {0, 1, 0, 0, 0}));
}

TEST(StatementMap, LongDataIsPendingUntilExecuteOrReset) {
  StatementMap map;
  (void)map.on_prepared(1, 2, "INSERT INTO t VALUES (?, ?)");
  Bytes data = with_id(0x18, 1, {0, 0, 'a', 'b'});
  ASSERT_TRUE(map.to_primary(data, true));
  EXPECT_TRUE(map.long_data_pending());
  Bytes reset = with_id(0x1a, 1);
  ASSERT_TRUE(map.to_primary(reset, true));
  EXPECT_FALSE(map.long_data_pending());
  ASSERT_TRUE(map.to_primary(data, true));
  Bytes run = execute(1, true);
  ASSERT_TRUE(map.to_primary(run, true));
  EXPECT_FALSE(map.long_data_pending());
}

TEST(StatementMap, PastItsSqlBoundTheMapOverflowsUntilCleared) {
  StatementMap map;
  const std::string big(StatementMap::kMaxSqlBytes / 2 + 1, 'x');
  (void)map.on_prepared(1, 0, big);
  EXPECT_FALSE(map.overflowed());
  (void)map.on_prepared(2, 0, big);
  EXPECT_TRUE(map.overflowed());
  Bytes close = with_id(0x19, 1);
  ASSERT_TRUE(map.to_primary(close, true));
  map.clear();
  EXPECT_FALSE(map.overflowed());
  EXPECT_EQ(map.size(), 0u);
}

}  // namespace
}  // namespace grouter::routing
