// WireWriter: appends protocol primitives to a byte vector. It has the same operations, with the
// same names, as WireReader, so that one field-walking template per message (`walk(io, message,
// ...)`) drives both encoding and decoding. Writers take values; readers take references to fill.
// The writer does not own the vector; the vector must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/mysql_wire/lenenc.h"

namespace grouter::mysql_wire {

using Bytes = std::vector<std::uint8_t>;

class WireWriter {
 public:
  static constexpr bool kDecoding = false;

  explicit WireWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  bool ok() const { return true; }  // writing cannot fail; mirrors WireReader::ok()

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) { int_le(v, 2); }
  void u24(std::uint32_t v) { int_le(v, 3); }
  void u32(std::uint32_t v) { int_le(v, 4); }
  void u64(std::uint64_t v) { int_le(v, 8); }
  void lenenc(std::uint64_t v) { append_lenenc_int(out_, v); }
  // A byte whose value the format fixes (a packet marker).
  void marker(std::uint8_t v) { out_.push_back(v); }
  // COUNT filler bytes, written as zeros.
  void filler(std::size_t count) { out_.insert(out_.end(), count, 0); }

  // Strings (std::string) and byte strings (Bytes) alike.
  template <class Buf>
  void fixed_str(const Buf& s, std::size_t size) {
    // The walker sizes fixed fields; a shorter value is padded with zeros, a longer one cut.
    for (std::size_t i = 0; i < size; ++i) {
      out_.push_back(i < s.size() ? static_cast<std::uint8_t>(s[i]) : 0);
    }
  }
  template <class Buf>
  void nul_str(const Buf& s) {
    raw(s);
    out_.push_back(0);
  }
  template <class Buf>
  void lenenc_str(const Buf& s) {
    lenenc(s.size());
    raw(s);
  }
  template <class Buf>
  void nullable_lenenc_str(const std::optional<Buf>& s) {
    if (s) {
      lenenc_str(*s);
    } else {
      out_.push_back(kLenencNull);
    }
  }
  // A string prefixed by a one-byte length (at most 255 bytes; a longer value is cut).
  template <class Buf>
  void u8_str(const Buf& s) {
    const std::size_t size = s.size() < 0xff ? s.size() : 0xff;
    u8(static_cast<std::uint8_t>(size));
    fixed_str(s, size);
  }
  // The rest of the payload.
  template <class Buf>
  void eof_str(const Buf& s) {
    raw(s);
  }

 private:
  void int_le(std::uint64_t v, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  template <class Buf>
  void raw(const Buf& s) {
    for (const auto c : s) out_.push_back(static_cast<std::uint8_t>(c));
  }

  std::vector<std::uint8_t>& out_;
};

}  // namespace grouter::mysql_wire
