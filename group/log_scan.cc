// The record scan of a group log file.
#include "group/log_scan.h"

#include <algorithm>

#include "group/group_log.h"
#include "group/log_format.h"
#include "group/posix_file.h"

namespace grouter::group {
namespace {

constexpr std::size_t kZeroCheckChunkBytes = 64 * 1024;

GroupLogError corrupt(const std::string& path, std::uint64_t offset, std::string detail) {
  return GroupLogError{make_error_code(GroupLogErrc::kCorruptRecord), path, offset,
                       std::move(detail)};
}

// True when every byte from `from` to `size` is zero: a file extended by a crash before its data
// reached the disk.
std::expected<bool, GroupLogError> zero_to_end(int fd, const std::string& path, std::uint64_t from,
                                               std::uint64_t size) {
  while (from < size) {
    const auto n =
        static_cast<std::size_t>(std::min<std::uint64_t>(kZeroCheckChunkBytes, size - from));
    auto chunk = read_at(fd, path, from, n);
    if (!chunk) return std::unexpected(chunk.error());
    if (chunk->find_first_not_of('\0') != std::string::npos) return false;
    from += n;
  }
  return true;
}

}  // namespace

std::expected<LogScan, GroupLogError> scan_log(int fd, const std::string& path,
                                               std::uint64_t size) {
  LogScan scan;
  std::uint64_t offset = kLogHeaderBytes;
  scan.valid_end = offset;
  while (offset < size) {
    const std::uint64_t left = size - offset;
    if (left < kRecordHeaderBytes) {
      scan.torn_detail = std::to_string(left) + " bytes, less than a record header";
      break;
    }
    auto head = read_at(fd, path, offset, kRecordHeaderBytes);
    if (!head) return std::unexpected(head.error());
    if (!header_crc_ok(*head)) {
      auto zeros = zero_to_end(fd, path, offset, size);
      if (!zeros) return std::unexpected(zeros.error());
      if (*zeros) {
        scan.torn_detail = "zero bytes to the end of the file";
        break;
      }
      return std::unexpected(corrupt(path, offset, "record header checksum mismatch"));
    }
    const RecordHeader header = decode_record_header(*head);
    if (header.length > kMaxEntryBytes) {
      return std::unexpected(corrupt(path, offset,
                                     "length field " + std::to_string(header.length) +
                                         " exceeds the bound of " +
                                         std::to_string(kMaxEntryBytes)));
    }
    const std::uint64_t end = offset + kRecordHeaderBytes + header.length;
    if (end > size) {
      scan.torn_detail = "record of " + std::to_string(header.length) +
                         " payload bytes runs past the end of the file";
      break;
    }
    auto payload = read_at(fd, path, offset + kRecordHeaderBytes, header.length);
    if (!payload) return std::unexpected(payload.error());
    if (payload_crc(*payload) != header.payload_crc) {
      if (end == size) {
        scan.torn_detail = "the last record's payload fails its checksum";
        break;
      }
      return std::unexpected(corrupt(path, offset, "payload checksum mismatch with data after it"));
    }
    const std::uint64_t expected = scan.offsets.empty() ? std::max<std::uint64_t>(header.index, 1)
                                                        : scan.first_index + scan.offsets.size();
    if (header.index != expected) {
      return std::unexpected(corrupt(path, offset,
                                     "record carries index " + std::to_string(header.index) +
                                         " where " + std::to_string(expected) + " was expected"));
    }
    if (scan.offsets.empty()) scan.first_index = header.index;
    scan.offsets.push_back(offset);
    offset = end;
    scan.valid_end = end;
  }
  return scan;
}

std::expected<std::string, GroupLogError> read_record(int fd, const std::string& path,
                                                      std::uint64_t offset, std::uint64_t index) {
  auto head = read_at(fd, path, offset, kRecordHeaderBytes);
  if (!head) return std::unexpected(head.error());
  const RecordHeader header = decode_record_header(*head);
  if (!header_crc_ok(*head) || header.length > kMaxEntryBytes) {
    return std::unexpected(corrupt(path, offset, "record header changed since it was checked"));
  }
  auto payload = read_at(fd, path, offset + kRecordHeaderBytes, header.length);
  if (!payload) return std::unexpected(payload.error());
  if (payload_crc(*payload) != header.payload_crc) {
    return std::unexpected(corrupt(path, offset, "payload changed since it was checked"));
  }
  if (header.index != index) {
    return std::unexpected(corrupt(path, offset,
                                   "record carries index " + std::to_string(header.index) +
                                       " where " + std::to_string(index) + " was expected"));
  }
  return std::move(*payload);
}

}  // namespace grouter::group
