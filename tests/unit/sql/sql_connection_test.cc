// SqlConnection against a real MariaDB node started from the project's sandbox for this suite.
#include <cstdlib>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/unit/sql/test_loop.h"

namespace grouter::metadata::sql {
namespace {

using testing::TestConnection;
using testing::TestLoop;
using Kind = SqlError::Kind;

class SqlConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* port = std::getenv("GROUTER_TEST_SQL_PORT");
    port_ = static_cast<std::uint16_t>(std::atoi(port != nullptr ? port : "3370"));
    const char* sandbox = std::getenv("GROUTER_SANDBOX");
    sandbox_ = sandbox != nullptr ? sandbox : "packaging/sandbox.sh";
    char dir[] = "/tmp/grouter-sql-test-XXXXXX";
    if (mkdtemp(dir) == nullptr) return;
    dir_ = dir;
    // The node starts as a primary with semi-sync waiting for replicas: this suite has none, so
    // semi-sync is switched off; read_only is lifted for the DML case.
    ready_ = sandbox_cmd("init 1 --base-port " + std::to_string(port_)) && sandbox_cmd("start") &&
             sandbox_cmd(
                 "sql 1 \"SET GLOBAL rpl_semi_sync_master_enabled = OFF, read_only = OFF;"
                 " CREATE DATABASE IF NOT EXISTS test\"");
  }

  static void TearDownTestSuite() {
    if (!dir_.empty()) sandbox_cmd("destroy");
  }

  static bool sandbox_cmd(const std::string& args) {
    const std::string command = sandbox_ + " --dir " + dir_ + " " + args + " >/dev/null";
    return std::system(command.c_str()) == 0;
  }

  void SetUp() override { ASSERT_TRUE(ready_) << "the MariaDB sandbox did not start"; }
  void TearDown() override { EXPECT_EQ(loop_.close(), 0) << "live handles left on the loop"; }

  static ConnectOptions options(const std::string& user = "app",
                                const std::string& password = "app_pw") {
    ConnectOptions o;
    o.host = "127.0.0.1";
    o.port = port_;
    o.user = user;
    o.password = password;
    o.connect_timeout_ms = 5000;
    o.query_timeout_ms = 10000;
    return o;
  }

  static inline std::uint16_t port_ = 0;
  static inline std::string sandbox_;
  static inline std::string dir_;
  static inline bool ready_ = false;
  TestLoop loop_;
};

// A TCP port on 127.0.0.1 that nobody listens on (bound, then released).
std::uint16_t unused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST_F(SqlConnectionTest, ConnectsAndReadsRowsWithNulls) {
  TestConnection c(loop_, options());
  auto info = c.connect();
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_TRUE(info->mariadb);
  EXPECT_TRUE(info->version.starts_with("10.")) << info->version;
  EXPECT_TRUE(info->announced_version.starts_with("5.5.5-"));
  EXPECT_GT(info->connection_id, 0u);
  EXPECT_EQ(info->auth_plugin, "mysql_native_password");
  EXPECT_TRUE(c->ready());

  auto r = c.query(
      "SELECT 1 AS a, NULL AS b, 'x' AS c UNION ALL SELECT 2, NULL, 'y' "
      "UNION ALL SELECT 3, 'z', ''");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->columns, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[0][0], "1");
  EXPECT_EQ(r->rows[0][1], std::nullopt);
  EXPECT_EQ(r->rows[0][2], "x");
  EXPECT_EQ(r->rows[1][0], "2");
  EXPECT_EQ(r->rows[2][1], "z");
  EXPECT_EQ(r->rows[2][2], "");  // empty, not NULL
  EXPECT_EQ(r->column_index("c"), 2u);
  EXPECT_FALSE(r->column_index("d"));
}

TEST_F(SqlConnectionTest, ReadsProbeVariables) {
  TestConnection c(loop_, options("admin", "admin_pw"));
  ASSERT_TRUE(c.connect());
  auto r = c.query("SELECT @@version, @@server_id, @@read_only, @@gtid_binlog_pos");
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->columns.size(), 4u);
  EXPECT_EQ(r->columns[1], "@@server_id");
  ASSERT_EQ(r->rows.size(), 1u);
  ASSERT_TRUE(r->rows[0][0]);
  EXPECT_TRUE(r->rows[0][0]->starts_with("10.")) << *r->rows[0][0];
  EXPECT_EQ(r->rows[0][1], "1");
  EXPECT_EQ(r->rows[0][2], "0");
  ASSERT_TRUE(r->rows[0][3]);  // "0-1-N" after the CREATE DATABASE of the set-up
  EXPECT_TRUE(r->rows[0][3]->starts_with("0-1-")) << *r->rows[0][3];
}

