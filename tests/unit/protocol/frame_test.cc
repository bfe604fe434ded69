// Frame header codec, splitting of payloads at 16 MiB and reassembly.
#include <gtest/gtest.h>

#include "protocol/mysql_wire/codec_error.h"
#include "protocol/mysql_wire/frame.h"
#include "tests/unit/protocol/test_bytes.h"

namespace grouter::mysql_wire::testing {
namespace {

struct SplitCase {
  std::size_t payload_size;
  std::size_t frames;
  std::size_t last_frame_size;
};

class FrameSplit : public ::testing::TestWithParam<SplitCase> {};

Bytes patterned(std::size_t size) {
  Bytes payload(size);
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return payload;
}

TEST_P(FrameSplit, SplitsAndReassembles) {
  const auto& c = GetParam();
  const Bytes payload = patterned(c.payload_size);
  Bytes wire;
  std::uint8_t sequence_id = 254;  // wraps during the multi-frame cases
  append_frames(wire, sequence_id, payload);
  EXPECT_EQ(wire.size(), framed_size(payload.size()));
  EXPECT_EQ(sequence_id, static_cast<std::uint8_t>(254 + c.frames));

  std::size_t offset = 0;
  for (std::size_t i = 0; i < c.frames; ++i) {
    const auto frame = decode_frame(std::span(wire).subspan(offset));
    ASSERT_TRUE(frame.has_value());
    EXPECT_EQ(frame->header.sequence_id, static_cast<std::uint8_t>(254 + i));
    EXPECT_EQ(frame->payload.size(), i + 1 == c.frames ? c.last_frame_size : kMaxPayloadSize);
    offset += frame->size();
  }
  EXPECT_EQ(offset, wire.size());

  const auto whole = reassemble_payload(wire, 64u << 20);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->payload, payload);
  EXPECT_EQ(whole->consumed, wire.size());
  EXPECT_EQ(whole->frame_count, c.frames);
  EXPECT_EQ(whole->first_sequence_id, 254);
  EXPECT_EQ(whole->next_sequence_id, sequence_id);
}

INSTANTIATE_TEST_SUITE_P(AroundSixteenMiB, FrameSplit,
                         ::testing::Values(SplitCase{0, 1, 0}, SplitCase{1, 1, 1},
                                           SplitCase{kMaxPayloadSize - 1, 1, kMaxPayloadSize - 1},
                                           SplitCase{kMaxPayloadSize, 2,
                                                     0},  // exact multiple: empty terminator
                                           SplitCase{kMaxPayloadSize + 1, 2, 1},
                                           SplitCase{2 * std::size_t{kMaxPayloadSize}, 3, 0},
                                           SplitCase{2 * std::size_t{kMaxPayloadSize} + 5, 3, 5}));

TEST(FrameHeader, DecodesLittleEndianSizeAndSequence) {
  const auto header = decode_frame_header(from_hex("0d0000040000"));
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(*header, (FrameHeader{.payload_size = 13, .sequence_id = 4}));
  Bytes out;
  append_frame_header(out, {.payload_size = 0xabcdef, .sequence_id = 0xff});
  EXPECT_EQ(out, from_hex("efcdabff"));
}

TEST(FrameHeader, EveryPrefixNeedsMoreBytes) {
  const Bytes header = from_hex("01000000");
  for (std::size_t n = 0; n < header.size(); ++n) {
    EXPECT_EQ(decode_frame_header(std::span(header).first(n)).error(), CodecErrc::kNeedMoreBytes);
  }
}

TEST(Reassembly, EveryPrefixOfASplitPayloadNeedsMoreBytes) {
  Bytes wire;
  std::uint8_t sequence_id = 0;
  append_frames(wire, sequence_id, patterned(kMaxPayloadSize + 3));
  // Header boundaries and payload edges of both frames.
  for (std::size_t n :
       {std::size_t{0}, std::size_t{3}, std::size_t{4}, std::size_t{kMaxPayloadSize},
        std::size_t{kMaxPayloadSize} + 4, std::size_t{kMaxPayloadSize} + 7,
        std::size_t{kMaxPayloadSize} + 8, wire.size() - 1}) {
    const auto result = reassemble_payload(std::span(wire).first(n), 64u << 20);
    ASSERT_FALSE(result.has_value()) << n;
    EXPECT_EQ(result.error(), CodecErrc::kNeedMoreBytes) << n;
  }
}

TEST(Reassembly, OutOfOrderSequenceIsInvalid) {
  Bytes wire;
  std::uint8_t sequence_id = 3;
  append_frames(wire, sequence_id, patterned(kMaxPayloadSize + 1));
  wire[kFrameHeaderSize + kMaxPayloadSize + 3] = 9;  // second frame's sequence id
  EXPECT_EQ(reassemble_payload(wire, 64u << 20).error(), CodecErrc::kInvalidInput);
}

TEST(Reassembly, PayloadOverTheBoundIsTooLargeBeforeItArrives) {
  // Only the header of a 16 MiB frame: the bound is checked from the header alone.
  const Bytes header = from_hex("ffffff00");
  EXPECT_EQ(reassemble_payload(header, 1024).error(), CodecErrc::kPayloadTooLarge);
}

TEST(Reassembly, LeavesFollowingBytesAlone) {
  const Bytes wire = from_hex(
      "0100000001"
      "0100000002");
  const auto result = reassemble_payload(wire, 16);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->payload, from_hex("01"));
  EXPECT_EQ(result->consumed, 5u);
  EXPECT_EQ(result->next_sequence_id, 1);
}

}  // namespace
}  // namespace grouter::mysql_wire::testing
