// The read/write-splitting statement classifier: tables of statements and what each must be
// classified as, for every rule, for the comment and quoting traps, and for bad input.
#include "routing/classifier.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace grouter::routing {
namespace {

using K = StatementKind;
using T = Target;

struct Case {
  std::string_view sql;
  StatementKind kind;
  Target target;
  bool pins = false;
  bool implicit_commit = false;
};

void check(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const Classification got = classify(c.sql);
    EXPECT_EQ(to_string(got.kind), to_string(c.kind)) << c.sql;
    EXPECT_EQ(to_string(got.target), to_string(c.target)) << c.sql;
    EXPECT_EQ(got.pins_session, c.pins) << "pins_session: " << c.sql;
    EXPECT_EQ(got.implicit_commit, c.implicit_commit) << "implicit_commit: " << c.sql;
  }
}

TEST(Classifier, AutocommitReadsGoToASecondary) {
  check({
      {"SELECT 1", K::kRead, T::kSecondary},
      {"select * from t where id = 1", K::kRead, T::kSecondary},
      {"  \n\tSELECT 1", K::kRead, T::kSecondary},
      {"(SELECT 1)", K::kRead, T::kSecondary},
      {"((SELECT a FROM t) UNION (SELECT b FROM u))", K::kRead, T::kSecondary},
      {"WITH c AS (SELECT 1) SELECT * FROM c", K::kRead, T::kSecondary},
      {"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT n FROM "
       "c",
       K::kRead, T::kSecondary},
      {"VALUES ROW(1, 2)", K::kRead, T::kSecondary},
      {"TABLE t", K::kRead, T::kSecondary},
      {"DO SLEEP(1)", K::kRead, T::kSecondary},
      {"SHOW TABLES", K::kRead, T::kSecondary},
      {"SHOW DATABASES", K::kRead, T::kSecondary},
      {"show full processlist", K::kRead, T::kSecondary},
      {"DESCRIBE t", K::kRead, T::kSecondary},
      {"DESC t", K::kRead, T::kSecondary},
      {"EXPLAIN SELECT * FROM t", K::kRead, T::kSecondary},
      {"EXPLAIN FORMAT=JSON SELECT * FROM t", K::kRead, T::kSecondary},
      {"ANALYZE SELECT * FROM t", K::kRead, T::kSecondary},
      {"HELP 'contents'", K::kRead, T::kSecondary},
      {"CHECKSUM TABLE t", K::kRead, T::kSecondary},
      {"SELECT REPLACE(name, 'a', 'b'), INSERT(name, 1, 2, 'x') FROM t", K::kRead, T::kSecondary},
      {"WITH c AS (SELECT REPLACE(a, 'x', 'y') AS a FROM t) SELECT * FROM c", K::kRead,
       T::kSecondary},
      {"SELECT @a, @@session.sql_mode", K::kRead, T::kSecondary},
      {"SELECT t.update, `for` FROM t", K::kRead, T::kSecondary},
      {"SELECT/**/1", K::kRead, T::kSecondary},
      {"select`a`from`t`", K::kRead, T::kSecondary},
      {"SELECT REPLACE (a, 'b', 'c') FROM t", K::kRead, T::kSecondary},
  });
}

TEST(Classifier, TheManualsReadWriteShowsGoToThePrimary) {
  check({
      {"SHOW CREATE TABLE t", K::kRead, T::kPrimary},
      {"SHOW VARIABLES LIKE 'x'", K::kRead, T::kPrimary},
      {"SHOW SESSION VARIABLES", K::kRead, T::kPrimary},
      {"SHOW GLOBAL STATUS", K::kRead, T::kPrimary},
      {"SHOW STATUS", K::kRead, T::kPrimary},
      {"SHOW MASTER STATUS", K::kRead, T::kPrimary},
      {"SHOW BINARY LOGS", K::kRead, T::kPrimary},
      {"SHOW SLAVE HOSTS", K::kRead, T::kPrimary},
      {"SHOW SLAVE STATUS", K::kRead, T::kSecondary},
  });
}