TEST_F(SqlConnectionTest, ReadsReplicationAndSemiSyncStatus) {
  TestConnection c(loop_, options("admin", "admin_pw"));
  ASSERT_TRUE(c.connect());
  auto slave = c.query("SHOW SLAVE STATUS");
  ASSERT_TRUE(slave) << slave.error().to_string();
  EXPECT_TRUE(slave->rows.empty());
  EXPECT_TRUE(slave->column_index("Gtid_IO_Pos"));
  EXPECT_TRUE(slave->column_index("Slave_SQL_Running"));

  auto semi = c.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync%'");
  ASSERT_TRUE(semi) << semi.error().to_string();
  EXPECT_EQ(semi->columns, (std::vector<std::string>{"Variable_name", "Value"}));
  bool master_status = false;
  for (const auto& row : semi->rows) {
    ASSERT_EQ(row.size(), 2u);
    if (row[0] == "Rpl_semi_sync_master_status") {
      master_status = true;
      EXPECT_EQ(row[1], "OFF");
    }
  }
  EXPECT_TRUE(master_status);
}

TEST_F(SqlConnectionTest, ServerErrorsAreValuesAndTheConnectionStaysUsable) {
  TestConnection c(loop_, options());
  ASSERT_TRUE(c.connect());
  auto syntax = c.query("SELEC 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().kind, Kind::kServer);
  EXPECT_EQ(syntax.error().code, 1064);
  EXPECT_EQ(syntax.error().sql_state, "42000");
  EXPECT_NE(syntax.error().message.find("SELEC"), std::string::npos);

  auto table = c.query("SELECT * FROM test.no_such_table");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().kind, Kind::kServer);
  EXPECT_EQ(table.error().code, 1146);
  EXPECT_EQ(table.error().sql_state, "42S02");

  auto after = c.query("SELECT 7");
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_EQ(after->rows[0][0], "7");
}

TEST_F(SqlConnectionTest, WrongPasswordIsServerError1045) {
  TestConnection c(loop_, options("app", "wrong"));
  std::optional<std::expected<ResultSet, SqlError>> queued;
  c->query("SELECT 1", [&](std::expected<ResultSet, SqlError> r) { queued = std::move(r); });
  auto info = c.connect();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, Kind::kServer);
  EXPECT_EQ(info.error().code, 1045);
  EXPECT_EQ(info.error().sql_state, "28000");
  ASSERT_TRUE(queued);  // answered together with the connect
  ASSERT_FALSE(*queued);
  EXPECT_EQ(queued->error().kind, Kind::kServer);
  EXPECT_TRUE(queued->error().message.starts_with("not sent: "));
  EXPECT_FALSE(c->ready());
}

TEST_F(SqlConnectionTest, RefusedPortIsReportedAtOnce) {
  ConnectOptions o = options();
  o.port = unused_port();
  TestConnection c(loop_, o);
  const double start = testing::now_ms();
  auto info = c.connect();
  const double elapsed = testing::now_ms() - start;
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, Kind::kRefused) << info.error().to_string();
  EXPECT_LT(elapsed, 100.0);
  auto later = c.query("SELECT 1");
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().kind, Kind::kRefused);
}

TEST_F(SqlConnectionTest, UnknownHostIsUnreachable) {
  ConnectOptions o = options();
  o.host = "no-such-host.invalid";
  TestConnection c(loop_, o);
  auto info = c.connect();
  ASSERT_FALSE(info);
  EXPECT_TRUE(info.error().kind == Kind::kUnreachable || info.error().kind == Kind::kTimeout)
      << info.error().to_string();
}

TEST_F(SqlConnectionTest, QueryTimeoutClosesTheConnection) {
  ConnectOptions o = options();
  o.query_timeout_ms = 200;
  TestConnection c(loop_, o);
  ASSERT_TRUE(c.connect());
  const double start = testing::now_ms();
  auto r = c.query("SELECT SLEEP(5)");
  const double elapsed = testing::now_ms() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::kTimeout) << r.error().to_string();
  EXPECT_GE(elapsed, 190.0);
  EXPECT_LT(elapsed, 1500.0);
  EXPECT_FALSE(c->ready());
  auto next = c.query("SELECT 1");
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().kind, Kind::kTimeout);
}

