// Cutting a byte stream into frames.
#include "routing/frame_buffer.h"

#include "protocol/mysql_wire/frame.h"

namespace grouter::routing {

void FrameBuffer::append(std::span<const std::uint8_t> bytes) {
  if (start_ > 0 && start_ == bytes_.size()) {
    bytes_.clear();
    start_ = 0;
  } else if (start_ > 64 * 1024 && start_ * 2 > bytes_.size()) {
    bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
}

std::optional<std::span<const std::uint8_t>> FrameBuffer::next() {
  std::span<const std::uint8_t> rest(bytes_.data() + start_, bytes_.size() - start_);
  auto frame = mysql_wire::decode_frame(rest);
  if (!frame) return std::nullopt;
  const auto whole = rest.first(frame->size());
  start_ += frame->size();
  return whole;
}

}  // namespace grouter::routing