TEST(Classifier, WritesAndDdlGoToThePrimary) {
  check({
      {"INSERT INTO t VALUES (1)", K::kWrite, T::kPrimary},
      {"insert t(a) values (1)", K::kWrite, T::kPrimary},
      {"UPDATE t SET a = 1", K::kWrite, T::kPrimary},
      {"DELETE FROM t", K::kWrite, T::kPrimary},
      {"REPLACE INTO t VALUES (1)", K::kWrite, T::kPrimary},
      {"LOAD DATA INFILE 'f' INTO TABLE t", K::kWrite, T::kPrimary},
      {"CALL p()", K::kWrite, T::kPrimary},
      {"WITH c AS (SELECT 1 AS a) UPDATE t, c SET t.a = c.a", K::kWrite, T::kPrimary},
      {"WITH c AS (SELECT 1) DELETE FROM t", K::kWrite, T::kPrimary},
      {"EXPLAIN UPDATE t SET a = 1", K::kWrite, T::kPrimary},
      {"ANALYZE DELETE FROM t", K::kWrite, T::kPrimary},
      {"CREATE TABLE t (a INT)", K::kWrite, T::kPrimary, false, true},
      {"create or replace view v as select 1", K::kWrite, T::kPrimary, false, true},
      {"ALTER TABLE t ADD COLUMN b INT", K::kWrite, T::kPrimary, false, true},
      {"DROP TABLE t", K::kWrite, T::kPrimary, false, true},
      {"DROP TEMPORARY TABLE t", K::kWrite, T::kPrimary},
      {"TRUNCATE TABLE t", K::kWrite, T::kPrimary, false, true},
      {"RENAME TABLE a TO b", K::kWrite, T::kPrimary, false, true},
      {"GRANT SELECT ON *.* TO u", K::kWrite, T::kPrimary, false, true},
      {"REVOKE SELECT ON *.* FROM u", K::kWrite, T::kPrimary, false, true},
      {"SET PASSWORD = 'x'", K::kWrite, T::kPrimary, false, true},
      {"SET DEFAULT ROLE r TO u", K::kWrite, T::kPrimary},
      {"ANALYZE TABLE t", K::kWrite, T::kPrimary, false, true},
      {"OPTIMIZE TABLE t", K::kWrite, T::kPrimary, false, true},
      {"FLUSH PRIVILEGES", K::kWrite, T::kPrimary, false, true},
      {"SET GLOBAL max_connections = 10", K::kWrite, T::kPrimary},
      {"SET @@GLOBAL.max_connections = 10", K::kWrite, T::kPrimary},
      {"SET PERSIST max_connections = 10", K::kWrite, T::kPrimary},
      {"SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED", K::kWrite, T::kPrimary},
  });
}

TEST(Classifier, LockingReadsAndSessionFunctionsGoToThePrimary) {
  check({
      {"SELECT * FROM t WHERE id = 1 FOR UPDATE", K::kRead, T::kPrimary},
      {"SELECT * FROM t FOR UPDATE NOWAIT", K::kRead, T::kPrimary},
      {"SELECT * FROM t FOR SHARE SKIP LOCKED", K::kRead, T::kPrimary},
      {"SELECT * FROM t FOR UPDATE OF t SKIP LOCKED", K::kRead, T::kPrimary},
      {"select * from t lock in share mode", K::kRead, T::kPrimary},
      {"(SELECT * FROM t FOR UPDATE)", K::kRead, T::kPrimary},
      {"SELECT * FROM t FOR\n/* c */ UPDATE WAIT 5", K::kRead, T::kPrimary},
      {"SELECT * FROM t FOR UPDATE;", K::kRead, T::kPrimary},
      {"WITH c AS (SELECT 1) SELECT * FROM t FOR UPDATE", K::kRead, T::kPrimary},
      {"SELECT * FROM t INTO OUTFILE '/tmp/x'", K::kRead, T::kPrimary},
      {"SELECT * FROM t INTO DUMPFILE '/tmp/x'", K::kRead, T::kPrimary},
      {"SELECT LAST_INSERT_ID()", K::kRead, T::kPrimary},
      {"SELECT FOUND_ROWS()", K::kRead, T::kPrimary},
      {"SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1", K::kRead, T::kPrimary},
      {"SELECT RELEASE_LOCK('a')", K::kRead, T::kPrimary},
      {"SELECT NEXTVAL(s)", K::kRead, T::kPrimary},
      {"SELECT NEXT VALUE FOR s", K::kRead, T::kPrimary},
  });
}

