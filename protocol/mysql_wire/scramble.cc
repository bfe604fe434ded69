// Authentication scrambles over OpenSSL EVP digests.
#include "protocol/mysql_wire/scramble.h"

#include <openssl/evp.h>

#include <algorithm>
#include <initializer_list>

#include "protocol/mysql_wire/codec_error.h"

namespace grouter::mysql_wire {
namespace {

// DIGEST over the concatenation of PARTS.
std::expected<Bytes, std::error_code> digest(
    const EVP_MD* md, std::initializer_list<std::span<const std::uint8_t>> parts) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return std::unexpected(make_error_code(CodecErrc::kUnsupported));
  bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1;
  for (const auto part : parts) ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int size = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &size) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::unexpected(make_error_code(CodecErrc::kUnsupported));
  out.resize(size);
  return out;
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Bytes xor_bytes(const Bytes& a, const Bytes& b) {
  Bytes out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] ^ b[i % b.size()];
  return out;
}

}  // namespace

std::span<const std::uint8_t> nonce_of_plugin_data(std::span<const std::uint8_t> data) {
  if (!data.empty() && data.back() == 0) return data.first(data.size() - 1);
  return data;
}

std::expected<Bytes, std::error_code> scramble_native_password(
    std::string_view password, std::span<const std::uint8_t> nonce) {
  if (password.empty()) return Bytes{};
  auto h1 = digest(EVP_sha1(), {bytes_of(password)});
  if (!h1) return h1;
  auto h2 = digest(EVP_sha1(), {*h1});
  if (!h2) return h2;
  auto h3 = digest(EVP_sha1(), {nonce, *h2});
  if (!h3) return h3;
  return xor_bytes(*h1, *h3);
}

std::expected<Bytes, std::error_code> scramble_caching_sha2_password(
    std::string_view password, std::span<const std::uint8_t> nonce) {
  if (password.empty()) return Bytes{};
  auto h1 = digest(EVP_sha256(), {bytes_of(password)});
  if (!h1) return h1;
  auto h2 = digest(EVP_sha256(), {*h1});
  if (!h2) return h2;
  auto h3 = digest(EVP_sha256(), {*h2, nonce});
  if (!h3) return h3;
  return xor_bytes(*h1, *h3);
}

std::expected<Bytes, std::error_code> native_password_stage1(std::string_view password) {
  if (password.empty()) return Bytes{};
  return digest(EVP_sha1(), {bytes_of(password)});
}

std::expected<Bytes, std::error_code> native_password_hash(std::string_view password) {
  auto h1 = digest(EVP_sha1(), {bytes_of(password)});
  if (!h1) return h1;
  return digest(EVP_sha1(), {*h1});
}

std::optional<Bytes> native_password_proof(std::span<const std::uint8_t> reply,
                                           std::span<const std::uint8_t> nonce,
                                           std::span<const std::uint8_t> stored_hash) {
  if (reply.empty() && stored_hash.empty()) return Bytes{};  // an account without a password
  if (reply.size() != kNativeScrambleSize || stored_hash.size() != kNativeScrambleSize) {
    return std::nullopt;
  }
  // reply XOR SHA1(nonce + stored) recovers SHA1(pw), whose SHA1 must be the stored hash.
  auto mask = digest(EVP_sha1(), {nonce, stored_hash});
  if (!mask) return std::nullopt;
  Bytes candidate = xor_bytes(Bytes(reply.begin(), reply.end()), *mask);
  auto check = digest(EVP_sha1(), {candidate});
  if (!check || !std::equal(check->begin(), check->end(), stored_hash.begin(), stored_hash.end())) {
    return std::nullopt;
  }
  return candidate;
}

bool native_password_matches(std::span<const std::uint8_t> reply,
                             std::span<const std::uint8_t> nonce,
                             std::span<const std::uint8_t> stored_hash) {
  return !stored_hash.empty() && native_password_proof(reply, nonce, stored_hash).has_value();
}

std::expected<Bytes, std::error_code> scramble_native_from_proof(
    std::span<const std::uint8_t> proof, std::span<const std::uint8_t> nonce) {
  if (proof.empty()) return Bytes{};
  auto stored = digest(EVP_sha1(), {proof});
  if (!stored) return stored;
  auto mask = digest(EVP_sha1(), {nonce, *stored});
  if (!mask) return mask;
  return xor_bytes(Bytes(proof.begin(), proof.end()), *mask);
}

std::optional<Bytes> parse_native_password_hash(std::string_view text) {
  if (text.empty()) return Bytes{};
  if (text.size() != 1 + 2 * kNativeScrambleSize || text[0] != '*') return std::nullopt;
  Bytes out;
  for (std::size_t i = 1; i < text.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int high = nibble(text[i]);
    const int low = nibble(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  return out;
}

}  // namespace grouter::mysql_wire
