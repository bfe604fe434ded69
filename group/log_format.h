// The byte layout of the group log and snapshot files (docs/group-log-format.md), as pure
// functions: no I/O, all integers little-endian, checksums CRC-32 (zlib's polynomial).
//
//   log file:   header = magic "grtr-log" (8) | version u32
//               record = header crc u32 | length u32 | index u64 | payload crc u32 | payload
//                        header crc covers the 16 bytes after it; payload crc the payload
//   snapshot:   magic "grtr-snp" (8) | version u32 | crc u32 | index u64 | length u64 | payload
//                        crc covers index, length and payload
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "group/group_log.h"
#include "group/group_log_error.h"

namespace grouter::group {

inline constexpr std::string_view kLogMagic = "grtr-log";
inline constexpr std::string_view kSnapshotMagic = "grtr-snp";
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kLogHeaderBytes = 12;
inline constexpr std::size_t kRecordHeaderBytes = 20;
inline constexpr std::size_t kSnapshotHeaderBytes = 32;

std::string encode_log_header();

// Checks the first bytes of a log file (all of them if the file is shorter than the header). The
// error's offset is where the header goes wrong; its path is left empty for the caller.
[[nodiscard]] std::expected<void, GroupLogError> check_log_header(std::string_view bytes);

struct RecordHeader {
  std::uint32_t header_crc = 0;
  std::uint32_t length = 0;
  std::uint64_t index = 0;
  std::uint32_t payload_crc = 0;
};

// Encodes a record header from its length, index and payload crc, computing its header crc.
std::string encode_record_header(std::uint32_t length, std::uint64_t index,
                                 std::uint32_t payload_crc);

// Appends one encoded record to `out`.
void append_record(std::string& out, std::uint64_t index, std::string_view payload);

// Decodes the kRecordHeaderBytes bytes that start a record.
RecordHeader decode_record_header(std::string_view header_bytes);

// True when the header's checksum matches the header's other fields.
bool header_crc_ok(std::string_view header_bytes);

// The checksum of a record's payload.
std::uint32_t payload_crc(std::string_view payload);

std::string encode_snapshot(const Snapshot& snapshot);

// Decodes a whole snapshot file. The error's offset is where it goes wrong.
[[nodiscard]] std::expected<Snapshot, GroupLogError> decode_snapshot(std::string_view file);

}  // namespace grouter::group
