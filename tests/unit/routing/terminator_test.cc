// The terminated handshake, byte for byte, with no sockets: grouter's greeting, the login it
// makes on the storage node with the client's scramble, auth switches, refusals, and TLS to the
// client over memory BIOs (a test certificate made with OpenSSL, test_handshake.h).
#include "routing/terminator.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "tests/unit/routing/test_handshake.h"

namespace grouter::routing::testing {
namespace {

Bytes response_payload(const std::string& plugin, const Bytes& scramble) {
  wire::HandshakeResponse r;
  r.capabilities = kClientCaps;
  r.max_packet_size = 1 << 24;
  r.charset = 45;
  r.user = "app";
  r.auth_response = scramble;
  r.schema = "test";
  r.auth_plugin_name = plugin;
  Bytes out;
  wire::append_handshake_response(out, r);
  return out;
}

struct Harness {
  SessionConfig config;
  std::shared_ptr<const TlsContexts> tls;
  std::unique_ptr<SessionTerminator> terminator;
  TerminatorOutput out;

  explicit Harness(ClientSslMode client, ServerSslMode server = ServerSslMode::kDisabled,
                   std::shared_ptr<const TlsContexts> contexts = nullptr) {
    config.client_ssl_mode = client;
    config.server_ssl_mode = server;
    tls = std::move(contexts);
    terminator = std::make_unique<SessionTerminator>(config, tls, "t", "127.0.0.1");
  }
  SessionTerminator::Event server(const Bytes& bytes) {
    out = {};
    return terminator->on_server_bytes(bytes, out);
  }
  SessionTerminator::Event client(const Bytes& bytes) {
    out = {};
    return terminator->on_client_bytes(bytes, out);
  }
  // The node greets and the client answers for mysql_native_password; the login is on its way.
  void up_to_the_nodes_verdict() {
    (void)server(frame(0, payload_of(node_greeting())));
    (void)client(frame(1, response_payload("mysql_native_password", Bytes(20, 1))));
  }
};

TEST(Terminator, GreetsWithTheNodesNonceAndLogsInWithTheClientsScramble) {
  Harness h(ClientSslMode::kDisabled);
  EXPECT_EQ(h.server(frame(0, payload_of(node_greeting()))), SessionTerminator::Event::kContinue);
  EXPECT_TRUE(h.out.to_server.empty());
  auto greeting_frames = frames_of(h.out.to_client);
  ASSERT_EQ(greeting_frames.size(), 1u);
  EXPECT_EQ(greeting_frames[0].first, 0);
  auto mine = wire::decode_server_greeting(greeting_frames[0].second);
  ASSERT_TRUE(mine.has_value());
  EXPECT_EQ(mine->nonce, node_greeting().nonce);
  EXPECT_EQ(mine->server_version, node_greeting().server_version);
  EXPECT_EQ(mine->capabilities & cap::kCompress, 0u);  // never offered
  EXPECT_EQ(mine->capabilities & cap::kSsl, 0u);       // client_ssl_mode = DISABLED
  EXPECT_NE(mine->capabilities & cap::kMultiStatements, 0u);
  EXPECT_EQ(mine->auth_plugin_name, "mysql_native_password");

  const Bytes scramble(20, 0x11);
  EXPECT_EQ(h.client(frame(1, response_payload("mysql_native_password", scramble))),
            SessionTerminator::Event::kContinue);
  EXPECT_TRUE(h.out.to_client.empty());
  auto login_frames = frames_of(h.out.to_server);
  ASSERT_EQ(login_frames.size(), 1u);
  EXPECT_EQ(login_frames[0].first, 1);
  auto login = wire::decode_handshake_response(login_frames[0].second);
  ASSERT_TRUE(login.has_value());
  EXPECT_EQ(login->user, "app");
  EXPECT_EQ(login->auth_response, scramble);
  EXPECT_EQ(login->schema, "test");
  EXPECT_EQ(login->capabilities & cap::kSsl, 0u);

  EXPECT_EQ(h.server(frame(2, ok_payload())), SessionTerminator::Event::kAuthenticated);
  auto ok_frames = frames_of(h.out.to_client);
  ASSERT_EQ(ok_frames.size(), 1u);
  EXPECT_EQ(ok_frames[0].first, 2);
  EXPECT_TRUE(h.terminator->authenticated());
  EXPECT_TRUE(h.terminator->transparent());
}

TEST(Terminator, AClientOnAnotherPluginIsAskedToSwitchToNativeWithTheSameNonce) {
  Harness h(ClientSslMode::kDisabled);
  (void)h.server(frame(0, payload_of(node_greeting())));
  EXPECT_EQ(h.client(frame(1, response_payload("caching_sha2_password", Bytes(32, 0x22)))),
            SessionTerminator::Event::kContinue);
  EXPECT_TRUE(h.out.to_server.empty());
  auto switch_frames = frames_of(h.out.to_client);
  ASSERT_EQ(switch_frames.size(), 1u);
  EXPECT_EQ(switch_frames[0].first, 2);
  auto request = wire::decode_auth_switch_request(switch_frames[0].second);
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->plugin_name, "mysql_native_password");
  Bytes expected_data = node_greeting().nonce;
  expected_data.push_back(0);
  EXPECT_EQ(request->plugin_data, expected_data);

