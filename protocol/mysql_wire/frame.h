// Frames of the MySQL client/server protocol: a 4-byte header (3-byte little-endian payload size,
// 1-byte sequence id) before each payload. A payload of kMaxPayloadSize bytes or more travels as
// several frames of kMaxPayloadSize bytes, the last one shorter; when the size is an exact multiple
// of kMaxPayloadSize, an empty frame ends it. Pure functions over caller-owned buffers; spans
// returned point into the input and live as long as it does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <system_error>
#include <vector>

namespace grouter::mysql_wire {

inline constexpr std::size_t kFrameHeaderSize = 4;
inline constexpr std::uint32_t kMaxPayloadSize = 0xffffff;

struct FrameHeader {
  std::uint32_t payload_size;
  std::uint8_t sequence_id;

  bool operator==(const FrameHeader&) const = default;
};

// One frame: its header and its payload (a view into the input).
struct Frame {
  FrameHeader header;
  std::span<const std::uint8_t> payload;

  std::size_t size() const { return kFrameHeaderSize + payload.size(); }
};

// A payload put back together from one or more frames.
struct ReassembledPayload {
  std::vector<std::uint8_t> payload;
  std::uint8_t first_sequence_id;
  std::uint8_t next_sequence_id;  // the sequence id the next frame of the exchange carries
  std::size_t consumed;           // bytes of input the frames took, headers included
  std::size_t frame_count;
};

// kNeedMoreBytes when IN holds fewer than kFrameHeaderSize bytes.
[[nodiscard]] std::expected<FrameHeader, std::error_code> decode_frame_header(
    std::span<const std::uint8_t> in);
void append_frame_header(std::vector<std::uint8_t>& out, const FrameHeader& header);

// One whole frame from the start of IN; kNeedMoreBytes until its payload is all there.
[[nodiscard]] std::expected<Frame, std::error_code> decode_frame(std::span<const std::uint8_t> in);

// Appends PAYLOAD as one or more frames, split at kMaxPayloadSize, starting at sequence_id and
// advancing it (wrapping at 256).
void append_frames(std::vector<std::uint8_t>& out, std::uint8_t& sequence_id,
                   std::span<const std::uint8_t> payload);

// Bytes append_frames writes for a payload of PAYLOAD_SIZE bytes.
[[nodiscard]] std::size_t framed_size(std::size_t payload_size);

// Reassembles the frames of one payload from the start of IN. kNeedMoreBytes until the last frame
// is complete, kInvalidInput when sequence ids do not follow each other, kPayloadTooLarge when the
// payload would pass MAX_PAYLOAD_BYTES (checked from the headers, before any copy).
[[nodiscard]] std::expected<ReassembledPayload, std::error_code> reassemble_payload(
    std::span<const std::uint8_t> in, std::size_t max_payload_bytes);

}  // namespace grouter::mysql_wire
