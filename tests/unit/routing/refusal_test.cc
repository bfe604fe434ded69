// grouter's refusal exchange (routing/refusal.h), byte-exact: the greeting, when the answer is due
// for every way the client's first packet may arrive, and the ERR that answers it.
#include "routing/refusal.h"

#include <gtest/gtest.h>

#include <array>
#include <numeric>

#include "protocol/mysql_wire/server_greeting.h"
#include "tests/unit/protocol/captured_frames.h"
#include "tests/unit/protocol/test_bytes.h"

namespace grouter::routing {
namespace {

using mysql_wire::ErrPacket;
using mysql_wire::testing::Bytes;
using mysql_wire::testing::from_hex;
using mysql_wire::testing::kCliHandshakeResponse;

std::array<std::uint8_t, kRefusalNonceSize> counting_random() {
  std::array<std::uint8_t, kRefusalNonceSize> random{};
  std::iota(random.begin(), random.end(), std::uint8_t{0});
  return random;
}

const ErrPacket kTooMany{1040, "08004", "Too many"};

// The byte tables keep one protocol field per string piece.
// clang-format off

TEST(Refusal, GreetingIsAProtocol41HandshakeWithoutTls) {
  const Bytes expected = from_hex(
      "51000000"                                      // 81 bytes, sequence id 0
      "0a" "382e302e302d67726f7574657200"             // protocol 10, "8.0.0-grouter"
      "00000000"                                      // connection id
      "2122232425262728" "00"                         // nonce part 1 (random 0..7 -> '!'..'(')
      "0da2" "2d" "0200" "0800"                       // capabilities (no kSsl), utf8mb4, autocommit
      "15" "000000000000" "00000000"                  // auth data 21 bytes, filler
      "292a2b2c2d2e2f3031323334" "00"                 // nonce part 2 and its NUL
      "6d7973716c5f6e61746976655f70617373776f726400"  // mysql_native_password
  );
  EXPECT_EQ(refusal_greeting(counting_random()), expected);
}

TEST(Refusal, GreetingNonceIsPrintableWhateverTheRandomBytes) {
  std::array<std::uint8_t, kRefusalNonceSize> random{};
  random.fill(0xff);
  const Bytes frame = refusal_greeting(random);
  const auto greeting = mysql_wire::decode_server_greeting(std::span(frame).subspan(4));
  ASSERT_TRUE(greeting.has_value());
  ASSERT_EQ(greeting->nonce.size(), kRefusalNonceSize);
  for (std::uint8_t byte : greeting->nonce) {
    EXPECT_GE(byte, 0x21);
    EXPECT_LE(byte, 0x7e);
  }
}

TEST(Refusal, AnswersARealClientsResponseWithSequenceId2AndTheSqlState) {
  const Bytes response = from_hex(kCliHandshakeResponse);
  RefusalExchange exchange;
  EXPECT_TRUE(exchange.on_client_bytes(response));
  EXPECT_EQ(exchange.error_frame(kTooMany),
            from_hex("11000002" "ff1004" "233038303034" "546f6f206d616e79"));
}

TEST(Refusal, EveryProperPrefixOfTheResponseWaitsForMore) {
  const Bytes response = from_hex(kCliHandshakeResponse);
  const Bytes expected = from_hex("11000002" "ff1004" "233038303034" "546f6f206d616e79");
  for (std::size_t cut = 0; cut < response.size(); ++cut) {
    RefusalExchange in_two;
    EXPECT_FALSE(in_two.on_client_bytes(std::span(response).first(cut))) << cut;
    EXPECT_TRUE(in_two.on_client_bytes(std::span(response).subspan(cut))) << cut;
    EXPECT_EQ(in_two.error_frame(kTooMany), expected) << cut;
  }
  RefusalExchange bytewise;
  for (std::size_t i = 0; i + 1 < response.size(); ++i) {
    ASSERT_FALSE(bytewise.on_client_bytes({&response[i], 1})) << i;
  }
  EXPECT_TRUE(bytewise.on_client_bytes({&response.back(), 1}));
  EXPECT_EQ(bytewise.error_frame(kTooMany), expected);
}

TEST(Refusal, AClientWithoutProtocol41GetsNoSqlState) {
  RefusalExchange exchange;
  EXPECT_TRUE(exchange.on_client_bytes(from_hex("05000001" "0500" "000000")));  // 3.20: caps 0x0005
  EXPECT_EQ(exchange.error_frame(kTooMany), from_hex("0b000002" "ff1004" "546f6f206d616e79"));
}

TEST(Refusal, AnEmptyPacketIsAnsweredAtOnce) {
  RefusalExchange exchange;
  EXPECT_TRUE(exchange.on_client_bytes(from_hex("00000007")));
  EXPECT_EQ(exchange.error_frame(kTooMany), from_hex("0b000008" "ff1004" "546f6f206d616e79"));
}

TEST(Refusal, AnOversizedPacketIsNotWaitedFor) {
  RefusalExchange exchange;
  // 16 MiB - 1 announced (what random bytes may announce): answered after the header.
  EXPECT_TRUE(exchange.on_client_bytes(from_hex("ffffffff")));
  EXPECT_EQ(exchange.error_frame(kTooMany).at(3), 0x00);  // sequence id 255 + 1 wraps
  RefusalExchange at_limit;
  const std::uint32_t size = kMaxAwaitedResponseSize;
  EXPECT_FALSE(at_limit.on_client_bytes(Bytes{static_cast<std::uint8_t>(size),
                                              static_cast<std::uint8_t>(size >> 8),
                                              static_cast<std::uint8_t>(size >> 16), 1}));
}

TEST(Refusal, TheSequenceIdFollowsTheClients) {
  RefusalExchange exchange;
  EXPECT_TRUE(exchange.on_client_bytes(from_hex("02000004" "0002")));  // caps 0x0200: 4.1
  EXPECT_EQ(exchange.error_frame({1129, "HY000", "b"}),
            from_hex("0a000005" "ff6904" "234859303030" "62"));
}

// clang-format on

}  // namespace
}  // namespace grouter::routing