TEST(Classifier, SessionStateOnThePrimaryPinsTheSession) {
  check({
      {"SELECT GET_LOCK('a', 10)", K::kRead, T::kPrimary, true},
      {"select get_lock ('a', 10)", K::kRead, T::kPrimary, true},
      {"DO GET_LOCK('a', 1)", K::kRead, T::kPrimary, true},
      {"SELECT * FROM t WHERE GET_LOCK('a', 1)", K::kRead, T::kPrimary, true},
      {"SELECT SERVICE_GET_WRITE_LOCKS('ns', 'l', 1)", K::kRead, T::kPrimary, true},
      {"INSERT INTO t VALUES (GET_LOCK('a', 1))", K::kWrite, T::kPrimary, true},
      {"SELECT a INTO @x FROM t LIMIT 1", K::kRead, T::kPrimary, true},
      {"SELECT a FROM t LIMIT 1 INTO @x, @y", K::kRead, T::kPrimary, true},
      {"SELECT @x := a FROM t", K::kRead, T::kPrimary, true},
      {"UPDATE t SET a = (@n := @n + 1)", K::kWrite, T::kPrimary, true},
      {"CREATE TEMPORARY TABLE tmp (a INT)", K::kWrite, T::kPrimary, true},
      {"CREATE OR REPLACE TEMPORARY TABLE tmp (a INT)", K::kWrite, T::kPrimary, true},
      {"LOCK TABLES t READ", K::kLockTables, T::kPrimary, true, true},
      {"LOCK TABLE t WRITE", K::kLockTables, T::kPrimary, true, true},
      {"FLUSH TABLES WITH READ LOCK", K::kLockTables, T::kPrimary, true, true},
      {"UNLOCK TABLES", K::kUnlockTables, T::kPrimary, false, true},
      {"LOCK INSTANCE FOR BACKUP", K::kWrite, T::kPrimary, true},
      {"PREPARE s FROM 'SELECT 1'", K::kWrite, T::kPrimary, true},
      {"EXECUTE s", K::kWrite, T::kPrimary, true},
      {"HANDLER t OPEN", K::kWrite, T::kPrimary, true},
      {"SET @l = GET_LOCK('a', 1)", K::kWrite, T::kPrimary, true},
      {"SET @id = LAST_INSERT_ID()", K::kWrite, T::kPrimary, true},
  });
}

TEST(Classifier, TransactionControl) {
  check({
      {"BEGIN", K::kBegin, T::kPrimary, false, true},
      {"begin work", K::kBegin, T::kPrimary, false, true},
      {"START TRANSACTION", K::kBegin, T::kPrimary, false, true},
      {"START TRANSACTION READ WRITE", K::kBegin, T::kPrimary, false, true},
      {"START TRANSACTION WITH CONSISTENT SNAPSHOT", K::kBegin, T::kPrimary, false, true},
      {"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ WRITE", K::kBegin, T::kPrimary, false,
       true},
      {"START TRANSACTION READ ONLY", K::kBeginReadOnly, T::kSecondary, false, true},
      {"start transaction read only, with consistent snapshot", K::kBeginReadOnly, T::kSecondary,
       false, true},
      {"START TRANSACTION READ ONLY, READ WRITE", K::kUnknown, T::kPrimary},
      {"START TRANSACTION READ", K::kUnknown, T::kPrimary},
      {"XA START 'x'", K::kBegin, T::kPrimary},
      {"XA END 'x'", K::kWrite, T::kPrimary},
      {"XA PREPARE 'x'", K::kWrite, T::kPrimary},
      {"XA COMMIT 'x'", K::kCommit, T::kPrimary},
      {"XA ROLLBACK 'x'", K::kRollback, T::kPrimary},
      {"COMMIT", K::kCommit, T::kPrimary},
      {"COMMIT WORK", K::kCommit, T::kPrimary},
      {"ROLLBACK", K::kRollback, T::kPrimary},
      {"ROLLBACK TO SAVEPOINT s", K::kSavepoint, T::kPrimary},
      {"ROLLBACK WORK TO s", K::kSavepoint, T::kPrimary},
      {"SAVEPOINT s", K::kSavepoint, T::kPrimary},
      {"RELEASE SAVEPOINT s", K::kSavepoint, T::kPrimary},
      {"BEGIN NOT ATOMIC SELECT 1; END", K::kMultiStatement, T::kPrimary, true},
      {"START SLAVE", K::kWrite, T::kPrimary, false, true},
  });
}

