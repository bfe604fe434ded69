// OpenSSL contexts and memory-BIO channels for terminated sessions.
#include "routing/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>

namespace grouter::routing {
namespace {

std::string openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

std::expected<void, std::string> load_pair(SSL_CTX* ctx, const std::string& cert,
                                           const std::string& key, const char* cert_option,
                                           const char* key_option) {
  if (cert.empty()) return {};
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    return std::unexpected(std::string(cert_option) + "=" + cert + ": " + openssl_errors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return std::unexpected(std::string(key_option) + "=" + key + ": " + openssl_errors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return std::unexpected(std::string(key_option) + "=" + key + " does not match " + cert_option +
                           "=" + cert);
  }
  return {};
}

std::expected<void, std::string> apply_ciphers(SSL_CTX* ctx, const std::string& ciphers,
                                               const std::string& curves, const char* prefix) {
  if (!ciphers.empty() && SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1) {
    return std::unexpected(std::string(prefix) + "_cipher=" + ciphers + ": no usable cipher");
  }
  if (!curves.empty() && SSL_CTX_set1_groups_list(ctx, curves.c_str()) != 1) {
    return std::unexpected(std::string(prefix) + "_curves=" + curves + ": unknown curve");
  }
  return {};
}

SslCtxPtr new_context(const SSL_METHOD* method) {
  SslCtxPtr ctx(SSL_CTX_new(method));
  if (ctx) {
    // TLS 1.0 and 1.1 are deprecated by MySQL Router and refused by current OpenSSL defaults.
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  }
  return ctx;
}

std::expected<SslCtxPtr, std::string> accept_context(const SessionConfig& config) {
  SslCtxPtr ctx = new_context(TLS_server_method());
  if (!ctx) return std::unexpected("cannot create a TLS context: " + openssl_errors());
  if (auto ok = load_pair(ctx.get(), config.client_ssl_cert, config.client_ssl_key,
                          "client_ssl_cert", "client_ssl_key");
      !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = apply_ciphers(ctx.get(), config.client_ssl_cipher, config.client_ssl_curves,
                              "client_ssl");
      !ok) {
    return std::unexpected(ok.error());
  }
  if (!config.client_ssl_ca.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), config.client_ssl_ca.c_str(), nullptr) != 1) {
      return std::unexpected("client_ssl_ca=" + config.client_ssl_ca + ": " + openssl_errors());
    }
    // A CA given: ask the client for a certificate and check the one it shows.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  return ctx;
}

std::expected<SslCtxPtr, std::string> connect_context(const SessionConfig& config) {
  SslCtxPtr ctx = new_context(TLS_client_method());
  if (!ctx) return std::unexpected("cannot create a TLS context: " + openssl_errors());
  if (auto ok = load_pair(ctx.get(), config.server_ssl_cert, config.server_ssl_key,
                          "server_ssl_cert", "server_ssl_key");
      !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = apply_ciphers(ctx.get(), config.server_ssl_cipher, config.server_ssl_curves,
                              "server_ssl");
      !ok) {
    return std::unexpected(ok.error());
  }
  if (!config.server_ssl_ca.empty() &&
      SSL_CTX_load_verify_locations(ctx.get(), config.server_ssl_ca.c_str(), nullptr) != 1) {
    return std::unexpected("server_ssl_ca=" + config.server_ssl_ca + ": " + openssl_errors());
  }
  SSL_CTX_set_verify(ctx.get(),
                     config.server_ssl_verify == ServerSslVerify::kDisabled ? SSL_VERIFY_NONE
                                                                             : SSL_VERIFY_PEER,
                     nullptr);
  return ctx;
}

}  // namespace

void SslCtxDeleter::operator()(ssl_ctx_st* ctx) const { SSL_CTX_free(ctx); }

