// Torture tests of LocalGroupLog::open: one per kind of damage, each asserting the exact error
// (file and byte offset) or the exact prefix of entries recovered (docs/group-log-format.md).
#include <gtest/gtest.h>

#include <filesystem>

#include "group/log_format.h"
#include "tests/unit/group/test_support.h"

namespace grouter::group {
namespace {

using testing::Entries;
using testing::numbered_entries;
using testing::Recorder;
using testing::TempDir;

constexpr std::uint64_t kEntries = 5;

// A folder holding a valid log of kEntries entries, plus where each record starts.
class Damaged : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_log(dir_, all_);
    log_ = testing::read_bytes(log_path());
    std::uint64_t offset = kLogHeaderBytes;
    for (const auto& [index, bytes] : all_) {
      starts_.push_back(offset);
      offset += kRecordHeaderBytes + bytes.size();
    }
    ASSERT_EQ(offset, log_.size());
  }

  std::string log_path() const { return dir_.file("group-log"); }

  std::expected<std::unique_ptr<LocalGroupLog>, GroupLogError> reopen() {
    recorder_ = Recorder();
    return LocalGroupLog::open(dir_.path(), recorder_.callbacks(), Logger());
  }

  void expect_error(GroupLogErrc code, const std::string& path, std::uint64_t offset,
                    const std::string& detail) {
    auto log = reopen();
    ASSERT_FALSE(log.has_value());
    EXPECT_EQ(log.error().code, code) << log.error().message();
    EXPECT_EQ(log.error().path, path);
    EXPECT_EQ(log.error().offset, offset);
    EXPECT_EQ(log.error().detail, detail);
    EXPECT_TRUE(recorder_.applied.empty());  // nothing is applied from a log that fails to open
  }

  // Opens, expects the first `count` entries, and the file cut back to exactly their records.
  void expect_prefix(std::uint64_t count) {
    auto log = reopen();
    ASSERT_TRUE(log.has_value()) << log.error().message();
    EXPECT_EQ(recorder_.applied, Entries(all_.begin(), all_.begin() + count));
    const std::uint64_t end = count < kEntries ? starts_[count] : log_.size();
    EXPECT_EQ(testing::read_bytes(log_path()), log_.substr(0, end));
    EXPECT_EQ((*log)->last_index(), count);
  }

  TempDir dir_;
  const Entries all_ = numbered_entries(kEntries);
  std::string log_;
  std::vector<std::uint64_t> starts_;
  Recorder recorder_;
};

TEST_F(Damaged, EveryProperPrefixOpensAsAPrefixOfTheEntries) {
  for (std::size_t length = kLogHeaderBytes; length < log_.size(); ++length) {
    testing::write_bytes(log_path(), log_.substr(0, length));
    std::uint64_t complete = 0;  // records that end within the prefix
    while (complete < kEntries &&
           (complete + 1 < kEntries ? starts_[complete + 1] : log_.size()) <= length) {
      ++complete;
    }
    SCOPED_TRACE("prefix of " + std::to_string(length) + " bytes");
    expect_prefix(complete);
  }
}

TEST_F(Damaged, PrefixShorterThanTheHeaderIsABadHeader) {
  for (std::size_t length = 1; length < kLogHeaderBytes; ++length) {
    testing::write_bytes(log_path(), log_.substr(0, length));
    expect_error(GroupLogErrc::kBadHeader, log_path(), 0,
                 "file is " + std::to_string(length) + " bytes, shorter than the 12-byte header");
  }
}

TEST_F(Damaged, ZeroLengthFileIsABadHeader) {
  testing::write_bytes(log_path(), "");
  expect_error(GroupLogErrc::kBadHeader, log_path(), 0,
               "file is 0 bytes, shorter than the 12-byte header");
}

TEST_F(Damaged, FlippedPayloadByteInAMiddleRecord) {
  std::string bytes = log_;
  bytes[starts_[2] + kRecordHeaderBytes + 3] ^= 0x01;
  testing::write_bytes(log_path(), bytes);
  expect_error(GroupLogErrc::kCorruptRecord, log_path(), starts_[2],
               "payload checksum mismatch with data after it");
}