TEST(Classifier, CommitAndRollbackOptions) {
  struct Option {
    std::string_view sql;
    bool chain;
    bool release;
  };
  for (const Option& o : std::vector<Option>{
           {"COMMIT AND CHAIN", true, false},
           {"COMMIT AND NO CHAIN", false, false},
           {"COMMIT RELEASE", false, true},
           {"COMMIT NO RELEASE", false, false},
           {"COMMIT WORK AND NO CHAIN NO RELEASE", false, false},
           {"ROLLBACK AND CHAIN", true, false},
           {"ROLLBACK WORK AND NO CHAIN RELEASE", false, true},
       }) {
    const Classification c = classify(o.sql);
    EXPECT_TRUE(c.kind == K::kCommit || c.kind == K::kRollback) << o.sql;
    EXPECT_EQ(c.chain, o.chain) << o.sql;
    EXPECT_EQ(c.release, o.release) << o.sql;
  }
  EXPECT_EQ(classify("COMMIT AND CHAIN RELEASE").kind, K::kUnknown);  // refused by the server
  EXPECT_EQ(classify("COMMIT NOW").kind, K::kUnknown);
  EXPECT_EQ(classify("COMMIT AND").kind, K::kUnknown);
}

TEST(Classifier, SessionCommandsGoToEveryConnection) {
  check({
      {"SET sql_mode = ''", K::kSetSession, T::kAllConnections},
      {"SET SESSION sql_mode = 'ANSI'", K::kSetSession, T::kAllConnections},
      {"SET LOCAL wait_timeout = 10", K::kSetSession, T::kAllConnections},
      {"SET @@SESSION.time_zone = '+00:00'", K::kSetSession, T::kAllConnections},
      {"SET @@time_zone = '+00:00', @a := 1, @`b` = 2", K::kSetSession, T::kAllConnections},
      {"SET @x = 1", K::kSetSession, T::kAllConnections},
      {"SET @x = (SELECT 1), @y = CONCAT('a', 'b')", K::kSetSession, T::kAllConnections},
      {"SET `sql_mode` = DEFAULT", K::kSetSession, T::kAllConnections},
      {"SET ROLE ALL", K::kSetSession, T::kAllConnections},
      {"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", K::kSetSession, T::kAllConnections},
      {"SET SESSION TRANSACTION READ ONLY", K::kSetSession, T::kAllConnections},
      {"SET NAMES utf8mb4", K::kSetNames, T::kAllConnections},
      {"SET NAMES 'utf8mb4' COLLATE 'utf8mb4_bin'", K::kSetNames, T::kAllConnections},
      {"SET CHARACTER SET utf8", K::kSetNames, T::kAllConnections},
      {"SET CHARSET utf8", K::kSetNames, T::kAllConnections},
      {"USE db", K::kUse, T::kAllConnections},
      {"use `my db`", K::kUse, T::kAllConnections},
      {"SET STATEMENT max_statement_time = 1 FOR SELECT * FROM t", K::kRead, T::kSecondary},
      {"SET STATEMENT max_statement_time = 1 FOR UPDATE t SET a = 1", K::kWrite, T::kPrimary},
      {"SET STATEMENT x = 1", K::kUnknown, T::kPrimary},
      {"SET x", K::kUnknown, T::kPrimary},
      {"SET RESOURCE GROUP g", K::kUnknown, T::kPrimary},
  });
}

