// Authentication scrambles: what a client sends for a password and a server nonce, and the
// server-side check. mysql_native_password: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))), 20 bytes.
// caching_sha2_password fast auth: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + nonce), 32 bytes.
// An empty password gives an empty reply. Hashes come from OpenSSL's EVP; its failure is
// kUnsupported.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

inline constexpr std::size_t kNativeScrambleSize = 20;
inline constexpr std::size_t kCachingSha2ScrambleSize = 32;

// The nonce inside auth-plugin data as servers send it (without the trailing NUL, if any).
[[nodiscard]] std::span<const std::uint8_t> nonce_of_plugin_data(
    std::span<const std::uint8_t> data);

[[nodiscard]] std::expected<Bytes, std::error_code> scramble_native_password(
    std::string_view password, std::span<const std::uint8_t> nonce);
[[nodiscard]] std::expected<Bytes, std::error_code> scramble_caching_sha2_password(
    std::string_view password, std::span<const std::uint8_t> nonce);

// SHA1(password): the proof a client's mysql_native_password reply carries.
[[nodiscard]] std::expected<Bytes, std::error_code> native_password_stage1(std::string_view password);
// SHA1(SHA1(password)): what a server stores for mysql_native_password.
[[nodiscard]] std::expected<Bytes, std::error_code> native_password_hash(std::string_view password);
// Server side: the SHA1(password) that REPLY, the client's answer to NONCE, proves when it
// matches STORED_HASH (the native_password_hash); nullopt when it does not. An account without a
// password (empty STORED_HASH) is proven by an empty reply, and its proof is empty.
[[nodiscard]] std::optional<Bytes> native_password_proof(std::span<const std::uint8_t> reply,
                                                         std::span<const std::uint8_t> nonce,
                                                         std::span<const std::uint8_t> stored_hash);
// Client side without the password: the mysql_native_password reply to NONCE from a PROOF
// (SHA1(password)), as a proxy that checked the client's own reply logs in elsewhere.
[[nodiscard]] std::expected<Bytes, std::error_code> scramble_native_from_proof(
    std::span<const std::uint8_t> proof, std::span<const std::uint8_t> nonce);
// The stored hash from its text in mysql.user ("*" and 40 hex digits; "" for no password);
// nullopt for anything else.
[[nodiscard]] std::optional<Bytes> parse_native_password_hash(std::string_view text);
// Server side: does REPLY prove knowledge of the password whose native_password_hash is
// STORED_HASH (not empty)?
[[nodiscard]] bool native_password_matches(std::span<const std::uint8_t> reply,
                                           std::span<const std::uint8_t> nonce,
                                           std::span<const std::uint8_t> stored_hash);

}  // namespace grouter::mysql_wire
