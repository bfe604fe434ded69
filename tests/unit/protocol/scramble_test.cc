// Authentication scrambles against the captured exchanges (the server accepted them) and known
// vectors.
#include <gtest/gtest.h>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/scramble.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "tests/unit/protocol/captured_frames.h"
#include "tests/unit/protocol/test_bytes.h"

namespace grouter::mysql_wire::testing {
namespace {

// The captures' user codec has the password "secret"; MariaDB's PASSWORD('secret') is
// *14E65567ABDB5135D0CFD9A70B3032C179A49EE7.
constexpr std::string_view kPassword = "secret";
const Bytes kStoredHash = from_hex("14e65567abdb5135d0cfd9a70b3032c179a49ee7");

TEST(NativePassword, MatchesTheScrambleTheServerAccepted) {
  const auto greeting = decode_server_greeting(payload_of(kCliGreeting));
  const auto response = decode_handshake_response(payload_of(kCliHandshakeResponse));
  ASSERT_TRUE(greeting.has_value());
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(greeting->nonce.size(), 20u);
  const auto scramble = scramble_native_password(kPassword, greeting->nonce);
  ASSERT_TRUE(scramble.has_value());
  EXPECT_EQ(*scramble, response->auth_response);
  EXPECT_TRUE(decode_ok_payload(payload_of(kCliOk), kCliCaps).has_value());  // the server's verdict
  EXPECT_TRUE(native_password_matches(*scramble, greeting->nonce, kStoredHash));
}

TEST(NativePassword, WrongPasswordDoesNotMatch) {
  const auto greeting = decode_server_greeting(payload_of(kWrongPasswordGreeting));
  const auto response = decode_handshake_response(payload_of(kWrongPasswordResponse));
  ASSERT_TRUE(greeting.has_value());
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(*scramble_native_password("wrong", greeting->nonce), response->auth_response);
  EXPECT_FALSE(native_password_matches(response->auth_response, greeting->nonce, kStoredHash));
}

TEST(NativePassword, AnswersAnAuthSwitchNonce) {
  const auto request = decode_auth_switch_request(payload_of(kAuthSwitchRequest));
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->plugin_name, "mysql_native_password");
  const auto nonce = nonce_of_plugin_data(request->plugin_data);
  EXPECT_EQ(nonce.size(), 20u);
  EXPECT_EQ(*scramble_native_password(kPassword, nonce), payload_of(kAuthSwitchResponse));
  EXPECT_TRUE(native_password_matches(payload_of(kAuthSwitchResponse), nonce, kStoredHash));
}

TEST(NativePassword, KnownVectorAndEmptyPassword) {
  Bytes nonce;
  for (std::uint8_t i = 1; i <= 20; ++i) nonce.push_back(i);
  EXPECT_EQ(*scramble_native_password(kPassword, nonce),
            from_hex("b32bb3a583e1340c0a1108d58b1be49781ad8c2f"));
  EXPECT_TRUE(scramble_native_password("", nonce)->empty());
  EXPECT_EQ(*native_password_hash(kPassword), kStoredHash);
}

TEST(NativePassword, AProvenReplyLogsInWithAnyOtherNonce) {
  // The captured login: grouter checks the client's reply against the stored hash, keeps the
  // proof, and answers another server's nonce exactly as the client with the password would.
  const auto greeting = decode_server_greeting(payload_of(kCliGreeting));
  const auto response = decode_handshake_response(payload_of(kCliHandshakeResponse));
  ASSERT_TRUE(greeting.has_value());
  ASSERT_TRUE(response.has_value());
  const auto proof = native_password_proof(response->auth_response, greeting->nonce, kStoredHash);
  ASSERT_TRUE(proof.has_value());
  Bytes other_nonce;
  for (std::uint8_t i = 1; i <= 20; ++i) other_nonce.push_back(i);
  EXPECT_EQ(*scramble_native_from_proof(*proof, other_nonce),
            *scramble_native_password(kPassword, other_nonce));
  // A wrong password proves nothing; an account without a password is proven by an empty reply.
  const auto wrong = decode_handshake_response(payload_of(kWrongPasswordResponse));
  const auto wrong_greeting = decode_server_greeting(payload_of(kWrongPasswordGreeting));
  EXPECT_FALSE(native_password_proof(wrong->auth_response, wrong_greeting->nonce, kStoredHash));
  EXPECT_EQ(native_password_proof({}, other_nonce, {}), Bytes{});
  EXPECT_FALSE(native_password_proof({}, other_nonce, kStoredHash));
  EXPECT_TRUE(scramble_native_from_proof({}, other_nonce)->empty());
}

TEST(NativePassword, StoredHashText) {
  EXPECT_EQ(parse_native_password_hash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"), kStoredHash);
  EXPECT_EQ(parse_native_password_hash("*14e65567abdb5135d0cfd9a70b3032c179a49ee7"), kStoredHash);
  EXPECT_EQ(parse_native_password_hash(""), Bytes{});
  EXPECT_FALSE(parse_native_password_hash("14E65567ABDB5135D0CFD9A70B3032C179A49EE7"));
  EXPECT_FALSE(parse_native_password_hash("*14E65567ABDB5135D0CFD9A70B3032C179A49EZ7"));
  EXPECT_FALSE(parse_native_password_hash("invalid"));
}

TEST(CachingSha2Password, KnownVector) {
  Bytes nonce;
  for (std::uint8_t i = 1; i <= 20; ++i) nonce.push_back(i);
  const auto scramble = scramble_caching_sha2_password(kPassword, nonce);
  ASSERT_TRUE(scramble.has_value());
  EXPECT_EQ(scramble->size(), kCachingSha2ScrambleSize);
  EXPECT_EQ(*scramble,
            from_hex("746ebe205d56a0707acb3e796e834e0dd7b1d61743b26bd5202c7a623230c7c9"));
  EXPECT_TRUE(scramble_caching_sha2_password("", nonce)->empty());
}

}  // namespace
}  // namespace grouter::mysql_wire::testing