TEST(Classifier, Autocommit) {
  struct Value {
    std::string_view sql;
    std::optional<bool> autocommit;
  };
  for (const Value& v : std::vector<Value>{
           {"SET autocommit = 0", false},
           {"SET autocommit=1", true},
           {"set AUTOCOMMIT = off", false},
           {"SET autocommit = ON", true},
           {"SET SESSION autocommit = 'OFF'", false},
           {"SET @@autocommit = TRUE", true},
           {"SET @@session.autocommit = false", false},
           {"SET @@LOCAL.autocommit = DEFAULT", true},
           {"SET sql_mode = '', autocommit = 0", false},
           {"SET autocommit = @saved", std::nullopt},
           {"SET autocommit = 2", std::nullopt},
       }) {
    const Classification c = classify(v.sql);
    EXPECT_EQ(c.kind, K::kSetAutocommit) << v.sql;
    EXPECT_EQ(c.target, T::kAllConnections) << v.sql;
    EXPECT_EQ(c.autocommit, v.autocommit) << v.sql;
    EXPECT_EQ(c.pins_session, !v.autocommit.has_value()) << v.sql;
    EXPECT_EQ(c.implicit_commit, v.autocommit.value_or(true)) << v.sql;
  }
  EXPECT_EQ(classify("SET GLOBAL autocommit = 0").kind, K::kWrite);
}

TEST(Classifier, GroupReplicationConsistency) {
  struct Value {
    std::string_view sql;
    std::optional<std::string> consistency;
  };
  for (const Value& v : std::vector<Value>{
           {"SET @@SESSION.group_replication_consistency = 'BEFORE'", "BEFORE"},
           {"SET SESSION group_replication_consistency = 'after'", "AFTER"},
           {"SET @@group_replication_consistency = BEFORE_AND_AFTER", "BEFORE_AND_AFTER"},
           {"SET group_replication_consistency=\"eventual\"", "EVENTUAL"},
           {"set local GROUP_REPLICATION_CONSISTENCY = before_on_primary_failover",
            "BEFORE_ON_PRIMARY_FAILOVER"},
           {"SET group_replication_consistency = 2", "BEFORE"},
           {"SET group_replication_consistency = DEFAULT", "DEFAULT"},
           {"SET group_replication_consistency = 'SOMETIMES'", std::nullopt},
           {"SET group_replication_consistency = 5", std::nullopt},
           {"SET group_replication_consistency = CONCAT('BE', 'FORE')", std::nullopt},
       }) {
    const Classification c = classify(v.sql);
    EXPECT_EQ(c.kind, K::kSetConsistency) << v.sql;
    EXPECT_EQ(c.target, T::kRouter) << v.sql;
    EXPECT_EQ(c.consistency, v.consistency) << v.sql;
  }
  // Mixed with other variables it cannot be answered by grouter alone.
  EXPECT_EQ(classify("SET group_replication_consistency = 'BEFORE', sql_mode = ''").kind,
            K::kUnknown);
  EXPECT_EQ(classify("SET GLOBAL group_replication_consistency = 'BEFORE'").kind, K::kWrite);

  struct Select {
    std::string_view sql;
    std::string_view column;
  };
  for (const Select& s : std::vector<Select>{
           {"SELECT @@SESSION.group_replication_consistency",
            "@@SESSION.group_replication_consistency"},
           {"select @@group_replication_consistency;", "@@group_replication_consistency"},
           {"SELECT @@local.group_replication_consistency AS c", "c"},
           {"SELECT @@group_replication_consistency `level`", "`level`"},
       }) {
    const Classification c = classify(s.sql);
    EXPECT_EQ(c.kind, K::kSelectConsistency) << s.sql;
    EXPECT_EQ(c.target, T::kRouter) << s.sql;
    EXPECT_EQ(c.column_name, s.column) << s.sql;
  }
  EXPECT_EQ(classify("SELECT @@GLOBAL.group_replication_consistency").kind, K::kRead);
  EXPECT_EQ(classify("SELECT @@group_replication_consistency, 1").kind, K::kRead);
}

