// Shared by the libFuzzer targets: reads the parameters a decoder needs (capability flags, column
// counts and types) from the front of the fuzz input, and checks the round trip: whatever decodes
// must encode to bytes that decode to the same value. A broken round trip aborts, which libFuzzer
// reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

namespace grouter::mysql_wire::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : bytes_(data, size) {}

  std::uint8_t take_u8() {
    if (bytes_.empty()) return 0;
    const std::uint8_t v = bytes_[0];
    bytes_ = bytes_.subspan(1);
    return v;
  }
  std::uint32_t take_u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(take_u8()) << (8 * i);
    return v;
  }
  std::span<const std::uint8_t> rest() const { return bytes_; }

 private:
  std::span<const std::uint8_t> bytes_;
};

// DECODE(bytes) -> std::expected<T, error_code>; ENCODE(out, const T&) appends T.
template <class Decode, class Encode>
void check_round_trip(std::span<const std::uint8_t> payload, Decode decode, Encode encode) {
  auto first = decode(payload);
  if (!first) return;
  std::vector<std::uint8_t> encoded;
  encode(encoded, *first);
  auto second = decode(std::span<const std::uint8_t>(encoded));
  if (!second || !(*second == *first)) {
    std::fprintf(stderr, "round trip mismatch: %zu bytes in, %zu bytes re-encoded\n",
                 payload.size(), encoded.size());
    std::abort();
  }
}

// The common target: u32 capabilities first, then the payload for DECODE(p, caps) and
// ENCODE(out, value, caps).
template <class Decode, class Encode>
int round_trip_with_capabilities(const std::uint8_t* data, std::size_t size, Decode decode,
                                 Encode encode) {
  FuzzInput in(data, size);
  const std::uint32_t caps = in.take_u32();
  check_round_trip(
      in.rest(), [&](auto p) { return decode(p, caps); },
      [&](auto& out, const auto& v) { encode(out, v, caps); });
  return 0;
}

// A target whose decoder needs nothing but the payload.
template <class Decode, class Encode>
int round_trip(const std::uint8_t* data, std::size_t size, Decode decode, Encode encode) {
  check_round_trip(std::span<const std::uint8_t>(data, size), decode, encode);
  return 0;
}

}  // namespace grouter::mysql_wire::fuzz
