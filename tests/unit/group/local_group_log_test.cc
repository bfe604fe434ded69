// LocalGroupLog behaviour: propose/apply order, replay on reopen, snapshots and compaction, bounds
// and misuse.
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

// Opens the log in `dir`, then proposes numbered_entries(count); null on any failure.
std::unique_ptr<LocalGroupLog> open_ok(const TempDir& dir, Recorder& recorder,
                                       std::uint64_t count = 0) {
  auto log = LocalGroupLog::open(dir.path(), recorder.callbacks(), Logger());
  EXPECT_TRUE(log.has_value()) << log.error().message();
  if (!log) return nullptr;
  for (const auto& e : numbered_entries(count)) {
    auto proposed = (*log)->propose(e.second);
    EXPECT_TRUE(proposed.has_value()) << proposed.error().message();
    if (!proposed) return nullptr;
  }
  return std::move(*log);
}

TEST(LocalGroupLog, FreshFolderIsCreatedEmpty) {
  TempDir dir;
  const std::string folder = dir.file("runtime/group");
  Recorder recorder;
  auto log = LocalGroupLog::open(folder, recorder.callbacks(), Logger());
  ASSERT_TRUE(log.has_value()) << log.error().message();
  EXPECT_EQ((*log)->last_index(), 0u);
  EXPECT_EQ((*log)->snapshot().index, 0u);
  EXPECT_TRUE(recorder.applied.empty());
  EXPECT_TRUE(recorder.restored.empty());
  EXPECT_EQ(testing::read_bytes(folder + "/group-log"), encode_log_header());
  EXPECT_EQ(testing::read_bytes(folder + "/group-snapshot"), encode_snapshot(Snapshot{}));
}

TEST(LocalGroupLog, ProposeAppliesInOrderWithConsecutiveIndexes) {
  TempDir dir;
  Recorder recorder;
  auto log = open_ok(dir, recorder);
  ASSERT_TRUE(log);
  for (const auto& [index, bytes] : numbered_entries(5)) {
    auto proposed = log->propose(bytes);
    ASSERT_TRUE(proposed.has_value());
    EXPECT_EQ(*proposed, index);
    // Applied before propose returns: the group of one decides at once.
    ASSERT_EQ(recorder.applied.size(), index);
    EXPECT_EQ(recorder.applied.back(), std::pair(index, bytes));
  }
  EXPECT_EQ(recorder.applied, numbered_entries(5));
  EXPECT_EQ(log->last_index(), 5u);
}

TEST(LocalGroupLog, EmptyAndBinaryEntriesSurviveReopen) {
  TempDir dir;
  const Entries entries = {{1, ""}, {2, std::string("\0\xff\0", 3)}, {3, "z"}};
  testing::write_log(dir, entries);
  Recorder recorder;
  ASSERT_TRUE(open_ok(dir, recorder));
  EXPECT_EQ(recorder.applied, entries);
}

TEST(LocalGroupLog, ReopenReplaysTheSameEntriesInOrder) {
  TempDir dir;
  testing::write_log(dir, numbered_entries(20));
  Recorder recorder;
  auto log = open_ok(dir, recorder);
  ASSERT_TRUE(log);
  EXPECT_EQ(recorder.applied, numbered_entries(20));
  EXPECT_TRUE(recorder.restored.empty());
  auto next = log->propose("after reopen");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 21u);
}

TEST(LocalGroupLog, CompactThenReopenRestoresSnapshotAndLaterEntries) {
  TempDir dir;
  const Entries entries = numbered_entries(10);
  {
    Recorder recorder;
    auto log = open_ok(dir, recorder, entries.size());
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->compact("state@6", 6).has_value());
    EXPECT_EQ(log->snapshot().index, 6u);
    EXPECT_EQ(log->snapshot().bytes, "state@6");
    EXPECT_EQ(log->last_index(), 10u);
    // Appending after a compaction continues the numbering.
    auto eleven = log->propose("eleven");
    ASSERT_TRUE(eleven.has_value());
    EXPECT_EQ(*eleven, 11u);
  }
  Recorder recorder;
  auto log = open_ok(dir, recorder);
  ASSERT_TRUE(log);
  ASSERT_EQ(recorder.restored.size(), 1u);
  EXPECT_EQ(recorder.restored[0].index, 6u);
  EXPECT_EQ(recorder.restored[0].bytes, "state@6");
  Entries expected(entries.begin() + 6, entries.end());
  expected.emplace_back(11, "eleven");
  EXPECT_EQ(recorder.applied, expected);
  EXPECT_EQ(log->last_index(), 11u);
}

TEST(LocalGroupLog, CompactionShrinksTheLogFile) {
  TempDir dir;
  Recorder recorder;
  auto log = open_ok(dir, recorder, 8);
  ASSERT_TRUE(log);
  const auto before = std::filesystem::file_size(log->log_path());
  ASSERT_TRUE(log->compact("all", 8).has_value());
  EXPECT_LT(std::filesystem::file_size(log->log_path()), before);
  EXPECT_EQ(testing::read_bytes(log->log_path()), encode_log_header());
  ASSERT_TRUE(log->compact("all again", 8).has_value());  // same index: replaces the snapshot
  EXPECT_EQ(log->snapshot().bytes, "all again");
  auto next = log->propose("nine");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 9u);

  log.reset();
  Recorder again;
  ASSERT_TRUE(open_ok(dir, again));
  ASSERT_EQ(again.restored.size(), 1u);
  EXPECT_EQ(again.restored[0].bytes, "all again");
  EXPECT_EQ(again.applied, (Entries{{9, "nine"}}));
}