TEST(Classifier, RouterSetAccessMode) {
  struct Value {
    std::string_view sql;
    std::optional<AccessMode> mode;
  };
  for (const Value& v : std::vector<Value>{
           {"ROUTER SET access_mode = 'read_write'", AccessMode::kReadWrite},
           {"router set ACCESS_MODE='READ_ONLY'", AccessMode::kReadOnly},
           {"ROUTER SET access_mode = \"auto\";", AccessMode::kAuto},
           {"ROUTER SET access_mode = 'sometimes'", std::nullopt},
           {"ROUTER SET access_mode = read_write", std::nullopt},  // a string is required
           {"ROUTER SET access_mode", std::nullopt},
           {"ROUTER SET wait_for_my_writes = 1", std::nullopt},
           {"ROUTER SET access_mode = 'auto' extra", std::nullopt},
           {"ROUTER", std::nullopt},
       }) {
    const Classification c = classify(v.sql);
    EXPECT_EQ(c.kind, v.mode ? K::kRouterSetAccessMode : K::kRouterInvalid) << v.sql;
    EXPECT_EQ(c.target, T::kRouter) << v.sql;
    EXPECT_EQ(c.access_mode, v.mode) << v.sql;
  }
}

TEST(Classifier, Diagnostics) {
  check({
      {"SHOW WARNINGS", K::kShowDiagnostics, T::kPrevious},
      {"SHOW ERRORS LIMIT 1", K::kShowDiagnostics, T::kPrevious},
      {"SHOW COUNT(*) WARNINGS", K::kShowDiagnostics, T::kPrevious},
      {"GET DIAGNOSTICS @n = NUMBER", K::kShowDiagnostics, T::kPrevious},
      {"GET CURRENT DIAGNOSTICS CONDITION 1 @m = MESSAGE_TEXT", K::kShowDiagnostics, T::kPrevious},
  });
}

TEST(Classifier, CommentsStringsAndIdentifiersDoNotCount) {
  check({
      {"SELECT 'FOR UPDATE'", K::kRead, T::kSecondary},
      {"SELECT \"GET_LOCK(\" FROM t", K::kRead, T::kSecondary},
      {"SELECT * FROM t WHERE note = 'x; DELETE'", K::kRead, T::kSecondary},
      {"SELECT * FROM t WHERE note = 'it''s; DROP TABLE t'", K::kRead, T::kSecondary},
      {"SELECT * FROM t WHERE note = 'it\\'s; DROP TABLE t'", K::kRead, T::kSecondary},
      {"SELECT `for update`, `a;b` FROM `insert`", K::kRead, T::kSecondary},
      {"SELECT 1 /* FOR UPDATE; DELETE FROM t */", K::kRead, T::kSecondary},
      {"SELECT 1 -- FOR UPDATE; DELETE FROM t", K::kRead, T::kSecondary},
      {"SELECT 1 # FOR UPDATE; DELETE", K::kRead, T::kSecondary},
      {"/* leading */ -- comment\n# more\nSELECT 1", K::kRead, T::kSecondary},
      {"SELECT /*+ MAX_EXECUTION_TIME(100) */ * FROM t", K::kRead, T::kSecondary},
      {"SELECT /*+ SET_VAR(foo = 1) */ * FROM t", K::kRead, T::kSecondary},
      {"/*!40101 SET NAMES utf8 */", K::kSetNames, T::kAllConnections},
      {"SELECT * FROM t /*!50000 FOR UPDATE */", K::kRead, T::kPrimary},
      {"SELECT * FROM t /*M!100000 FOR UPDATE */", K::kRead, T::kPrimary},
      {"/*!50000 INSERT */ INTO t VALUES (1)", K::kWrite, T::kPrimary},
      {"SELECT 1;", K::kRead, T::kSecondary},
      {"SELECT 1 ;  \n", K::kRead, T::kSecondary},
      {"SELECT 1;;", K::kRead, T::kSecondary},
      {"SELECT 1; -- done", K::kRead, T::kSecondary},
      {"; SELECT 1", K::kRead, T::kSecondary},
  });
}

