// Reading the records of a group log file: one pass that checks every record and tells a torn tail
// (the remains of an append cut short by a crash, dropped by the caller) from corruption (an error
// naming the file and byte offset). The rules are in docs/group-log-format.md.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "group/group_log_error.h"

namespace grouter::group {

struct LogScan {
  std::uint64_t first_index = 0;       // index of the first record; 0 when there is none
  std::vector<std::uint64_t> offsets;  // offsets[i]: where the record first_index + i starts
  std::uint64_t valid_end = 0;         // where the last good record ends
  std::string torn_detail;             // non-empty when bytes after valid_end are a torn tail
};

// Scans an open log file of `size` bytes whose header has been checked.
[[nodiscard]] std::expected<LogScan, GroupLogError> scan_log(int fd, const std::string& path,
                                                             std::uint64_t size);

// Reads the record at `offset`, checks its checksum and that it carries `index`, and returns its
// payload.
[[nodiscard]] std::expected<std::string, GroupLogError> read_record(int fd, const std::string& path,
                                                                    std::uint64_t offset,
                                                                    std::uint64_t index);

}  // namespace grouter::group
