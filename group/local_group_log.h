// LocalGroupLog: the group of one. Its decided log is a local file, FOLDER/group-log, with the
// latest snapshot beside it in FOLDER/group-snapshot (format: docs/group-log-format.md).
//
// open() replays the snapshot and every entry after it through the callbacks, in order, before it
// returns. propose() appends a record and fsyncs it before applying it. compact() replaces the
// snapshot atomically, then rewrites the log without the entries it covers. A write or fsync that
// fails leaves the log unusable (every later call gets kFailed) until it is reopened, because what
// reached the disk is then unknown.
//
// Threading and ordering: see group_log.h. One process at a time may hold a folder (flock).
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "base/logging.h"
#include "group/group_log.h"
#include "group/posix_file.h"

namespace grouter::group {

class LocalGroupLog final : public GroupLog {
 public:
  // Opens (creating it and the folder when missing) the log in `folder` and replays it through
  // `callbacks`. `logger` receives a warning when a torn tail is dropped.
  [[nodiscard]] static std::expected<std::unique_ptr<LocalGroupLog>, GroupLogError> open(
      const std::string& folder, ApplyCallbacks callbacks, Logger logger);

  LocalGroupLog(const LocalGroupLog&) = delete;
  LocalGroupLog& operator=(const LocalGroupLog&) = delete;
  ~LocalGroupLog() override = default;

  [[nodiscard]] std::expected<std::uint64_t, GroupLogError> propose(std::string entry) override;
  [[nodiscard]] std::expected<void, GroupLogError> compact(std::string state,
                                                           std::uint64_t index) override;
  std::uint64_t last_index() const override { return last_index_; }
  const Snapshot& snapshot() const override { return snapshot_; }

  const std::string& log_path() const { return log_path_; }
  const std::string& snapshot_path() const { return snapshot_path_; }

 private:
  LocalGroupLog(std::string folder, ApplyCallbacks callbacks, Logger logger);

  std::expected<void, GroupLogError> load();
  // Reads the snapshot file; false when there is none.
  std::expected<bool, GroupLogError> load_snapshot();
  std::expected<void, GroupLogError> load_log();
  std::expected<void, GroupLogError> replay();
  // Rewrites the log keeping only the records after snapshot_.index.
  std::expected<void, GroupLogError> rewrite_log();

  std::string folder_;
  std::string log_path_;
  std::string snapshot_path_;
  ApplyCallbacks callbacks_;
  Logger logger_;

  UniqueFd dir_fd_;  // held with flock for the log's lifetime; fsynced after renames
  UniqueFd log_fd_;
  Snapshot snapshot_;
  std::uint64_t first_index_ = 0;       // index of the first record in the file (0: none)
  std::vector<std::uint64_t> offsets_;  // offsets_[i]: start of the record first_index_ + i
  std::uint64_t end_ = 0;               // where the next record goes
  std::uint64_t last_index_ = 0;
  bool in_callback_ = false;
  bool failed_ = false;
};

}  // namespace grouter::group
