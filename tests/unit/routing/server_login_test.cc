// grouter's login on a storage node from a client's proof, byte for byte, with no sockets: the
// node's side is played here with the codec (and, for the TLS leg, an accepting TlsChannel over
// memory BIOs with a certificate made in the test). Every scramble is checked the way the node
// checks it, against the stored hash of the password.
#include "routing/server_login.h"

#include <gtest/gtest.h>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/scramble.h"
#include "routing/server_leg.h"
#include "tests/unit/routing/test_handshake.h"

namespace grouter::routing::testing {
namespace {

constexpr const char* kPassword = "app_pw";

Bytes stored_hash() {
  return *wire::native_password_hash(kPassword);
}

// SHA1(password), as grouter learns it from a client's proven reply.
Bytes proof() {
  const Bytes nonce(20, 0x01);
  const Bytes reply = *wire::scramble_native_password(kPassword, nonce);
  return *wire::native_password_proof(reply, nonce, stored_hash());
}

LoginRequest request(ServerSslMode mode = ServerSslMode::kDisabled) {
  LoginRequest r;
  r.user = "app";
  r.proof = proof();
  r.schema = "test";
  r.capabilities = kClientCaps | cap::kCompress | cap::kConnectAttrs;
  r.mariadb_capabilities =
      wire::mariadb_capability::kStmtBulkOperations | wire::mariadb_capability::kProgress;
  r.attributes = {{"_client_name", "grouter"}};
  r.server_ssl_mode = mode;
  r.host = "127.0.0.1";
  return r;
}

struct Step {
  ServerLogin::Event event;
  Bytes to_node;
  Bytes plaintext;
};

Step feed(ServerLogin& login, const Bytes& bytes) {
  Step step{};
  step.event = login.on_node_bytes(bytes, step.to_node, step.plaintext);
  return step;
}

wire::HandshakeResponse response_in(const Bytes& to_node, std::uint8_t sequence_id) {
  auto frames = frames_of(to_node);
  EXPECT_EQ(frames.size(), 1u);
  if (frames.empty()) return {};
  EXPECT_EQ(frames[0].first, sequence_id);
  auto response = wire::decode_handshake_response(frames[0].second);
  EXPECT_TRUE(response.has_value());
  return response.value_or(wire::HandshakeResponse{});
}

Bytes err_payload(std::uint16_t code, const std::string& state, const std::string& message) {
  Bytes out;
  wire::append_err_payload(out, {code, state, message}, cap::kProtocol41);
  return out;
}

TEST(ServerLogin, AnswersTheGreetingWithTheScrambleOfTheProofForTheNodesNonce) {
  ServerLogin login(request());
  Step step = feed(login, frame(0, payload_of(node_greeting())));
  EXPECT_EQ(step.event, ServerLogin::Event::kContinue);
  const wire::HandshakeResponse response = response_in(step.to_node, 1);
  EXPECT_EQ(response.user, "app");
  EXPECT_EQ(response.schema, "test");
  EXPECT_EQ(response.auth_plugin_name, "mysql_native_password");
  EXPECT_EQ(response.auth_response,
            *wire::scramble_native_from_proof(proof(), node_greeting().nonce));
  // The node checks it against its stored hash, as for a client that knows the password.
  EXPECT_TRUE(
      wire::native_password_matches(response.auth_response, node_greeting().nonce, stored_hash()));
  EXPECT_EQ(response.capabilities & (cap::kCompress | cap::kSsl), 0u);
  EXPECT_NE(response.capabilities & cap::kConnectWithDb, 0u);
  EXPECT_NE(response.capabilities & cap::kConnectAttrs, 0u);
  EXPECT_EQ(response.mariadb_capabilities, wire::mariadb_capability::kStmtBulkOperations);
  EXPECT_EQ(response.attributes, request().attributes);
  EXPECT_FALSE(login.send(Bytes{1}, step.to_node));  // not before the login

  // The OK, and a byte after it (a real node sends none): that byte is the caller's.
  Bytes ok = frame(2, ok_payload());
  ok.push_back(0x7f);
  step = feed(login, ok);
  EXPECT_EQ(step.event, ServerLogin::Event::kLoggedIn);
  EXPECT_TRUE(step.to_node.empty());
  EXPECT_EQ(step.plaintext, Bytes{0x7f});
  EXPECT_TRUE(login.logged_in());
  EXPECT_EQ(login.result().connection_id, 42u);
  EXPECT_EQ(login.result().server_version, node_greeting().server_version);
  EXPECT_EQ(login.result().capabilities, response.capabilities);
  EXPECT_FALSE(login.result().tls);

  // The command phase: bytes unchanged both ways.
  const Bytes query = frame(0, Bytes{0x03, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'});
  Bytes out;
  ASSERT_TRUE(login.send(query, out));
  EXPECT_EQ(out, query);
  step = feed(login, frame(1, ok_payload()));
  EXPECT_EQ(step.event, ServerLogin::Event::kContinue);
  EXPECT_EQ(step.plaintext, frame(1, ok_payload()));
}

TEST(ServerLogin, EveryProperPrefixOfTheGreetingWaitsForMore) {
  const Bytes greeting = frame(0, payload_of(node_greeting()));
  ServerLogin login(request());
  for (std::size_t i = 0; i + 1 < greeting.size(); ++i) {
    Step step = feed(login, Bytes{greeting[i]});
    ASSERT_EQ(step.event, ServerLogin::Event::kContinue) << "after byte " << i;
    ASSERT_TRUE(step.to_node.empty()) << "after byte " << i;
  }
  Step step = feed(login, Bytes{greeting.back()});
  EXPECT_EQ(step.event, ServerLogin::Event::kContinue);
  EXPECT_EQ(response_in(step.to_node, 1).user, "app");
}

TEST(ServerLogin, AnAccountWithoutPasswordSendsAnEmptyReplyAndNoSchemaMeansNone) {
  LoginRequest r = request();
  r.proof.clear();
  r.schema.clear();
  ServerLogin login(std::move(r));
  Step step = feed(login, frame(0, payload_of(node_greeting())));
  const wire::HandshakeResponse response = response_in(step.to_node, 1);
  EXPECT_TRUE(response.auth_response.empty());
  EXPECT_EQ(response.capabilities & cap::kConnectWithDb, 0u);
}

TEST(ServerLogin, ANativeAuthSwitchIsAnsweredForItsNewNonce) {
  ServerLogin login(request());
  (void)feed(login, frame(0, payload_of(node_greeting())));
  const Bytes new_nonce(20, 0x6b);
  wire::AuthSwitchRequest switch_request{"mysql_native_password", new_nonce};
  switch_request.plugin_data.push_back(0);
  Bytes payload;
  wire::append_auth_switch_request(payload, switch_request);
  Step step = feed(login, frame(2, payload));
  EXPECT_EQ(step.event, ServerLogin::Event::kContinue);
  auto frames = frames_of(step.to_node);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].first, 3);
  EXPECT_EQ(frames[0].second, *wire::scramble_native_from_proof(proof(), new_nonce));
  EXPECT_TRUE(wire::native_password_matches(frames[0].second, new_nonce, stored_hash()));
  EXPECT_EQ(feed(login, frame(4, ok_payload())).event, ServerLogin::Event::kLoggedIn);
}

TEST(ServerLogin, ASecondAuthSwitchFails) {
  ServerLogin login(request());
  (void)feed(login, frame(0, payload_of(node_greeting())));
  Bytes payload;
  wire::append_auth_switch_request(payload, {"mysql_native_password", Bytes(21, 0x6b)});
  EXPECT_EQ(feed(login, frame(2, payload)).event, ServerLogin::Event::kContinue);
  EXPECT_EQ(feed(login, frame(4, payload)).event, ServerLogin::Event::kFailed);
  EXPECT_EQ(login.error().code, 2013);
}

TEST(ServerLogin, ASwitchToAnotherPluginFailsNamingIt) {
  ServerLogin login(request());
  (void)feed(login, frame(0, payload_of(node_greeting())));
  Bytes payload;
  wire::append_auth_switch_request(payload, {"client_ed25519", Bytes(32, 7)});
  Step step = feed(login, frame(2, payload));
  EXPECT_EQ(step.event, ServerLogin::Event::kFailed);
  EXPECT_TRUE(step.to_node.empty());
  EXPECT_EQ(login.error().code, 1251);
  EXPECT_NE(login.error().message.find("'client_ed25519'"), std::string::npos)
      << login.error().message;
  // Nothing more is taken or sent.
  EXPECT_EQ(feed(login, frame(3, ok_payload())).event, ServerLogin::Event::kFailed);
}

TEST(ServerLogin, TheNodesErrIsTheError) {
  ServerLogin login(request());
  (void)feed(login, frame(0, payload_of(node_greeting())));
  const std::string message = "Access denied for user 'app'@'localhost' (using password: YES)";
  Step step = feed(login, frame(2, err_payload(1045, "28000", message)));
  EXPECT_EQ(step.event, ServerLogin::Event::kFailed);
  EXPECT_EQ(login.error().code, 1045);
  EXPECT_EQ(login.error().sql_state, "28000");
  EXPECT_EQ(login.error().message, message);
  EXPECT_FALSE(login.logged_in());
}

TEST(ServerLogin, ARefusalInsteadOfAGreetingIsTheError) {
  ServerLogin login(request());
  Bytes err;
  wire::append_err_payload(err, {1040, "", "Too many connections"}, 0);
  EXPECT_EQ(feed(login, frame(0, err)).event, ServerLogin::Event::kFailed);
  EXPECT_EQ(login.error().code, 1040);
  EXPECT_EQ(login.error().sql_state, "HY000");
  EXPECT_EQ(login.error().message, "Too many connections");
}

TEST(ServerLogin, BrokenNodesFail) {
  {
    ServerLogin login(request());
    EXPECT_EQ(feed(login, frame(0, Bytes{0x09, 'x'})).event, ServerLogin::Event::kFailed);
    EXPECT_EQ(login.error().code, 2003);
  }
  {
    ServerLogin login(request());  // a header announcing 16 MiB: refused at once
    EXPECT_EQ(feed(login, Bytes{0xff, 0xff, 0xff, 0x00}).event, ServerLogin::Event::kFailed);
    EXPECT_EQ(login.error().code, 2013);
  }
  {
    ServerLogin login(request());
    (void)feed(login, frame(0, payload_of(node_greeting())));
    EXPECT_EQ(feed(login, frame(2, Bytes{0x01, 0x04})).event, ServerLogin::Event::kFailed);
    EXPECT_EQ(login.error().code, 1251);  // more data: some other plugin
  }
}

// The node's greeting without CLIENT_SSL.
Bytes plain_greeting() {
  wire::ServerGreeting greeting = node_greeting();
  greeting.capabilities &= ~cap::kSsl;
  return frame(0, payload_of(greeting));
}

TEST(ServerLogin, RequiredFailsWhenTheNodeOffersNoTls) {
  ServerLogin login(request(ServerSslMode::kRequired));
  Step step = feed(login, plain_greeting());
  EXPECT_EQ(step.event, ServerLogin::Event::kFailed);
  EXPECT_TRUE(step.to_node.empty());
  EXPECT_EQ(login.error().code, 2026);
  EXPECT_NE(login.error().message.find("REQUIRED"), std::string::npos) << login.error().message;
}

TEST(ServerLogin, TheTlsDecisionFollowsServerSslMode) {
  using enum ServerSslMode;
  EXPECT_EQ(decide_server_tls(kDisabled, true, true), ServerTls::kPlain);
  EXPECT_EQ(decide_server_tls(kPreferred, true, false), ServerTls::kTls);
  EXPECT_EQ(decide_server_tls(kPreferred, false, true), ServerTls::kPlain);
  EXPECT_EQ(decide_server_tls(kRequired, true, false), ServerTls::kTls);
  EXPECT_EQ(decide_server_tls(kRequired, false, false), ServerTls::kNodeLacksTls);
  EXPECT_EQ(decide_server_tls(kAsClient, true, true), ServerTls::kTls);
  EXPECT_EQ(decide_server_tls(kAsClient, true, false), ServerTls::kPlain);
  EXPECT_EQ(decide_server_tls(kAsClient, false, true), ServerTls::kNodeLacksTls);
}

TEST(ServerLogin, PreferredWithoutTlsOnTheNodeLogsInPlain) {
  ServerLogin login(request(ServerSslMode::kPreferred));
  Step step = feed(login, plain_greeting());
  EXPECT_EQ(step.event, ServerLogin::Event::kContinue);
  EXPECT_EQ(response_in(step.to_node, 1).capabilities & cap::kSsl, 0u);
}

// --- the TLS leg ----------------------------------------------------------------------------

// The node's end of the TLS leg: an accepting TlsChannel with a certificate made in the test.
class TlsNode {
 public:
  TlsNode() {
    SessionConfig config;
    config.client_ssl_mode = ClientSslMode::kRequired;
    config.client_ssl_cert = certificate_.cert_path();
    config.client_ssl_key = certificate_.key_path();
    auto contexts = build_tls_contexts(config);
    EXPECT_TRUE(contexts.has_value());
    if (contexts) contexts_ = *contexts;
    channel_ = TlsChannel::accepting(contexts_->accept.get());
  }
  TlsChannel& channel() { return *channel_; }
  // Plaintext the node decrypted from CIPHERTEXT (which may end its handshake: under TLS 1.3
  // the client is done first, and its Finished and first record travel together).
  Bytes receive(const Bytes& ciphertext) {
    channel_->feed(ciphertext);
    EXPECT_EQ(channel_->handshake(), TlsChannel::Progress::kDone) << channel_->error();
    Bytes plain;
    EXPECT_TRUE(channel_->read(plain)) << channel_->error();
    return plain;
  }
  Bytes encrypt(const Bytes& plaintext) {
    EXPECT_TRUE(channel_->write(plaintext));
    Bytes out;
    channel_->take_output(out);
    return out;
  }

