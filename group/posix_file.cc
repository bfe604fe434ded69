// POSIX implementations of the group log's file helpers.
#include "group/posix_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace grouter::group {
namespace {

GroupLogError system_error(const std::string& path, std::uint64_t offset, std::string call) {
  return GroupLogError{std::error_code(errno, std::system_category()), path, offset,
                       std::move(call) + " failed"};
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

std::expected<UniqueFd, GroupLogError> open_file(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected(system_error(path, 0, "open"));
  return UniqueFd(fd);
}

std::expected<bool, GroupLogError> file_exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return std::unexpected(system_error(path, 0, "stat"));
}

std::expected<std::uint64_t, GroupLogError> file_size(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::unexpected(system_error(path, 0, "fstat"));
  return static_cast<std::uint64_t>(st.st_size);
}

std::expected<std::string, GroupLogError> read_at(int fd, const std::string& path,
                                                  std::uint64_t offset, std::size_t n) {
  std::string out(n, '\0');
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::unexpected(system_error(path, offset + done, "pread"));
    if (got == 0) {
      return std::unexpected(GroupLogError{std::make_error_code(std::errc::io_error), path,
                                           offset + done, "unexpected end of file"});
    }
    done += static_cast<std::size_t>(got);
  }
  return out;
}

FileResult write_at(int fd, const std::string& path, std::uint64_t offset, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t put =
        ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) return std::unexpected(system_error(path, offset + done, "pwrite"));
    done += static_cast<std::size_t>(put);
  }
  return {};
}

FileResult sync_data(int fd, const std::string& path) {
  if (::fsync(fd) != 0) return std::unexpected(system_error(path, 0, "fsync"));
  return {};
}

FileResult truncate_to(int fd, const std::string& path, std::uint64_t size) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    return std::unexpected(system_error(path, size, "ftruncate"));
  }
  return sync_data(fd, path);
}

FileResult rename_durably(int dir_fd, const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return std::unexpected(system_error(to, 0, "rename from " + from));
  }
  if (::fsync(dir_fd) != 0) return std::unexpected(system_error(to, 0, "fsync of its folder"));
  return {};
}

FileResult replace_file(int dir_fd, const std::string& path, std::string_view contents) {
  const std::string temp = path + ".tmp";
  auto fd = open_file(temp, O_WRONLY | O_CREAT | O_TRUNC);
  if (!fd) return std::unexpected(fd.error());
  if (auto r = write_at(fd->get(), temp, 0, contents); !r) return r;
  if (auto r = sync_data(fd->get(), temp); !r) return r;
  return rename_durably(dir_fd, temp, path);
}

}  // namespace grouter::group
