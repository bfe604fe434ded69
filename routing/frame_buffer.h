// Bytes of one direction of a MySQL stream, cut into whole frames (header and payload) as they
// complete. Pure. A frame is at most 4 + 16 MiB - 1 bytes, which bounds what it holds beyond
// what the caller already consumed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace grouter::routing {

class FrameBuffer {
 public:
  void append(std::span<const std::uint8_t> bytes);
  // The next whole frame, valid until the next call; nullopt while it is incomplete.
  std::optional<std::span<const std::uint8_t>> next();
  std::size_t buffered() const { return bytes_.size() - start_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t start_ = 0;  // the first byte not yet handed out
};

}  // namespace grouter::routing