  const Bytes scramble(20, 0x33);
  (void)h.client(frame(3, scramble));
  auto login = wire::decode_handshake_response(frames_of(h.out.to_server).at(0).second);
  ASSERT_TRUE(login.has_value());
  EXPECT_EQ(login->auth_response, scramble);
  EXPECT_EQ(login->auth_plugin_name, "mysql_native_password");
  EXPECT_EQ(h.server(frame(2, ok_payload())), SessionTerminator::Event::kAuthenticated);
  EXPECT_EQ(frames_of(h.out.to_client).at(0).first, 4);
}

TEST(Terminator, TheNodesRefusalReachesTheClientWithTheClientsSequenceId) {
  Harness h(ClientSslMode::kDisabled);
  h.up_to_the_nodes_verdict();
  Bytes err;
  wire::append_err_payload(err, {1045, "28000", "Access denied for user 'app'@'localhost' (using password: YES)"},
                           cap::kProtocol41);
  EXPECT_EQ(h.server(frame(2, err)), SessionTerminator::Event::kDone);
  auto frames = frames_of(h.out.to_client);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].first, 2);
  EXPECT_EQ(frames[0].second, err);
  EXPECT_FALSE(h.terminator->authenticated());
}

TEST(Terminator, AnAccountOnAnotherPluginGetsAClearError) {
  Harness h(ClientSslMode::kDisabled);
  h.up_to_the_nodes_verdict();
  Bytes switch_request;
  wire::append_auth_switch_request(switch_request, {"client_ed25519", Bytes(32, 7)});
  EXPECT_EQ(h.server(frame(2, switch_request)), SessionTerminator::Event::kDone);
  auto err = wire::decode_err_payload(frames_of(h.out.to_client).at(0).second, cap::kProtocol41);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->error_code, 1251);
  EXPECT_NE(err->message.find("'client_ed25519'"), std::string::npos) << err->message;
  EXPECT_NE(err->message.find("PASSTHROUGH"), std::string::npos) << err->message;
}

TEST(Terminator, BrokenClientHandshakesAreFaults) {
  {
    Harness h(ClientSslMode::kDisabled);
    (void)h.server(frame(0, payload_of(node_greeting())));
    EXPECT_EQ(h.client(frame(5, response_payload("mysql_native_password", {}))),
              SessionTerminator::Event::kClientFault);  // wrong sequence id
    auto err = wire::decode_err_payload(frames_of(h.out.to_client).at(0).second, cap::kProtocol41);
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->error_code, 1043);
  }
  {
    Harness h(ClientSslMode::kDisabled);
    (void)h.server(frame(0, payload_of(node_greeting())));
    EXPECT_EQ(h.client(frame(1, Bytes{0x01, 0x02})), SessionTerminator::Event::kClientFault);
  }
  {
    Harness h(ClientSslMode::kDisabled);
    (void)h.server(frame(0, payload_of(node_greeting())));
    // A header announcing 16 MiB: refused at once, never buffered.
    EXPECT_EQ(h.client(Bytes{0xff, 0xff, 0xff, 0x01}), SessionTerminator::Event::kClientFault);
  }
  {
    Harness h(ClientSslMode::kDisabled);  // TLS asked for but not offered
    (void)h.server(frame(0, payload_of(node_greeting())));
    Bytes ssl_request;
    wire::append_ssl_request(ssl_request, {kClientCaps | cap::kSsl, 1 << 24, 45, 0});
    EXPECT_EQ(h.client(frame(1, ssl_request)), SessionTerminator::Event::kClientFault);
  }
}

// --- TLS to the client --------------------------------------------------------------------

