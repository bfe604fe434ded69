// ClientProtocol, the pure state machine, fed server bytes made with protocol/mysql_wire: whole,
// one byte at a time, and cut or corrupted at every position (never a crash, never a hang).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "metadata/sql/client_protocol.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"
#include "protocol/mysql_wire/server_greeting.h"

namespace grouter::metadata::sql {
namespace {

namespace wire = grouter::mysql_wire;
namespace cap = grouter::mysql_wire::capability;
using Event = ClientProtocol::Event;

constexpr std::uint32_t kCaps = cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth |
                                cap::kDeprecateEof | cap::kTransactions;

std::vector<std::uint8_t> framed(std::uint8_t seq, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> out;
  wire::append_frames(out, seq, payload);
  return out;
}

std::vector<std::uint8_t> greeting_bytes() {
  wire::ServerGreeting g;
  g.server_version = "5.5.5-10.11.6-MariaDB";
  g.connection_id = 7;
  g.nonce = std::vector<std::uint8_t>(20, 0x41);
  g.capabilities = kCaps;
  g.charset = 45;
  g.auth_plugin_name = "mysql_native_password";
  std::vector<std::uint8_t> payload;
  wire::append_server_greeting(payload, g);
  return framed(0, payload);
}

std::vector<std::uint8_t> ok_bytes(std::uint8_t seq, std::uint64_t affected) {
  std::vector<std::uint8_t> payload;
  wire::append_ok_payload(payload, wire::OkPacket{affected, 0, 0, 0, {}, {}}, kCaps);
  return framed(seq, payload);
}

// One column "v", rows "a" and NULL, ending OK; sequence ids 1..5.
std::vector<std::uint8_t> result_bytes() {
  std::vector<std::uint8_t> out, p;
  wire::append_column_count(p, wire::ColumnCount{1, 1}, kCaps, 0);
  auto a = framed(1, p);
  out.insert(out.end(), a.begin(), a.end());
  p.clear();
  wire::ColumnDefinition column;
  column.name = "v";
  wire::append_column_definition(p, column, 0);
  a = framed(2, p);
  out.insert(out.end(), a.begin(), a.end());
  std::uint8_t seq = 3;
  for (const auto& value : {std::optional<std::string>("a"), std::optional<std::string>()}) {
    p.clear();
    wire::append_text_row(p, wire::TextRow{{value}});
    a = framed(seq++, p);
    out.insert(out.end(), a.begin(), a.end());
  }
  p.clear();
  wire::append_eof_ok_payload(p, wire::OkPacket{}, kCaps);
  a = framed(seq, p);
  out.insert(out.end(), a.begin(), a.end());
  return out;
}

// Feeds BYTES in pieces of CHUNK bytes; the first event other than kNeedMoreBytes.
Event feed(ClientProtocol& protocol, const std::vector<std::uint8_t>& bytes, std::size_t chunk) {
  for (std::size_t i = 0; i < bytes.size(); i += chunk) {
    protocol.receive(std::span(bytes).subspan(i, std::min(chunk, bytes.size() - i)));
    const Event event = protocol.advance();
    if (event != Event::kNeedMoreBytes) return event;
  }
  return Event::kNeedMoreBytes;
}

// Greeting, then the OK that ends authentication: ready for a query.
void log_in(ClientProtocol& protocol) {
  protocol.receive(greeting_bytes());
  ASSERT_EQ(protocol.advance(), Event::kNeedMoreBytes);
  (void)protocol.take_output();
  protocol.receive(ok_bytes(2, 0));
  ASSERT_EQ(protocol.advance(), Event::kConnected);
}

TEST(ClientProtocolTest, LoginAndResultWholeAndByteByByte) {
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{4096}}) {
    ClientProtocol protocol("u", "pw", 1 << 20);
    ASSERT_EQ(feed(protocol, greeting_bytes(), chunk), Event::kNeedMoreBytes);
    EXPECT_FALSE(protocol.take_output().empty());  // the HandshakeResponse41
    ASSERT_EQ(feed(protocol, ok_bytes(2, 0), chunk), Event::kConnected);
    EXPECT_EQ(protocol.server_info().version, "10.11.6-MariaDB");
    ASSERT_TRUE(protocol.ready());
    protocol.begin_query("SELECT v FROM t");
    EXPECT_FALSE(protocol.take_output().empty());
    ASSERT_EQ(feed(protocol, result_bytes(), chunk), Event::kQueryDone) << chunk;
    auto result = protocol.take_result();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->columns, std::vector<std::string>{"v"});
    ASSERT_EQ(result->rows.size(), 2u);
    EXPECT_EQ(result->rows[0][0], "a");
    EXPECT_EQ(result->rows[1][0], std::nullopt);
    EXPECT_TRUE(protocol.ready());
  }
}