TEST_F(SqlConnectionTest, QueuedQueriesAreAnsweredInOrder) {
  TestConnection c(loop_, options());
  std::vector<std::string> answers;
  bool connected = false;
  c->connect([&](std::expected<ServerInfo, SqlError> r) {
    EXPECT_TRUE(r);
    EXPECT_TRUE(answers.empty());  // the connect is answered before any query
    connected = true;
  });
  constexpr int kQueries = 6;
  for (int i = 0; i < kQueries; ++i) {  // queued before the connection is up
    c->query("SELECT " + std::to_string(i) + ", REPEAT('v', 1000)",
             [&](std::expected<ResultSet, SqlError> r) {
               ASSERT_TRUE(r) << r.error().to_string();
               answers.push_back(*r->rows.at(0).at(0));
             });
  }
  ASSERT_TRUE(loop_.run_until([&] { return answers.size() == kQueries; }));
  EXPECT_TRUE(connected);
  EXPECT_EQ(answers, (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
}

TEST_F(SqlConnectionTest, QueueBoundAnswersQueueFullAtOnce) {
  ConnectOptions o = options();
  o.max_queued_queries = 2;
  TestConnection c(loop_, o);
  int answered = 0;
  auto count = [&](std::expected<ResultSet, SqlError> r) {
    EXPECT_TRUE(r);
    ++answered;
  };
  c->connect([](std::expected<ServerInfo, SqlError>) {});
  c->query("SELECT 1", count);
  c->query("SELECT 2", count);
  std::optional<std::expected<ResultSet, SqlError>> third;
  c->query("SELECT 3", [&](std::expected<ResultSet, SqlError> r) { third = std::move(r); });
  ASSERT_TRUE(third);  // answered before query() returned
  ASSERT_FALSE(*third);
  EXPECT_EQ(third->error().kind, Kind::kQueueFull);
  ASSERT_TRUE(loop_.run_until([&] { return answered == 2; }));
}

TEST_F(SqlConnectionTest, CloseCancelsEveryPendingQueryThenCallsOnClosed) {
  TestConnection c(loop_, options());
  ASSERT_TRUE(c.connect());
  std::vector<std::string> events;
  for (int i = 0; i < 4; ++i) {  // the first is sent (and sleeps), the rest wait in the queue
    c->query(i == 0 ? "SELECT SLEEP(5)" : "SELECT " + std::to_string(i),
             [&, i](std::expected<ResultSet, SqlError> r) {
               EXPECT_FALSE(r);
               if (!r) {
                 EXPECT_EQ(r.error().kind, Kind::kCancelled);
               }
               events.push_back("q" + std::to_string(i));
             });
  }
  const double start = testing::now_ms();
  EXPECT_TRUE(c.close());
  events.push_back("closed");
  EXPECT_LT(testing::now_ms() - start, 1000.0);
  EXPECT_EQ(events, (std::vector<std::string>{"q0", "q1", "q2", "q3", "closed"}));
}

TEST_F(SqlConnectionTest, CloseWhileConnectingCancelsTheConnect) {
  TestConnection c(loop_, options());
  std::optional<std::expected<ServerInfo, SqlError>> info;
  c->connect([&](std::expected<ServerInfo, SqlError> r) { info = std::move(r); });
  EXPECT_TRUE(c.close());
  ASSERT_TRUE(info);
  ASSERT_FALSE(*info);
  EXPECT_EQ(info->error().kind, Kind::kCancelled);
}

TEST_F(SqlConnectionTest, DmlReportsAffectedRowsAndInsertId) {
  TestConnection c(loop_, options());
  ASSERT_TRUE(c.connect());
  auto drop = c.query("DROP TABLE IF EXISTS test.sql_client_t");
  ASSERT_TRUE(drop) << drop.error().to_string();
  auto create =
      c.query("CREATE TABLE test.sql_client_t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))");
  ASSERT_TRUE(create) << create.error().to_string();
  EXPECT_TRUE(create->columns.empty());
  EXPECT_EQ(create->affected_rows, 0u);

  auto insert = c.query("INSERT INTO test.sql_client_t (v) VALUES ('a'), ('b'), ('c')");
  ASSERT_TRUE(insert) << insert.error().to_string();
  EXPECT_EQ(insert->affected_rows, 3u);
  EXPECT_EQ(insert->last_insert_id, 1u);

  auto update = c.query("UPDATE test.sql_client_t SET v = 'q' WHERE id > 1");
  ASSERT_TRUE(update) << update.error().to_string();
  EXPECT_EQ(update->affected_rows, 2u);

  auto set = c.query("SET SESSION wait_timeout = 600");
  ASSERT_TRUE(set) << set.error().to_string();
  EXPECT_EQ(set->affected_rows, 0u);

  auto count = c.query("SELECT COUNT(*), SUM(v = 'q') FROM test.sql_client_t");
  ASSERT_TRUE(count) << count.error().to_string();
  EXPECT_EQ(count->rows.at(0), (std::vector<std::optional<std::string>>{"3", "2"}));
}

TEST_F(SqlConnectionTest, ResultLargerThanTheBoundIsRefused) {
  ConnectOptions o = options();
  o.max_result_bytes = 64 * 1024;
  TestConnection c(loop_, o);
  ASSERT_TRUE(c.connect());
  auto small = c.query("SELECT REPEAT('x', 1000)");
  ASSERT_TRUE(small) << small.error().to_string();
  auto big = c.query("SELECT REPEAT('x', 100000)");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, Kind::kProtocol) << big.error().to_string();
  EXPECT_FALSE(c->ready());
}

}  // namespace
}  // namespace grouter::metadata::sql
