// Member ids: UUID validation and v4 generation.
#include "metadata/member_id.h"

#include <array>
#include <cstdint>

namespace grouter::metadata {
namespace {

constexpr std::array<size_t, 4> kDashPositions = {8, 13, 18, 23};
constexpr size_t kUuidLength = 36;

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_dash_position(size_t i) {
  for (size_t p : kDashPositions) {
    if (p == i) return true;
  }
  return false;
}

}  // namespace

bool is_uuid(std::string_view text) {
  if (text.size() != kUuidLength) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool ok = is_dash_position(i) ? text[i] == '-' : is_hex_digit(text[i]);
    if (!ok) return false;
  }
  return true;
}

std::string make_member_id(Random& random) {
  std::array<uint8_t, 16> bytes{};
  const uint64_t high = random.next();
  const uint64_t low = random.next();
  for (size_t i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(high >> (56 - 8 * i));
    bytes[8 + i] = static_cast<uint8_t>(low >> (56 - 8 * i));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(kUuidLength);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (is_dash_position(text.size())) text.push_back('-');
    text.push_back(kHex[bytes[i] >> 4]);
    text.push_back(kHex[bytes[i] & 0x0f]);
  }
  return text;
}

}  // namespace grouter::metadata