std::expected<std::shared_ptr<const TlsContexts>, std::string> build_tls_contexts(
    const SessionConfig& config) {
  auto contexts = std::make_shared<TlsContexts>();
  contexts->verify = config.server_ssl_verify;
  const ClientSslMode client = config.client_mode();
  if (client == ClientSslMode::kPreferred || client == ClientSslMode::kRequired) {
    auto ctx = accept_context(config);
    if (!ctx) return std::unexpected(ctx.error());
    contexts->accept = std::move(*ctx);
  }
  const ServerSslMode server = config.server_mode();
  const bool server_tls_possible =
      client != ClientSslMode::kPassthrough &&
      (server == ServerSslMode::kPreferred || server == ServerSslMode::kRequired ||
       (server == ServerSslMode::kAsClient && client != ClientSslMode::kDisabled));
  if (server_tls_possible) {
    auto ctx = connect_context(config);
    if (!ctx) return std::unexpected(ctx.error());
    contexts->connect = std::move(*ctx);
  }
  return std::shared_ptr<const TlsContexts>(std::move(contexts));
}

TlsChannel::TlsChannel(ssl_st* ssl) : ssl_(ssl) {
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in_, -1);
  SSL_set_bio(ssl_, in_, out_);
}

TlsChannel::~TlsChannel() { SSL_free(ssl_); }

std::unique_ptr<TlsChannel> TlsChannel::accepting(ssl_ctx_st* ctx) {
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return nullptr;
  SSL_set_accept_state(ssl);
  return std::unique_ptr<TlsChannel>(new TlsChannel(ssl));
}

std::unique_ptr<TlsChannel> TlsChannel::connecting(ssl_ctx_st* ctx, const std::string& host,
                                                   ServerSslVerify verify) {
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return nullptr;
  SSL_set_connect_state(ssl);
  if (verify == ServerSslVerify::kVerifyIdentity) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    // An address is checked against the certificate's IP entries, a name against its DNS ones.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
  }
  return std::unique_ptr<TlsChannel>(new TlsChannel(ssl));
}

void TlsChannel::feed(std::span<const std::uint8_t> ciphertext) {
  if (!ciphertext.empty()) BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

void TlsChannel::record_error(int rc, const char* what) {
  const int code = SSL_get_error(ssl_, rc);
  if (code == SSL_ERROR_ZERO_RETURN) {
    error_ = std::string(what) + ": the peer closed the TLS session";
  } else if (code == SSL_ERROR_SSL) {
    error_ = std::string(what) + ": " + openssl_errors();
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) {
      error_ += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
    }
  } else {
    error_ = std::string(what) + ": TLS error " + std::to_string(code);
  }
}

TlsChannel::Progress TlsChannel::handshake() {
  if (established_) return Progress::kDone;
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    established_ = true;
    return Progress::kDone;
  }
  const int code = SSL_get_error(ssl_, rc);
  if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return Progress::kPending;
  record_error(rc, "TLS handshake failed");
  return Progress::kFailed;
}

bool TlsChannel::read(std::vector<std::uint8_t>& out) {
  ERR_clear_error();
  // Decrypt into a stack buffer and append what came: OUT grows by the plaintext only (an idle
  // session's buffer stays small, and nothing is zero-filled ahead).
  std::array<std::uint8_t, 16 * 1024> chunk;
  for (;;) {
    std::size_t got = 0;
    const int rc = SSL_read_ex(ssl_, chunk.data(), chunk.size(), &got);
    if (rc == 1) {
      out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
      continue;
    }
    const int code = SSL_get_error(ssl_, rc);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return true;
    record_error(rc, "TLS read failed");
    return false;
  }
}

bool TlsChannel::write(std::span<const std::uint8_t> plaintext) {
  ERR_clear_error();
  std::size_t done = 0;
  while (done < plaintext.size()) {
    std::size_t wrote = 0;
    const int rc = SSL_write_ex(ssl_, plaintext.data() + done, plaintext.size() - done, &wrote);
    if (rc != 1) {
      record_error(rc, "TLS write failed");
      return false;
    }
    done += wrote;
  }
  return true;
}

void TlsChannel::take_output(std::vector<std::uint8_t>& out) {
  const std::size_t pending = BIO_ctrl_pending(out_);
  if (pending == 0) return;
  const std::size_t before = out.size();
  out.resize(before + pending);
  const int got = BIO_read(out_, out.data() + before, static_cast<int>(pending));
  out.resize(before + (got > 0 ? static_cast<std::size_t>(got) : 0));
}

std::string TlsChannel::description() const {
  return std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_);
}

}  // namespace grouter::routing