TEST(LocalGroupLog, InterruptedCompactionIsFinishedOnOpen) {
  TempDir dir;
  testing::write_log(dir, numbered_entries(6));
  // A crash after the snapshot was renamed into place but before the log was rewritten.
  testing::write_bytes(dir.file("group-snapshot"), encode_snapshot(Snapshot{4, "state@4"}));
  Recorder recorder;
  auto log = open_ok(dir, recorder);
  ASSERT_TRUE(log);
  ASSERT_EQ(recorder.restored.size(), 1u);
  EXPECT_EQ(recorder.restored[0].index, 4u);
  const Entries all = numbered_entries(6);
  EXPECT_EQ(recorder.applied, Entries(all.begin() + 4, all.end()));
  std::string expected = encode_log_header();
  for (std::uint64_t i = 4; i < 6; ++i) append_record(expected, all[i].first, all[i].second);
  EXPECT_EQ(testing::read_bytes(log->log_path()), expected);
}

TEST(LocalGroupLog, OversizedProposalIsRefusedAndTheLogIsUnchanged) {
  TempDir dir;
  Recorder recorder;
  auto log = open_ok(dir, recorder);
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->propose("one").has_value());
  const std::string before = testing::read_bytes(log->log_path());
  auto refused = log->propose(std::string(kMaxEntryBytes + 1, 'q'));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, GroupLogErrc::kEntryTooLarge);
  EXPECT_EQ(testing::read_bytes(log->log_path()), before);
  EXPECT_EQ(log->last_index(), 1u);
  EXPECT_EQ(recorder.applied.size(), 1u);
  // The log stays usable, and an entry of exactly the bound is accepted.
  auto at_bound = log->propose(std::string(kMaxEntryBytes, 'q'));
  ASSERT_TRUE(at_bound.has_value());
  EXPECT_EQ(*at_bound, 2u);
}

TEST(LocalGroupLog, CompactOutsideTheLogIsRefused) {
  TempDir dir;
  Recorder recorder;
  auto log = open_ok(dir, recorder, 3);
  ASSERT_TRUE(log);
  auto ahead = log->compact("s", 4);
  ASSERT_FALSE(ahead.has_value());
  EXPECT_EQ(ahead.error().code, GroupLogErrc::kIndexOutOfRange);
  ASSERT_TRUE(log->compact("s", 2).has_value());
  auto behind = log->compact("s", 1);
  ASSERT_FALSE(behind.has_value());
  EXPECT_EQ(behind.error().code, GroupLogErrc::kIndexOutOfRange);
}

TEST(LocalGroupLog, CallbacksCannotReenter) {
  TempDir dir;
  std::unique_ptr<LocalGroupLog> log;
  std::vector<std::error_code> seen;
  ApplyCallbacks callbacks{nullptr, [&](std::uint64_t, std::string_view) {
                             seen.push_back(log->propose("inner").error().code);
                             seen.push_back(log->compact("s", 1).error().code);
                           }};
  auto opened = LocalGroupLog::open(dir.path(), std::move(callbacks), Logger());
  ASSERT_TRUE(opened.has_value());
  log = std::move(*opened);
  ASSERT_TRUE(log->propose("outer").has_value());
  EXPECT_EQ(seen, (std::vector<std::error_code>{make_error_code(GroupLogErrc::kReentrant),
                                                make_error_code(GroupLogErrc::kReentrant)}));
  EXPECT_EQ(log->last_index(), 1u);
}

TEST(LocalGroupLog, SecondOpenOfTheSameFolderIsRefused) {
  TempDir dir;
  Recorder first;
  auto log = open_ok(dir, first);
  ASSERT_TRUE(log);
  Recorder second;
  auto again = LocalGroupLog::open(dir.path(), second.callbacks(), Logger());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, GroupLogErrc::kLocked);
  log.reset();
  EXPECT_TRUE(open_ok(dir, second));
}

TEST(LocalGroupLog, MissingLogBesideASnapshotIsAnError) {
  TempDir dir;
  {
    Recorder recorder;
    auto log = open_ok(dir, recorder, 1);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->compact("s", 1).has_value());
  }
  std::filesystem::remove(dir.file("group-log"));
  Recorder recorder;
  auto log = LocalGroupLog::open(dir.path(), recorder.callbacks(), Logger());
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().code, GroupLogErrc::kMissingLog);
  EXPECT_EQ(log.error().path, dir.file("group-log"));
}

TEST(LocalGroupLog, MissingEmptySnapshotIsRecreated) {
  TempDir dir;
  testing::write_log(dir, numbered_entries(2));
  std::filesystem::remove(dir.file("group-snapshot"));
  Recorder recorder;
  ASSERT_TRUE(open_ok(dir, recorder));
  EXPECT_EQ(recorder.applied, numbered_entries(2));
}

}  // namespace
}  // namespace grouter::group
