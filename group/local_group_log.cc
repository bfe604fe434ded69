// The group of one: a local, fsynced log file and an atomically replaced snapshot file.
#include "group/local_group_log.h"

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "group/log_format.h"
#include "group/log_scan.h"

namespace grouter::group {
namespace {

constexpr std::size_t kCopyChunkBytes = std::size_t{1} << 20;

GroupLogError with_path(GroupLogError error, const std::string& path) {
  error.path = path;
  return error;
}

// Sets `flag` for the lifetime of the guard: marks the span in which callbacks run.
class FlagGuard {
 public:
  explicit FlagGuard(bool& flag) : flag_(flag) { flag_ = true; }
  FlagGuard(const FlagGuard&) = delete;
  FlagGuard& operator=(const FlagGuard&) = delete;
  ~FlagGuard() { flag_ = false; }

 private:
  bool& flag_;
};

}  // namespace

LocalGroupLog::LocalGroupLog(std::string folder, ApplyCallbacks callbacks, Logger logger)
    : folder_(std::move(folder)),
      log_path_(folder_ + "/group-log"),
      snapshot_path_(folder_ + "/group-snapshot"),
      callbacks_(std::move(callbacks)),
      logger_(std::move(logger)) {}

std::expected<std::unique_ptr<LocalGroupLog>, GroupLogError> LocalGroupLog::open(
    const std::string& folder, ApplyCallbacks callbacks, Logger logger) {
  std::unique_ptr<LocalGroupLog> log(
      new LocalGroupLog(folder, std::move(callbacks), std::move(logger)));
  if (auto loaded = log->load(); !loaded) return std::unexpected(loaded.error());
  return log;
}

std::expected<void, GroupLogError> LocalGroupLog::load() {
  std::error_code ec;
  std::filesystem::create_directories(folder_, ec);
  if (ec) return std::unexpected(GroupLogError{ec, folder_, 0, "cannot create the folder"});
  auto dir = open_file(folder_, O_RDONLY | O_DIRECTORY);
  if (!dir) return std::unexpected(dir.error());
  dir_fd_ = std::move(*dir);
  if (::flock(dir_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return std::unexpected(
          GroupLogError{make_error_code(GroupLogErrc::kLocked), folder_, 0, "flock held"});
    }
    return std::unexpected(
        GroupLogError{std::error_code(errno, std::system_category()), folder_, 0, "flock failed"});
  }
  auto snapshot_found = load_snapshot();
  if (!snapshot_found) return std::unexpected(snapshot_found.error());
  auto log_exists = file_exists(log_path_);
  if (!log_exists) return std::unexpected(log_exists.error());
  if (!*log_exists) {
    if (snapshot_.index > 0) {
      return std::unexpected(
          GroupLogError{make_error_code(GroupLogErrc::kMissingLog), log_path_, 0,
                        "the snapshot covers entries up to " + std::to_string(snapshot_.index)});
    }
    if (auto r = replace_file(dir_fd_.get(), log_path_, encode_log_header()); !r) return r;
  }
  if (!*snapshot_found) {
    // New folder, or a crash between creating the log and its empty snapshot.
    if (auto r = replace_file(dir_fd_.get(), snapshot_path_, encode_snapshot(Snapshot{})); !r) {
      return r;
    }
  }
  if (auto r = load_log(); !r) return r;
  return replay();
}

std::expected<bool, GroupLogError> LocalGroupLog::load_snapshot() {
  auto exists = file_exists(snapshot_path_);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists) return false;
  auto fd = open_file(snapshot_path_, O_RDONLY);
  if (!fd) return std::unexpected(fd.error());
  auto size = file_size(fd->get(), snapshot_path_);
  if (!size) return std::unexpected(size.error());
  if (*size > kSnapshotHeaderBytes + kMaxSnapshotBytes) {
    return std::unexpected(
        GroupLogError{make_error_code(GroupLogErrc::kBadSnapshot), snapshot_path_, 0,
                      "file is " + std::to_string(*size) + " bytes, over the snapshot bound"});
  }
  auto bytes = read_at(fd->get(), snapshot_path_, 0, static_cast<std::size_t>(*size));
  if (!bytes) return std::unexpected(bytes.error());
  auto decoded = decode_snapshot(*bytes);
  if (!decoded) return std::unexpected(with_path(decoded.error(), snapshot_path_));
  snapshot_ = std::move(*decoded);
  return true;
}

std::expected<void, GroupLogError> LocalGroupLog::load_log() {
  auto fd = open_file(log_path_, O_RDWR);
  if (!fd) return std::unexpected(fd.error());
  log_fd_ = std::move(*fd);
  auto size = file_size(log_fd_.get(), log_path_);
  if (!size) return std::unexpected(size.error());
  auto head = read_at(log_fd_.get(), log_path_, 0,
                      static_cast<std::size_t>(std::min<std::uint64_t>(*size, kLogHeaderBytes)));
  if (!head) return std::unexpected(head.error());
  if (auto r = check_log_header(*head); !r) return std::unexpected(with_path(r.error(), log_path_));
  auto scan = scan_log(log_fd_.get(), log_path_, *size);
  if (!scan) return std::unexpected(scan.error());
  if (!scan->torn_detail.empty()) {
    logger_.warning("group log {}: dropping a torn tail of {} bytes at byte {} ({})", log_path_,
                    *size - scan->valid_end, scan->valid_end, scan->torn_detail);
    if (auto r = truncate_to(log_fd_.get(), log_path_, scan->valid_end); !r) return r;
  }
  first_index_ = scan->first_index;
  offsets_ = std::move(scan->offsets);
  end_ = scan->valid_end;
  const std::uint64_t covered = snapshot_.index;
  if (!offsets_.empty() && first_index_ > covered + 1) {
    return std::unexpected(
        GroupLogError{make_error_code(GroupLogErrc::kCorruptRecord), log_path_, offsets_.front(),
                      "first record has index " + std::to_string(first_index_) +
                          " but the snapshot covers only " + "up to " + std::to_string(covered)});
  }
  last_index_ = std::max(covered, offsets_.empty() ? 0 : first_index_ + offsets_.size() - 1);
  if (!offsets_.empty() && first_index_ <= covered) {
    // A crash between replacing the snapshot and rewriting the log: finish the compaction.
    return rewrite_log();
  }
  return {};
}