 private:
  TestCertificate certificate_;
  std::shared_ptr<const TlsContexts> contexts_;
  std::unique_ptr<TlsChannel> channel_;
};

std::shared_ptr<const TlsContexts> connect_contexts(
    ServerSslVerify verify = ServerSslVerify::kDisabled) {
  SessionConfig config;
  config.client_ssl_mode = ClientSslMode::kDisabled;
  config.server_ssl_mode = ServerSslMode::kRequired;
  config.server_ssl_verify = verify;  // without a CA: nothing is trusted
  auto contexts = build_tls_contexts(config);
  EXPECT_TRUE(contexts.has_value());
  return contexts.value_or(nullptr);
}

// Runs the TLS handshake between LOGIN and NODE from FIRST, LOGIN's answer to the greeting
// (the SSLRequest, checked here, and the ClientHello), until it ends or fails; the last step.
Step run_tls_handshake(TlsNode& node, ServerLogin& login, Step first) {
  auto ssl_frame = wire::decode_frame(first.to_node);
  EXPECT_TRUE(ssl_frame.has_value());
  if (!ssl_frame) return first;
  EXPECT_EQ(ssl_frame->header.sequence_id, 1);
  auto ssl_request = wire::decode_ssl_request(ssl_frame->payload);
  EXPECT_TRUE(wire::is_ssl_request(ssl_frame->payload) && ssl_request.has_value());
  if (!ssl_request) return first;
  EXPECT_NE(ssl_request->capabilities & cap::kSsl, 0u);
  EXPECT_EQ(ssl_request->capabilities & cap::kCompress, 0u);
  Step step = first;
  step.to_node.erase(step.to_node.begin(),
                     step.to_node.begin() + static_cast<std::ptrdiff_t>(ssl_frame->size()));
  for (int round = 0;
       round < 10 && step.event == ServerLogin::Event::kContinue && !login.result().tls; ++round) {
    node.channel().feed(step.to_node);
    (void)node.channel().handshake();
    Bytes from_node;
    node.channel().take_output(from_node);
    step = feed(login, from_node);
  }
  return step;
}

TEST(ServerLogin, RequiredRunsTlsThenLogsInAndEncryptsTheStream) {
  TlsNode node;
  LoginRequest r = request(ServerSslMode::kRequired);
  r.tls = connect_contexts();
  ServerLogin login(std::move(r));
  Step step = run_tls_handshake(node, login, feed(login, frame(0, payload_of(node_greeting()))));
  ASSERT_EQ(step.event, ServerLogin::Event::kContinue) << login.error().message;
  ASSERT_TRUE(login.result().tls);
  EXPECT_NE(login.result().tls_description.find("TLS"), std::string::npos);

  // The HandshakeResponse, encrypted, sequence id 2.
  const wire::HandshakeResponse response = response_in(node.receive(step.to_node), 2);
  EXPECT_NE(response.capabilities & cap::kSsl, 0u);
  EXPECT_TRUE(
      wire::native_password_matches(response.auth_response, node_greeting().nonce, stored_hash()));

  step = feed(login, node.encrypt(frame(3, ok_payload())));
  EXPECT_EQ(step.event, ServerLogin::Event::kLoggedIn);
  EXPECT_TRUE(step.plaintext.empty());

  const Bytes ping = frame(0, Bytes{0x0e});
  Bytes encrypted;
  ASSERT_TRUE(login.send(ping, encrypted));
  EXPECT_NE(encrypted, ping);
  EXPECT_EQ(node.receive(encrypted), ping);
  step = feed(login, node.encrypt(frame(1, ok_payload())));
  EXPECT_EQ(step.event, ServerLogin::Event::kContinue);
  EXPECT_EQ(step.plaintext, frame(1, ok_payload()));
}

TEST(ServerLogin, ATlsLegWithoutAContextFails) {
  ServerLogin login(request(ServerSslMode::kRequired));  // no TlsContexts given
  EXPECT_EQ(feed(login, frame(0, payload_of(node_greeting()))).event, ServerLogin::Event::kFailed);
  EXPECT_EQ(login.error().code, 2026);
}

TEST(ServerLogin, VerifyIdentityRefusesANodeWhoseCertificateIsNotTrusted) {
  TlsNode node;
  LoginRequest r = request(ServerSslMode::kRequired);
  r.tls = connect_contexts(ServerSslVerify::kVerifyIdentity);
  ServerLogin login(std::move(r));
  Step step = run_tls_handshake(node, login, feed(login, frame(0, payload_of(node_greeting()))));
  EXPECT_EQ(step.event, ServerLogin::Event::kFailed);
  EXPECT_EQ(login.error().code, 2026);
  EXPECT_NE(login.error().message.find("certificate"), std::string::npos) << login.error().message;
}

}  // namespace
}  // namespace grouter::routing::testing
