// Byte-exact tests of the group log and snapshot encodings (docs/group-log-format.md).
#include <gtest/gtest.h>

#include <string>

#include "group/log_format.h"

namespace grouter::group {
namespace {

using namespace std::string_literals;

TEST(LogFormat, HeaderBytes) {
  EXPECT_EQ(encode_log_header(), "grtr-log\x01\x00\x00\x00"s);
  EXPECT_TRUE(check_log_header(encode_log_header()).has_value());
}

TEST(LogFormat, HeaderErrorsSayWhere) {
  auto short_header = check_log_header("grtr");
  ASSERT_FALSE(short_header.has_value());
  EXPECT_EQ(short_header.error().code, GroupLogErrc::kBadHeader);
  EXPECT_EQ(short_header.error().offset, 0u);

  auto magic = check_log_header("grtr-lox\x01\x00\x00\x00"s);
  ASSERT_FALSE(magic.has_value());
  EXPECT_EQ(magic.error().offset, 0u);

  auto version = check_log_header("grtr-log\x02\x00\x00\x00"s);
  ASSERT_FALSE(version.has_value());
  EXPECT_EQ(version.error().code, GroupLogErrc::kBadHeader);
  EXPECT_EQ(version.error().offset, 8u);
  EXPECT_EQ(version.error().detail, "unsupported version 2");
}

TEST(LogFormat, RecordBytes) {
  std::string out;
  append_record(out, 1, "ab");
  // payload crc32("ab") = 0x9e83486d; header crc32 over (length 2, index 1, payload crc) =
  // 0x4062a434
  EXPECT_EQ(out,
            "\x34\xa4\x62\x40"
            "\x02\x00\x00\x00"
            "\x01\x00\x00\x00\x00\x00\x00\x00"
            "\x6d\x48\x83\x9e"
            "ab"s);
  EXPECT_TRUE(header_crc_ok(out));
  const RecordHeader header = decode_record_header(out);
  EXPECT_EQ(header.header_crc, 0x4062a434u);
  EXPECT_EQ(header.length, 2u);
  EXPECT_EQ(header.index, 1u);
  EXPECT_EQ(header.payload_crc, payload_crc("ab"));
  EXPECT_NE(payload_crc("ac"), header.payload_crc);
  for (std::size_t i = 0; i < kRecordHeaderBytes; ++i) {
    std::string flipped = out;
    flipped[i] ^= 0x10;
    EXPECT_FALSE(header_crc_ok(flipped)) << "byte " << i;
  }
}

TEST(LogFormat, SnapshotBytesAndRoundTrip) {
  const std::string bytes = encode_snapshot(Snapshot{7, "xyz"});
  // crc32(index 7, length 3, "xyz") = 0x1d1b4750
  EXPECT_EQ(bytes,
            "grtr-snp\x01\x00\x00\x00"
            "\x50\x47\x1b\x1d"
            "\x07\x00\x00\x00\x00\x00\x00\x00"
            "\x03\x00\x00\x00\x00\x00\x00\x00"
            "xyz"s);
  auto decoded = decode_snapshot(bytes);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_EQ(decoded->index, 7u);
  EXPECT_EQ(decoded->bytes, "xyz");
}

TEST(LogFormat, EmptySnapshotRoundTrip) {
  auto decoded = decode_snapshot(encode_snapshot(Snapshot{}));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->index, 0u);
  EXPECT_EQ(decoded->bytes, "");
}

TEST(LogFormat, SnapshotErrorsSayWhere) {
  const std::string good = encode_snapshot(Snapshot{7, "xyz"});
  struct Case {
    std::string bytes;
    std::uint64_t offset;
    std::string detail;
  };
  std::string flipped = good;
  flipped[33] ^= 0x01;
  std::string wrong_magic = good;
  wrong_magic[0] = 'G';
  std::string wrong_version = good;
  wrong_version[8] = 9;
  const Case cases[] = {
      {good.substr(0, 31), 31, "file is 31 bytes, shorter than the 32-byte header"},
      {good.substr(0, 34), 24, "length field 3 but 2 payload bytes in the file"},
      {good + "!", 24, "length field 3 but 4 payload bytes in the file"},
      {flipped, 12, "checksum mismatch"},
      {wrong_magic, 0, "wrong magic (not a group snapshot)"},
      {wrong_version, 8, "unsupported version 9"},
  };
  for (const auto& c : cases) {
    auto decoded = decode_snapshot(c.bytes);
    ASSERT_FALSE(decoded.has_value()) << c.detail;
    EXPECT_EQ(decoded.error().code, GroupLogErrc::kBadSnapshot);
    EXPECT_EQ(decoded.error().offset, c.offset) << c.detail;
    EXPECT_EQ(decoded.error().detail, c.detail);
  }
}

}  // namespace
}  // namespace grouter::group
