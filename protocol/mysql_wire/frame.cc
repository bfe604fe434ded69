// Frame header codec, splitting payloads into frames and putting them back together.
#include "protocol/mysql_wire/frame.h"

#include <algorithm>

#include "protocol/mysql_wire/codec_error.h"

namespace grouter::mysql_wire {

std::expected<FrameHeader, std::error_code> decode_frame_header(std::span<const std::uint8_t> in) {
  if (in.size() < kFrameHeaderSize)
    return std::unexpected(make_error_code(CodecErrc::kNeedMoreBytes));
  const std::uint32_t size = static_cast<std::uint32_t>(in[0]) |
                             (static_cast<std::uint32_t>(in[1]) << 8) |
                             (static_cast<std::uint32_t>(in[2]) << 16);
  return FrameHeader{.payload_size = size, .sequence_id = in[3]};
}

void append_frame_header(std::vector<std::uint8_t>& out, const FrameHeader& header) {
  out.push_back(static_cast<std::uint8_t>(header.payload_size));
  out.push_back(static_cast<std::uint8_t>(header.payload_size >> 8));
  out.push_back(static_cast<std::uint8_t>(header.payload_size >> 16));
  out.push_back(header.sequence_id);
}

std::expected<Frame, std::error_code> decode_frame(std::span<const std::uint8_t> in) {
  auto header = decode_frame_header(in);
  if (!header) return std::unexpected(header.error());
  if (in.size() - kFrameHeaderSize < header->payload_size) {
    return std::unexpected(make_error_code(CodecErrc::kNeedMoreBytes));
  }
  return Frame{.header = *header, .payload = in.subspan(kFrameHeaderSize, header->payload_size)};
}

std::size_t framed_size(std::size_t payload_size) {
  // Every full chunk and the final (possibly empty) one carry a header.
  const std::size_t frames = payload_size / kMaxPayloadSize + 1;
  return payload_size + frames * kFrameHeaderSize;
}

void append_frames(std::vector<std::uint8_t>& out, std::uint8_t& sequence_id,
                   std::span<const std::uint8_t> payload) {
  out.reserve(out.size() + framed_size(payload.size()));
  while (true) {
    const std::size_t chunk = std::min<std::size_t>(payload.size(), kMaxPayloadSize);
    append_frame_header(
        out, {.payload_size = static_cast<std::uint32_t>(chunk), .sequence_id = sequence_id});
    out.insert(out.end(), payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(chunk));
    ++sequence_id;  // uint8_t: wraps at 256
    payload = payload.subspan(chunk);
    if (chunk < kMaxPayloadSize) return;
  }
}

std::expected<ReassembledPayload, std::error_code> reassemble_payload(
    std::span<const std::uint8_t> in, std::size_t max_payload_bytes) {
  // First pass over the headers only: find the end and the total size, check the sequence.
  std::size_t offset = 0;
  std::size_t total = 0;
  std::size_t frames = 0;
  std::uint8_t first_sequence_id = 0;
  std::uint8_t expected_sequence_id = 0;
  while (true) {
    auto header = decode_frame_header(in.subspan(offset));
    if (!header) return std::unexpected(header.error());
    if (frames == 0) {
      first_sequence_id = header->sequence_id;
    } else if (header->sequence_id != expected_sequence_id) {
      return std::unexpected(make_error_code(CodecErrc::kInvalidInput));
    }
    expected_sequence_id = static_cast<std::uint8_t>(header->sequence_id + 1);
    total += header->payload_size;
    ++frames;
    if (total > max_payload_bytes)
      return std::unexpected(make_error_code(CodecErrc::kPayloadTooLarge));
    offset += kFrameHeaderSize;
    if (in.size() - offset < header->payload_size) {
      return std::unexpected(make_error_code(CodecErrc::kNeedMoreBytes));
    }
    offset += header->payload_size;
    if (header->payload_size < kMaxPayloadSize) break;
  }
  ReassembledPayload result{.payload = {},
                            .first_sequence_id = first_sequence_id,
                            .next_sequence_id = expected_sequence_id,
                            .consumed = offset,
                            .frame_count = frames};
  result.payload.reserve(total);
  std::size_t at = 0;
  for (std::size_t i = 0; i < frames; ++i) {
    const auto frame = decode_frame(in.subspan(at));
    result.payload.insert(result.payload.end(), frame->payload.begin(), frame->payload.end());
    at += frame->size();
  }
  return result;
}

}  // namespace grouter::mysql_wire
