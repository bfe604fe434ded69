// Encoding and checking of the group log and snapshot formats.
#include "group/log_format.h"

#include <zlib.h>

namespace grouter::group {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return v;
}

std::uint32_t crc_extend(std::uint32_t crc, std::string_view bytes) {
  // zlib takes a uInt length: feed it in pieces so no size is ever narrowed.
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  while (!bytes.empty()) {
    const std::size_t n = bytes.size() < kPiece ? bytes.size() : kPiece;
    crc = static_cast<std::uint32_t>(
        crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n)));
    bytes.remove_prefix(n);
  }
  return crc;
}

GroupLogError at(GroupLogErrc e, std::uint64_t offset, std::string detail) {
  return GroupLogError{make_error_code(e), {}, offset, std::move(detail)};
}

}  // namespace

std::string encode_log_header() {
  std::string out(kLogMagic);
  put_u32(out, kFormatVersion);
  return out;
}

std::expected<void, GroupLogError> check_log_header(std::string_view bytes) {
  if (bytes.size() < kLogHeaderBytes) {
    return std::unexpected(at(GroupLogErrc::kBadHeader, 0,
                              "file is " + std::to_string(bytes.size()) +
                                  " bytes, shorter than the " + std::to_string(kLogHeaderBytes) +
                                  "-byte header"));
  }
  if (bytes.substr(0, kLogMagic.size()) != kLogMagic) {
    return std::unexpected(at(GroupLogErrc::kBadHeader, 0, "wrong magic (not a group log)"));
  }
  const auto version = get_le(bytes, kLogMagic.size(), 4);
  if (version != kFormatVersion) {
    return std::unexpected(at(GroupLogErrc::kBadHeader, kLogMagic.size(),
                              "unsupported version " + std::to_string(version)));
  }
  return {};
}

std::string encode_record_header(std::uint32_t length, std::uint64_t index,
                                 std::uint32_t payload_crc) {
  std::string covered;
  put_u32(covered, length);
  put_u64(covered, index);
  put_u32(covered, payload_crc);
  std::string out;
  put_u32(out, crc_extend(0, covered));
  return out + covered;
}

void append_record(std::string& out, std::uint64_t index, std::string_view payload) {
  out +=
      encode_record_header(static_cast<std::uint32_t>(payload.size()), index, payload_crc(payload));
  out.append(payload);
}

RecordHeader decode_record_header(std::string_view header_bytes) {
  return RecordHeader{static_cast<std::uint32_t>(get_le(header_bytes, 0, 4)),
                      static_cast<std::uint32_t>(get_le(header_bytes, 4, 4)),
                      get_le(header_bytes, 8, 8),
                      static_cast<std::uint32_t>(get_le(header_bytes, 16, 4))};
}

bool header_crc_ok(std::string_view header_bytes) {
  return crc_extend(0, header_bytes.substr(4, kRecordHeaderBytes - 4)) ==
         static_cast<std::uint32_t>(get_le(header_bytes, 0, 4));
}

std::uint32_t payload_crc(std::string_view payload) {
  return crc_extend(0, payload);
}

std::string encode_snapshot(const Snapshot& snapshot) {
  std::string covered;
  put_u64(covered, snapshot.index);
  put_u64(covered, snapshot.bytes.size());
  std::string out(kSnapshotMagic);
  put_u32(out, kFormatVersion);
  put_u32(out, crc_extend(crc_extend(0, covered), snapshot.bytes));
  out += covered;
  out += snapshot.bytes;
  return out;
}

std::expected<Snapshot, GroupLogError> decode_snapshot(std::string_view file) {
  if (file.size() < kSnapshotHeaderBytes) {
    return std::unexpected(at(GroupLogErrc::kBadSnapshot, file.size(),
                              "file is " + std::to_string(file.size()) +
                                  " bytes, shorter than the " +
                                  std::to_string(kSnapshotHeaderBytes) + "-byte header"));
  }
  if (file.substr(0, kSnapshotMagic.size()) != kSnapshotMagic) {
    return std::unexpected(at(GroupLogErrc::kBadSnapshot, 0, "wrong magic (not a group snapshot)"));
  }
  const auto version = get_le(file, 8, 4);
  if (version != kFormatVersion) {
    return std::unexpected(
        at(GroupLogErrc::kBadSnapshot, 8, "unsupported version " + std::to_string(version)));
  }
  const auto length = get_le(file, 24, 8);
  if (length != file.size() - kSnapshotHeaderBytes) {
    return std::unexpected(at(GroupLogErrc::kBadSnapshot, 24,
                              "length field " + std::to_string(length) + " but " +
                                  std::to_string(file.size() - kSnapshotHeaderBytes) +
                                  " payload bytes in the file"));
  }
  const auto stored_crc = static_cast<std::uint32_t>(get_le(file, 12, 4));
  if (crc_extend(0, file.substr(16)) != stored_crc) {
    return std::unexpected(at(GroupLogErrc::kBadSnapshot, 12, "checksum mismatch"));
  }
  return Snapshot{get_le(file, 16, 8), std::string(file.substr(kSnapshotHeaderBytes))};
}

}  // namespace grouter::group