TEST(ClientProtocolTest, EveryProperPrefixOfAResultNeedsMoreBytes) {
  const auto result = result_bytes();
  for (std::size_t cut = 0; cut < result.size(); ++cut) {
    ClientProtocol protocol("u", "pw", 1 << 20);
    ASSERT_NO_FATAL_FAILURE(log_in(protocol));
    protocol.begin_query("SELECT v FROM t");
    protocol.receive(std::span(result).first(cut));
    EXPECT_EQ(protocol.advance(), Event::kNeedMoreBytes) << cut;
  }
}

TEST(ClientProtocolTest, CorruptedBytesNeverCrash) {
  const auto greeting = greeting_bytes();
  const auto result = result_bytes();
  for (std::size_t at = 0; at < result.size(); ++at) {
    for (std::uint8_t value :
         {std::uint8_t{0x00}, std::uint8_t{0xfb}, std::uint8_t{0xfe}, std::uint8_t{0xff}}) {
      ClientProtocol protocol("u", "pw", 1 << 20);
      ASSERT_NO_FATAL_FAILURE(log_in(protocol));
      protocol.begin_query("SELECT v FROM t");
      auto bytes = result;
      bytes[at] = value;
      protocol.receive(bytes);
      for (int i = 0; i < 16; ++i) {  // any event sequence, but a bounded one
        const Event event = protocol.advance();
        if (event == Event::kNeedMoreBytes || event == Event::kFailed) break;
        if (event == Event::kQueryDone) (void)protocol.take_result();
      }
    }
  }
  for (std::size_t at = 0; at < greeting.size(); ++at) {
    ClientProtocol protocol("u", "pw", 1 << 20);
    auto bytes = greeting;
    bytes[at] ^= 0xff;
    protocol.receive(bytes);
    const Event event = protocol.advance();
    EXPECT_TRUE(event == Event::kNeedMoreBytes || event == Event::kFailed);
  }
}

TEST(ClientProtocolTest, OutOfOrderSequenceIdIsAProtocolError) {
  ClientProtocol protocol("u", "pw", 1 << 20);
  protocol.receive(greeting_bytes());
  ASSERT_EQ(protocol.advance(), Event::kNeedMoreBytes);
  protocol.receive(ok_bytes(5, 0));
  ASSERT_EQ(protocol.advance(), Event::kFailed);
  EXPECT_EQ(protocol.failure().kind, SqlError::Kind::kProtocol);
}

TEST(ClientProtocolTest, UnsolicitedErrWhileIdleIsConnectionLost) {
  ClientProtocol protocol("u", "pw", 1 << 20);
  ASSERT_NO_FATAL_FAILURE(log_in(protocol));
  // ERR 1927 "Connection was killed", as a server sends it to an idle session (sequence id 3).
  const std::vector<std::uint8_t> err = {0xff, 0x87, 0x07, '#', '7', '0', '1', '0', '0', 'k'};
  protocol.receive(framed(3, err));
  ASSERT_EQ(protocol.advance(), Event::kFailed);
  EXPECT_EQ(protocol.failure().kind, SqlError::Kind::kConnectionLost);
}

}  // namespace
}  // namespace grouter::metadata::sql
