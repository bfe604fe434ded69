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

std::expected<Bytes, std::error_code> native_password_hash(std::string_view password) {
  auto h1 = digest(EVP_sha1(), {bytes_of(password)});
  if (!h1) return h1;
  return digest(EVP_sha1(), {*h1});
}

bool native_password_matches(std::span<const std::uint8_t> reply,
                             std::span<const std::uint8_t> nonce,
                             std::span<const std::uint8_t> stored_hash) {
  if (reply.size() != kNativeScrambleSize || stored_hash.size() != kNativeScrambleSize)
    return false;
  // reply XOR SHA1(nonce + stored) recovers SHA1(pw), whose SHA1 must be the stored hash.
  auto mask = digest(EVP_sha1(), {nonce, stored_hash});
  if (!mask) return false;
  const Bytes candidate = xor_bytes(Bytes(reply.begin(), reply.end()), *mask);
  auto check = digest(EVP_sha1(), {candidate});
  return check && std::equal(check->begin(), check->end(), stored_hash.begin(), stored_hash.end());
}

}  // namespace grouter::mysql_wire
