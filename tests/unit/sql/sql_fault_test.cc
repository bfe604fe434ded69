// SqlConnection against a scripted fake server: only faults and exchanges a real MariaDB cannot be
// made to show this client (garbage, a close mid-result, auth switches, a silent server).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"
#include "protocol/mysql_wire/scramble.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "tests/unit/sql/fake_server.h"
#include "tests/unit/sql/test_loop.h"

namespace grouter::metadata::sql {
namespace {

namespace wire = grouter::mysql_wire;
namespace cap = grouter::mysql_wire::capability;
using testing::FakeServer;
using testing::TestConnection;
using testing::TestLoop;
using Kind = SqlError::Kind;

constexpr std::uint32_t kServerCapabilities =
    cap::kLongFlag | cap::kConnectWithDb | cap::kProtocol41 | cap::kTransactions |
    cap::kSecureConnection | cap::kPluginAuth | cap::kDeprecateEof;

std::vector<std::uint8_t> nonce(std::uint8_t seed) {
  std::vector<std::uint8_t> n(20);
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(seed + i * 7 + 1);
  return n;
}

std::vector<std::uint8_t> greeting(const std::string& plugin = "mysql_native_password") {
  wire::ServerGreeting g;
  g.server_version = "5.5.5-10.11.99-fake";
  g.connection_id = 42;
  g.nonce = nonce(1);
  g.capabilities = kServerCapabilities;
  g.charset = 45;
  g.status_flags = wire::server_status::kAutocommit;
  g.auth_plugin_name = plugin;
  std::vector<std::uint8_t> out;
  wire::append_server_greeting(out, g);
  return out;
}

std::vector<std::uint8_t> ok() {
  std::vector<std::uint8_t> out;
  wire::append_ok_payload(out, wire::OkPacket{}, kServerCapabilities);
  return out;
}

// Greeting, the client's reply, OK: a session ready for a query at sequence id 0.
std::vector<FakeServer::Step> login() {
  return {testing::send_packet(0, greeting()), testing::await_packet(),
          testing::send_packet(2, ok())};
}

class SqlFaultTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) {
      server_->close();
      EXPECT_TRUE(loop_.run_until([&] { return server_->closed(); }));
    }
    EXPECT_EQ(loop_.close(), 0) << "live handles left on the loop";
  }

  FakeServer& serve(std::vector<FakeServer::Step> script, const std::string& host = "127.0.0.1") {
    server_ = std::make_unique<FakeServer>(loop_.get(), host, std::move(script));
    EXPECT_TRUE(server_->listening());
    return *server_;
  }

  ConnectOptions options(const std::string& host = "127.0.0.1") const {
    ConnectOptions o;
    o.host = host;
    o.port = server_->port();
    o.user = "u";
    o.password = "pw";
    o.connect_timeout_ms = 5000;
    o.query_timeout_ms = 5000;
    return o;
  }

  // Connects to the fake server; expects kProtocol with NEEDLE in the message.
  void expect_protocol_error_on_connect(const std::string& needle) {
    TestConnection c(loop_, options());
    auto info = c.connect();
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().kind, Kind::kProtocol) << info.error().to_string();
    EXPECT_NE(info.error().message.find(needle), std::string::npos) << info.error().message;
  }

  TestLoop loop_;
  std::unique_ptr<FakeServer> server_;
};

TEST_F(SqlFaultTest, GarbageGreetingIsAProtocolError) {
  serve({testing::send_packet(0, {'g', 'a', 'r', 'b', 'a', 'g', 'e'})});
  expect_protocol_error_on_connect("server greeting");
}

TEST_F(SqlFaultTest, HugeFrameHeaderInTheHandshakeIsRefusedAtOnce) {
  serve({testing::send_raw({0xff, 0xff, 0xff, 0x00, 0x0a, 0x35})});
  expect_protocol_error_on_connect("larger than");
}

TEST_F(SqlFaultTest, ServerClosingMidResultIsConnectionLost) {
  std::vector<FakeServer::Step> script = login();
  std::vector<std::uint8_t> count, column, row;
  wire::append_column_count(count, wire::ColumnCount{1, 1}, kServerCapabilities, 0);
  wire::ColumnDefinition definition;
  definition.name = "a";
  wire::append_column_definition(column, definition, 0);
  wire::append_text_row(row, wire::TextRow{{std::string("1")}});
  script.push_back(testing::await_packet());
  script.push_back(testing::send_packet(1, count));
  script.push_back(testing::send_packet(2, column));
  script.push_back(testing::send_packet(3, row));
  script.push_back(testing::close_connection());
  FakeServer& server = serve(script);
  TestConnection c(loop_, options());
  auto info = c.connect();
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->version, "10.11.99-fake");
  EXPECT_EQ(info->connection_id, 42u);
  auto r = c.query("SELECT a FROM t");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::kConnectionLost) << r.error().to_string();
  ASSERT_EQ(server.received().size(), 2u);
  EXPECT_EQ(server.received()[1][0], 0x03);  // COM_QUERY
}