TEST(Classifier, MultiStatementsPinTheSessionToThePrimary) {
  check({
      {"SELECT 1; SELECT 2", K::kMultiStatement, T::kPrimary, true},
      {"SELECT 1;SELECT 2;", K::kMultiStatement, T::kPrimary, true},
      {"SET autocommit = 0; SELECT 1", K::kMultiStatement, T::kPrimary, true},
      {"SELECT 'a;b'; DELETE FROM t", K::kMultiStatement, T::kPrimary, true},
      {"SELECT 1; /* c */ ; SELECT 2", K::kMultiStatement, T::kPrimary, true},
  });
}

TEST(Classifier, BadInputGoesToThePrimary) {
  check({
      {"", K::kUnknown, T::kPrimary},
      {"   ", K::kUnknown, T::kPrimary},
      {";", K::kUnknown, T::kPrimary},
      {"/* only a comment */", K::kUnknown, T::kPrimary},
      {"SELECT 'unterminated", K::kUnknown, T::kPrimary},
      {"SELECT \"unterminated", K::kUnknown, T::kPrimary},
      {"SELECT `unterminated", K::kUnknown, T::kPrimary},
      {"SELECT 1 /* unterminated", K::kUnknown, T::kPrimary},
      {"/*!50000 SELECT 1", K::kUnknown, T::kPrimary},
      {"SELECT 1; /* unterminated", K::kUnknown, T::kPrimary},
      {"SELECT 1; 'unterminated", K::kUnknown, T::kPrimary},
      {"FROBNICATE t", K::kUnknown, T::kPrimary},
      {"(INSERT INTO t VALUES (1))", K::kUnknown, T::kPrimary},
      {"KILL 5", K::kUnknown, T::kPrimary},
      {"))))", K::kUnknown, T::kPrimary},
      {std::string_view("\0\xff\xfe\x01", 4), K::kUnknown, T::kPrimary},
      {"\xc3\xa9l\xc3\xa8ve", K::kUnknown, T::kPrimary},
  });
}

TEST(Classifier, LongStatementsAreReadToTheEnd) {
  std::string select = "SELECT * FROM t WHERE id IN (0";
  for (int i = 1; i < 100000; ++i) select += ", " + std::to_string(i);
  select += ")";
  EXPECT_EQ(classify(select).target, T::kSecondary);
  EXPECT_EQ(classify(select + " FOR UPDATE").target, T::kPrimary);
  EXPECT_EQ(classify(select + "; DELETE FROM t").kind, K::kMultiStatement);

  std::string insert = "INSERT INTO t VALUES (0)";
  for (int i = 1; i < 10000; ++i) insert += ", (" + std::to_string(i) + ")";
  EXPECT_EQ(classify(insert).kind, K::kWrite);

  std::string set = "SET @a = 0";
  for (std::size_t i = 0; i < kHeadTokens; ++i) set += ", @a = 0";
  const Classification c = classify(set);
  EXPECT_EQ(c.kind, K::kUnknown);
  EXPECT_TRUE(c.pins_session);
}

TEST(Classifier, SixteenMebibytesOfAnythingAreLinear) {
  constexpr std::size_t kSize = 16 * 1024 * 1024;
  const std::vector<std::string> fills = {"(", "'", "/*", "a ", "@", "-- x\n", ";", "\\'", "/*!"};
  for (const std::string& fill : fills) {
    std::string text;
    text.reserve(kSize + fill.size());
    while (text.size() < kSize) text += fill;
    const auto start = std::chrono::steady_clock::now();
    const Classification c = classify(text);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(c.target, T::kPrimary) << fill;
    EXPECT_LT(elapsed, std::chrono::seconds(10)) << fill;
  }
}

}  // namespace
}  // namespace grouter::routing
