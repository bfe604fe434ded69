// Thin POSIX file helpers for the group log: an owning file descriptor and whole-buffer reads and
// writes that report failures as GroupLogError values (errno in std::system_category, the path, the
// offset). Blocking calls; used on the control loop's thread only.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "group/group_log_error.h"

namespace grouter::group {

// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release();

 private:
  int fd_ = -1;
};

using FileResult = std::expected<void, GroupLogError>;

[[nodiscard]] std::expected<UniqueFd, GroupLogError> open_file(const std::string& path, int flags);
[[nodiscard]] std::expected<bool, GroupLogError> file_exists(const std::string& path);
[[nodiscard]] std::expected<std::uint64_t, GroupLogError> file_size(int fd,
                                                                    const std::string& path);

// Reads exactly `n` bytes at `offset`; reaching the end of the file first is an error.
[[nodiscard]] std::expected<std::string, GroupLogError> read_at(int fd, const std::string& path,
                                                                std::uint64_t offset,
                                                                std::size_t n);
[[nodiscard]] FileResult write_at(int fd, const std::string& path, std::uint64_t offset,
                                  std::string_view bytes);
[[nodiscard]] FileResult sync_data(int fd, const std::string& path);
[[nodiscard]] FileResult truncate_to(int fd, const std::string& path, std::uint64_t size);

// Makes `path` hold exactly `contents`, atomically: writes `path`.tmp, fsyncs it, renames it over
// `path`, then fsyncs the folder (dir_fd) so the rename itself is durable.
[[nodiscard]] FileResult replace_file(int dir_fd, const std::string& path,
                                      std::string_view contents);

// Renames `from` over `to` and fsyncs the folder.
[[nodiscard]] FileResult rename_durably(int dir_fd, const std::string& from, const std::string& to);

}  // namespace grouter::group