TEST_F(SqlFaultTest, RowWithTheWrongColumnCountIsAProtocolError) {
  std::vector<FakeServer::Step> script = login();
  std::vector<std::uint8_t> count, column, row;
  wire::append_column_count(count, wire::ColumnCount{1, 1}, kServerCapabilities, 0);
  wire::append_column_definition(column, wire::ColumnDefinition{}, 0);
  wire::append_text_row(row, wire::TextRow{{std::string("1"), std::nullopt}});
  script.push_back(testing::await_packet());
  script.push_back(testing::send_packet(1, count));
  script.push_back(testing::send_packet(2, column));
  script.push_back(testing::send_packet(3, row));
  serve(script);
  TestConnection c(loop_, options());
  ASSERT_TRUE(c.connect());
  auto r = c.query("SELECT 1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::kProtocol) << r.error().to_string();
}

TEST_F(SqlFaultTest, AuthSwitchToNativePasswordAuthenticates) {
  std::vector<std::uint8_t> switch_request;
  std::vector<std::uint8_t> plugin_data = nonce(99);
  plugin_data.push_back(0);
  wire::append_auth_switch_request(switch_request,
                                   wire::AuthSwitchRequest{"mysql_native_password", plugin_data});
  FakeServer& server = serve({testing::send_packet(0, greeting("caching_sha2_password")),
                              testing::await_packet(), testing::send_packet(2, switch_request),
                              testing::await_packet(), testing::send_packet(4, ok())});
  TestConnection c(loop_, options());
  auto info = c.connect();
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ(info->auth_plugin, "mysql_native_password");
  ASSERT_EQ(server.received().size(), 2u);
  auto response = wire::decode_handshake_response(server.received()[0]);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->user, "u");
  EXPECT_EQ(response->auth_plugin_name, "caching_sha2_password");
  EXPECT_EQ(response->capabilities & cap::kSsl, 0u);
  EXPECT_NE(response->capabilities & cap::kDeprecateEof, 0u);
  auto stored = wire::native_password_hash("pw");
  ASSERT_TRUE(stored);
  EXPECT_TRUE(wire::native_password_matches(server.received()[1], nonce(99), *stored));
}

TEST_F(SqlFaultTest, AuthSwitchToAnUnsupportedPluginIsAProtocolError) {
  std::vector<std::uint8_t> switch_request;
  wire::append_auth_switch_request(switch_request,
                                   wire::AuthSwitchRequest{"client_ed25519", nonce(5)});
  serve({testing::send_packet(0, greeting()), testing::await_packet(),
         testing::send_packet(2, switch_request)});
  expect_protocol_error_on_connect("client_ed25519");
}

TEST_F(SqlFaultTest, CachingSha2FullAuthenticationIsAProtocolError) {
  std::vector<std::uint8_t> more;
  wire::append_auth_more_data(more, wire::AuthMoreData{{wire::kCachingSha2FullAuthNeeded}});
  serve({testing::send_packet(0, greeting("caching_sha2_password")), testing::await_packet(),
         testing::send_packet(2, more)});
  expect_protocol_error_on_connect("full authentication");
}

TEST_F(SqlFaultTest, SilentServerTimesOutTheConnect) {
  serve({});  // accepts, never greets
  ConnectOptions o = options();
  o.connect_timeout_ms = 200;
  TestConnection c(loop_, o);
  const double start = testing::now_ms();
  auto info = c.connect();
  const double elapsed = testing::now_ms() - start;
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, Kind::kTimeout);
  EXPECT_GE(elapsed, 190.0);
  EXPECT_LT(elapsed, 1500.0);
}

TEST_F(SqlFaultTest, Ipv6LiteralConnects) {
  serve(login(), "::1");
  if (!server_->listening()) GTEST_SKIP() << "no IPv6 loopback here";
  TestConnection c(loop_, options("[::1]"));
  auto info = c.connect();
  ASSERT_TRUE(info) << info.error().to_string();
}

}  // namespace
}  // namespace grouter::metadata::sql