TEST(Terminator, TlsToTheClientThenAPlainLoginOnTheNode) {
  TestCertificate certificate;
  SessionConfig tls_config;
  tls_config.client_ssl_mode = ClientSslMode::kRequired;
  tls_config.server_ssl_mode = ServerSslMode::kDisabled;
  tls_config.client_ssl_cert = certificate.cert_path();
  tls_config.client_ssl_key = certificate.key_path();
  auto contexts = build_tls_contexts(tls_config);
  ASSERT_TRUE(contexts.has_value()) << contexts.error();
  Harness h(ClientSslMode::kRequired, ServerSslMode::kDisabled, *contexts);

  (void)h.server(frame(0, payload_of(node_greeting())));
  auto mine = wire::decode_server_greeting(frames_of(h.out.to_client).at(0).second);
  ASSERT_TRUE(mine.has_value());
  EXPECT_NE(mine->capabilities & cap::kSsl, 0u);

  // The client: SSLRequest, then a TLS client over memory BIOs.
  Bytes ssl_request;
  wire::append_ssl_request(ssl_request, {kClientCaps | cap::kSsl, 1 << 24, 45, 0});
  SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
  auto client = TlsChannel::connecting(client_ctx.get(), "127.0.0.1", ServerSslVerify::kDisabled);
  ASSERT_NE(client, nullptr);
  ASSERT_EQ(client->handshake(), TlsChannel::Progress::kPending);
  Bytes hello = frame(1, ssl_request);
  client->take_output(hello);  // the ClientHello in the same read as the SSLRequest
  EXPECT_EQ(h.client(hello), SessionTerminator::Event::kContinue);
  for (int round = 0; round < 10 && !client->established(); ++round) {
    client->feed(h.out.to_client);
    (void)client->handshake();
    Bytes next;
    client->take_output(next);
    EXPECT_EQ(h.client(next), SessionTerminator::Event::kContinue);
  }
  ASSERT_TRUE(client->established());
  client->feed(h.out.to_client);  // session tickets, if any

  ASSERT_TRUE(client->write(frame(2, response_payload("mysql_native_password", Bytes(20, 9)))));
  Bytes encrypted;
  client->take_output(encrypted);
  EXPECT_EQ(h.client(encrypted), SessionTerminator::Event::kContinue);
  auto login = wire::decode_handshake_response(frames_of(h.out.to_server).at(0).second);
  ASSERT_TRUE(login.has_value());
  EXPECT_EQ(login->user, "app");
  EXPECT_EQ(login->capabilities & cap::kSsl, 0u);  // server_ssl_mode = DISABLED

  EXPECT_EQ(h.server(frame(2, ok_payload())), SessionTerminator::Event::kAuthenticated);
  EXPECT_FALSE(h.terminator->transparent());
  client->feed(h.out.to_client);
  Bytes plain;
  ASSERT_TRUE(client->read(plain));
  auto ok_frames = frames_of(plain);
  ASSERT_EQ(ok_frames.size(), 1u);
  EXPECT_EQ(ok_frames[0].first, 3);

  // The command phase: the client's bytes reach the node decrypted, the node's reach it encrypted.
  const Bytes ping = frame(0, Bytes{0x0e});
  ASSERT_TRUE(client->write(ping));
  Bytes ping_encrypted;
  client->take_output(ping_encrypted);
  (void)h.client(ping_encrypted);
  EXPECT_EQ(h.out.to_server, ping);
  (void)h.server(frame(1, ok_payload()));
  client->feed(h.out.to_client);
  plain.clear();
  ASSERT_TRUE(client->read(plain));
  EXPECT_EQ(plain, frame(1, ok_payload()));
}

TEST(Terminator, RequiredRefusesAPlainClientWithTheSecureTransportError) {
  TestCertificate certificate;
  SessionConfig tls_config;
  tls_config.client_ssl_mode = ClientSslMode::kRequired;
  tls_config.client_ssl_cert = certificate.cert_path();
  tls_config.client_ssl_key = certificate.key_path();
  auto contexts = build_tls_contexts(tls_config);
  ASSERT_TRUE(contexts.has_value()) << contexts.error();
  Harness h(ClientSslMode::kRequired, ServerSslMode::kDisabled, *contexts);
  (void)h.server(frame(0, payload_of(node_greeting())));
  EXPECT_EQ(h.client(frame(1, response_payload("mysql_native_password", Bytes(20, 1)))),
            SessionTerminator::Event::kDone);
  EXPECT_TRUE(h.out.to_server.empty());
  auto err = wire::decode_err_payload(frames_of(h.out.to_client).at(0).second, cap::kProtocol41);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->error_code, 4188);  // MariaDB's ER_SECURE_TRANSPORT_REQUIRED
}

TEST(Terminator, BadCertificateFilesAreNamedAtBuild) {
  SessionConfig config;
  config.client_ssl_mode = ClientSslMode::kPreferred;
  config.client_ssl_cert = "/nonexistent/cert.pem";
  config.client_ssl_key = "/nonexistent/key.pem";
  auto contexts = build_tls_contexts(config);
  ASSERT_FALSE(contexts.has_value());
  EXPECT_EQ(contexts.error().rfind("client_ssl_cert=/nonexistent/cert.pem: ", 0), 0u)
      << contexts.error();
}

}  // namespace
}  // namespace grouter::routing::testing
