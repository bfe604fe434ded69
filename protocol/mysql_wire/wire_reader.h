// WireReader: reads protocol primitives from a payload, the decoding twin of WireWriter (same
// operation names, references instead of values). The first error sticks: later reads do nothing,
// so a walker reads its whole field list and the caller checks once with finish(). Running out of
// input is kNeedMoreBytes; bytes a format forbids are kInvalidInput. The reader views the caller's
// bytes, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include "protocol/mysql_wire/codec_error.h"
#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

class WireReader {
 public:
  static constexpr bool kDecoding = true;

  explicit WireReader(std::span<const std::uint8_t> in) : in_(in) {}

  bool ok() const { return !error_; }
  std::error_code error() const { return error_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  bool at_end() const { return remaining() == 0; }
  std::optional<std::uint8_t> peek() const {
    if (!ok() || at_end()) return std::nullopt;
    return in_[pos_];
  }
  // Records ERRC unless an earlier error is already recorded.
  void fail(CodecErrc errc) {
    if (ok()) error_ = make_error_code(errc);
  }

  void u8(std::uint8_t& v) { v = static_cast<std::uint8_t>(int_le(1)); }
  void u16(std::uint16_t& v) { v = static_cast<std::uint16_t>(int_le(2)); }
  void u24(std::uint32_t& v) { v = static_cast<std::uint32_t>(int_le(3)); }
  void u32(std::uint32_t& v) { v = static_cast<std::uint32_t>(int_le(4)); }
  void u64(std::uint64_t& v) { v = int_le(8); }
  void lenenc(std::uint64_t& v);
  void marker(std::uint8_t expected);
  void filler(std::size_t count) { take(count); }

  template <class Buf>
  void fixed_str(Buf& s, std::size_t size) {
    assign(s, take(size));
  }
  template <class Buf>
  void nul_str(Buf& s);
  template <class Buf>
  void lenenc_str(Buf& s) {
    std::uint64_t size = 0;
    lenenc(size);
    assign(s, take(size));
  }
  template <class Buf>
  void nullable_lenenc_str(std::optional<Buf>& s) {
    if (peek() == kLenencNull) {
      take(1);
      s.reset();
      return;
    }
    s.emplace();
    lenenc_str(*s);
  }
  template <class Buf>
  void u8_str(Buf& s) {
    std::uint8_t size = 0;
    u8(size);
    assign(s, take(size));
  }
  template <class Buf>
  void eof_str(Buf& s) {
    assign(s, take(remaining()));
  }

  // The decoded VALUE, or the first error; trailing bytes are kInvalidInput.
  template <class T>
  std::expected<T, std::error_code> finish(T&& value) {
    if (ok() && !at_end()) fail(CodecErrc::kInvalidInput);
    if (!ok()) return std::unexpected(error_);
    return std::forward<T>(value);
  }

  // The next SIZE bytes (empty after an error or when fewer remain, which records kNeedMoreBytes).
  std::span<const std::uint8_t> take(std::uint64_t size);

 private:
  std::uint64_t int_le(std::size_t bytes);
  template <class Buf>
  static void assign(Buf& s, std::span<const std::uint8_t> bytes) {
    s.assign(bytes.begin(), bytes.end());
  }

  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  std::error_code error_;
};

template <class Buf>
void WireReader::nul_str(Buf& s) {
  if (!ok()) return;
  const auto rest = in_.subspan(pos_);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == 0) {
      assign(s, take(i));
      take(1);
      return;
    }
  }
  fail(CodecErrc::kNeedMoreBytes);
}

}  // namespace grouter::mysql_wire
