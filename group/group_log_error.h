// Error values of group/. Every fallible call returns a GroupLogError: a std::error_code (this
// module's GroupLogErrc, or std::system_category for a failed system call) plus, where a file is
// involved, the file's path and the byte offset the error is about, and a one-line detail. Callers
// branch on `code`; operators read `message()`.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <type_traits>

namespace grouter::group {

enum class GroupLogErrc {
  kEntryTooLarge = 1,  // a proposal above kMaxEntryBytes (or a snapshot above kMaxSnapshotBytes)
  kBadHeader,          // the log file's header is short, or has a wrong magic or version
  kCorruptRecord,      // a record that is not a torn tail fails its checks
  kBadSnapshot,        // the snapshot file fails its checks
  kMissingLog,         // a snapshot with entries exists but the log file does not
  kIndexOutOfRange,    // compact() at an index outside [snapshot index, last index]
  kReentrant,          // propose() or compact() called from inside an apply or restore callback
  kFailed,             // an earlier write or fsync failed; the log must be reopened
  kLocked,             // another process holds the log folder
};

const std::error_category& group_log_category();
std::error_code make_error_code(GroupLogErrc e);

struct GroupLogError {
  std::error_code code;
  std::string path;          // the file concerned, empty when none
  std::uint64_t offset = 0;  // byte offset in `path` the error is about (0 when not about bytes)
  std::string detail;        // what was found, e.g. "checksum mismatch"

  // "<category message>: <path> at byte <offset>: <detail>", parts left out when empty.
  std::string message() const;
};

// Shorthand for a GroupLogError without a file.
GroupLogError group_error(GroupLogErrc e, std::string detail);

}  // namespace grouter::group

template <>
struct std::is_error_code_enum<grouter::group::GroupLogErrc> : std::true_type {};