TEST_F(Damaged, FlippedLengthByteInAMiddleRecord) {
  std::string bytes = log_;
  bytes[starts_[1] + 5] ^= 0x40;  // the length would now run past the end of the file
  testing::write_bytes(log_path(), bytes);
  expect_error(GroupLogErrc::kCorruptRecord, log_path(), starts_[1],
               "record header checksum mismatch");
}

TEST_F(Damaged, FlippedPayloadByteInTheLastRecordIsATornTail) {
  std::string bytes = log_;
  bytes[starts_[kEntries - 1] + kRecordHeaderBytes] ^= 0x01;
  testing::write_bytes(log_path(), bytes);
  expect_prefix(kEntries - 1);
}

TEST_F(Damaged, WrongMagic) {
  std::string bytes = log_;
  bytes[3] = 'X';
  testing::write_bytes(log_path(), bytes);
  expect_error(GroupLogErrc::kBadHeader, log_path(), 0, "wrong magic (not a group log)");
}

TEST_F(Damaged, WrongVersion) {
  std::string bytes = log_;
  bytes[8] = 2;
  testing::write_bytes(log_path(), bytes);
  expect_error(GroupLogErrc::kBadHeader, log_path(), 8, "unsupported version 2");
}

TEST_F(Damaged, GarbageAppended) {
  testing::write_bytes(log_path(), log_ + std::string(40, '\xab'));
  expect_error(GroupLogErrc::kCorruptRecord, log_path(), log_.size(),
               "record header checksum mismatch");
}

TEST_F(Damaged, GarbageShorterThanARecordHeaderIsATornTail) {
  testing::write_bytes(log_path(), log_ + std::string(kRecordHeaderBytes - 1, '\xab'));
  expect_prefix(kEntries);
}

TEST_F(Damaged, ZerosAppendedAreATornTail) {
  testing::write_bytes(log_path(), log_ + std::string(4096, '\0'));
  expect_prefix(kEntries);
}

TEST_F(Damaged, OversizedLengthField) {
  // A record header that is intact (its checksum matches) but claims more than the entry bound.
  const auto length = static_cast<std::uint32_t>(kMaxEntryBytes + 1);
  testing::write_bytes(log_path(),
                       log_ + encode_record_header(length, kEntries + 1, 0) + "some bytes");
  expect_error(GroupLogErrc::kCorruptRecord, log_path(), log_.size(),
               "length field 16777217 exceeds the bound of 16777216");
}

TEST_F(Damaged, IndexGapIsCorruption) {
  std::string record;
  append_record(record, kEntries + 2, "skips one");
  testing::write_bytes(log_path(), log_ + record);
  expect_error(GroupLogErrc::kCorruptRecord, log_path(), log_.size(),
               "record carries index 7 where 6 was expected");
}

TEST_F(Damaged, BadSnapshotChecksum) {
  {
    auto log = reopen();
    ASSERT_TRUE(log.has_value());
    ASSERT_TRUE((*log)->compact("state@3", 3).has_value());
  }
  const std::string snapshot_path = dir_.file("group-snapshot");
  std::string bytes = testing::read_bytes(snapshot_path);
  bytes[kSnapshotHeaderBytes + 2] ^= 0x04;
  testing::write_bytes(snapshot_path, bytes);
  expect_error(GroupLogErrc::kBadSnapshot, snapshot_path, 12, "checksum mismatch");
}

TEST_F(Damaged, TruncatedSnapshot) {
  const std::string snapshot_path = dir_.file("group-snapshot");
  testing::write_bytes(snapshot_path, encode_snapshot(Snapshot{2, "state"}).substr(0, 34));
  expect_error(GroupLogErrc::kBadSnapshot, snapshot_path, 24,
               "length field 5 but 2 payload bytes in the file");
}

TEST_F(Damaged, SnapshotAheadOfTheLogIsAGap) {
  // A compacted log whose first record does not follow the snapshot.
  {
    auto log = reopen();
    ASSERT_TRUE(log.has_value());
    ASSERT_TRUE((*log)->compact("state@3", 3).has_value());
  }
  testing::write_bytes(dir_.file("group-snapshot"), encode_snapshot(Snapshot{1, "state@1"}));
  expect_error(GroupLogErrc::kCorruptRecord, log_path(), kLogHeaderBytes,
               "first record has index 4 but the snapshot covers only up to 1");
}

}  // namespace
}  // namespace grouter::group
