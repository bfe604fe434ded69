// Test helpers shared by the routing tests of handshakes (the terminator's and ServerLogin's):
// frames as (sequence id, payload), a MariaDB storage node's greeting and OK, and a self-signed
// certificate made with OpenSSL in a temporary folder for TLS over memory BIOs.
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/server_greeting.h"

namespace grouter::routing::testing {

namespace wire = grouter::mysql_wire;
namespace cap = wire::capability;
using Bytes = std::vector<std::uint8_t>;

inline constexpr std::uint32_t kClientCaps =
    cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth | cap::kTransactions |
    cap::kMultiResults | cap::kConnectWithDb | cap::kLongFlag | cap::kSessionTrack |
    cap::kDeprecateEof;

inline Bytes frame(std::uint8_t sequence_id, const Bytes& payload) {
  Bytes out;
  wire::append_frames(out, sequence_id, payload);
  return out;
}

// The frames in BYTES, as (sequence id, payload).
inline std::vector<std::pair<std::uint8_t, Bytes>> frames_of(const Bytes& bytes) {
  std::vector<std::pair<std::uint8_t, Bytes>> out;
  std::span<const std::uint8_t> rest(bytes);
  while (!rest.empty()) {
    auto f = wire::decode_frame(rest);
    EXPECT_TRUE(f.has_value());
    if (!f) break;
    out.emplace_back(f->header.sequence_id, Bytes(f->payload.begin(), f->payload.end()));
    rest = rest.subspan(f->size());
  }
  return out;
}

inline wire::ServerGreeting node_greeting() {
  wire::ServerGreeting g;
  g.server_version = "5.5.5-10.11.6-MariaDB-0+deb12u1";
  g.connection_id = 42;
  g.nonce = Bytes(20, 0x5a);
  g.capabilities = kClientCaps | cap::kCompress | cap::kSsl | cap::kMultiStatements |
                   cap::kConnectAttrs | cap::kPluginAuthLenencData;
  g.capabilities &= ~cap::kClientMysql;
  g.mariadb_capabilities = wire::mariadb_capability::kStmtBulkOperations;
  g.charset = 45;
  g.status_flags = wire::server_status::kAutocommit;
  g.auth_plugin_name = "mysql_native_password";
  return g;
}

inline Bytes payload_of(const wire::ServerGreeting& g) {
  Bytes out;
  wire::append_server_greeting(out, g);
  return out;
}

inline Bytes ok_payload() {
  Bytes out;
  wire::append_ok_payload(out, wire::OkPacket{}, kClientCaps);
  return out;
}

// A self-signed certificate and key in a temporary folder, for the accepting context.
class TestCertificate {
 public:
  TestCertificate() {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("grouter-routing-test-" + std::to_string(::getpid()) + "-" + std::to_string(next_id_++));
    std::filesystem::create_directories(dir_);
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    FILE* f = std::fopen(cert_path().c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen(key_path().c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  ~TestCertificate() { std::filesystem::remove_all(dir_); }
  std::string cert_path() const { return (dir_ / "cert.pem").string(); }
  std::string key_path() const { return (dir_ / "key.pem").string(); }

 private:
  static inline int next_id_ = 0;
  std::filesystem::path dir_;
};

}  // namespace grouter::routing::testing