std::expected<void, GroupLogError> LocalGroupLog::replay() {
  FlagGuard guard(in_callback_);
  if (snapshot_.index > 0 && callbacks_.restore) callbacks_.restore(snapshot_);
  for (std::size_t i = 0; i < offsets_.size(); ++i) {
    const std::uint64_t index = first_index_ + i;
    auto entry = read_record(log_fd_.get(), log_path_, offsets_[i], index);
    if (!entry) return std::unexpected(entry.error());
    if (callbacks_.apply) callbacks_.apply(index, *entry);
  }
  return {};
}

std::expected<std::uint64_t, GroupLogError> LocalGroupLog::propose(std::string entry) {
  if (failed_) return std::unexpected(group_error(GroupLogErrc::kFailed, log_path_));
  if (in_callback_) return std::unexpected(group_error(GroupLogErrc::kReentrant, "propose"));
  if (entry.size() > kMaxEntryBytes) {
    return std::unexpected(
        group_error(GroupLogErrc::kEntryTooLarge, "entry of " + std::to_string(entry.size()) +
                                                      " bytes, the bound is " +
                                                      std::to_string(kMaxEntryBytes)));
  }
  const std::uint64_t index = last_index_ + 1;
  std::string record;
  append_record(record, index, entry);
  auto written = write_at(log_fd_.get(), log_path_, end_, record);
  if (written) written = sync_data(log_fd_.get(), log_path_);
  if (!written) {
    failed_ = true;
    return std::unexpected(written.error());
  }
  if (offsets_.empty()) first_index_ = index;
  offsets_.push_back(end_);
  end_ += record.size();
  last_index_ = index;
  FlagGuard guard(in_callback_);
  if (callbacks_.apply) callbacks_.apply(index, entry);
  return index;
}

std::expected<void, GroupLogError> LocalGroupLog::compact(std::string state, std::uint64_t index) {
  if (failed_) return std::unexpected(group_error(GroupLogErrc::kFailed, log_path_));
  if (in_callback_) return std::unexpected(group_error(GroupLogErrc::kReentrant, "compact"));
  if (index < snapshot_.index || index > last_index_) {
    return std::unexpected(group_error(GroupLogErrc::kIndexOutOfRange,
                                       "compact at " + std::to_string(index) + " outside [" +
                                           std::to_string(snapshot_.index) + ", " +
                                           std::to_string(last_index_) + "]"));
  }
  if (state.size() > kMaxSnapshotBytes) {
    return std::unexpected(
        group_error(GroupLogErrc::kEntryTooLarge, "snapshot of " + std::to_string(state.size()) +
                                                      " bytes, the bound is " +
                                                      std::to_string(kMaxSnapshotBytes)));
  }
  Snapshot next{index, std::move(state)};
  if (auto r = replace_file(dir_fd_.get(), snapshot_path_, encode_snapshot(next)); !r) {
    failed_ = true;
    return r;
  }
  snapshot_ = std::move(next);
  return rewrite_log();
}

std::expected<void, GroupLogError> LocalGroupLog::rewrite_log() {
  const std::uint64_t keep_from = snapshot_.index + 1;
  std::uint64_t dropped = 0;  // records the snapshot covers
  if (!offsets_.empty() && keep_from > first_index_) {
    dropped = std::min<std::uint64_t>(offsets_.size(), keep_from - first_index_);
  }
  const std::uint64_t start = dropped < offsets_.size() ? offsets_[dropped] : end_;
  const std::string temp = log_path_ + ".tmp";
  auto result = [&]() -> std::expected<void, GroupLogError> {
    auto out = open_file(temp, O_WRONLY | O_CREAT | O_TRUNC);
    if (!out) return std::unexpected(out.error());
    if (auto r = write_at(out->get(), temp, 0, encode_log_header()); !r) return r;
    for (std::uint64_t from = start; from < end_;) {
      const auto n =
          static_cast<std::size_t>(std::min<std::uint64_t>(kCopyChunkBytes, end_ - from));
      auto chunk = read_at(log_fd_.get(), log_path_, from, n);
      if (!chunk) return std::unexpected(chunk.error());
      if (auto r = write_at(out->get(), temp, kLogHeaderBytes + (from - start), *chunk); !r)
        return r;
      from += n;
    }
    if (auto r = sync_data(out->get(), temp); !r) return r;
    if (auto r = rename_durably(dir_fd_.get(), temp, log_path_); !r) return r;
    auto reopened = open_file(log_path_, O_RDWR);
    if (!reopened) return std::unexpected(reopened.error());
    log_fd_ = std::move(*reopened);
    return {};
  }();
  if (!result) {
    failed_ = true;
    return result;
  }
  offsets_.erase(offsets_.begin(), offsets_.begin() + static_cast<std::ptrdiff_t>(dropped));
  for (auto& offset : offsets_) offset = offset - start + kLogHeaderBytes;
  first_index_ = offsets_.empty() ? 0 : keep_from;
  end_ = kLogHeaderBytes + (end_ - start);
  return {};
}

}  // namespace grouter::group
