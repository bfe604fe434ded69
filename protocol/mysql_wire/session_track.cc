// Session-state-tracking entries: an outer walk (type, length-encoded data) and one inner walk per
// known type.
#include "protocol/mysql_wire/session_track.h"

#include <type_traits>

#include "protocol/mysql_wire/wire_reader.h"

namespace grouter::mysql_wire {
namespace {

template <class Io, class Entry>
void walk_data(Io& io, Entry& e) {
  using T = std::remove_const_t<Entry>;
  if constexpr (std::is_same_v<T, TrackedSystemVariable>) {
    io.lenenc_str(e.name);
    io.lenenc_str(e.value);
  } else if constexpr (std::is_same_v<T, TrackedSchema>) {
    io.lenenc_str(e.schema);
  } else if constexpr (std::is_same_v<T, TrackedStateChange>) {
    io.eof_str(e.value);  // MySQL and MariaDB both send the bare "1", not a length-encoded string
  } else if constexpr (std::is_same_v<T, TrackedGtids>) {
    io.u8(e.encoding);
    io.lenenc_str(e.gtids);
  } else if constexpr (std::is_same_v<T, TrackedTransactionCharacteristics>) {
    io.lenenc_str(e.statements);
  } else if constexpr (std::is_same_v<T, TrackedTransactionState>) {
    io.lenenc_str(e.state);
  } else {
    static_assert(std::is_same_v<T, TrackedOther>);
    io.eof_str(e.data);
  }
}

std::uint8_t type_of(const SessionStateEntry& entry) {
  if (const auto* other = std::get_if<TrackedOther>(&entry)) return other->type;
  return static_cast<std::uint8_t>(
      entry.index());  // the known alternatives follow the type numbers
}

template <class T>
std::expected<SessionStateEntry, std::error_code> decode_data(std::span<const std::uint8_t> data) {
  WireReader io(data);
  T entry{};
  walk_data(io, entry);
  auto done = io.finish(std::move(entry));
  // The data block's length is known, so a short block is malformed rather than incomplete.
  if (!done && done.error() == CodecErrc::kNeedMoreBytes) {
    return std::unexpected(make_error_code(CodecErrc::kInvalidInput));
  }
  if (!done) return std::unexpected(done.error());
  return SessionStateEntry{std::move(*done)};
}

std::expected<SessionStateEntry, std::error_code> decode_entry(std::uint8_t type,
                                                               std::span<const std::uint8_t> data) {
  switch (static_cast<SessionTrackType>(type)) {
    case SessionTrackType::kSystemVariables:
      return decode_data<TrackedSystemVariable>(data);
    case SessionTrackType::kSchema:
      return decode_data<TrackedSchema>(data);
    case SessionTrackType::kStateChange:
      return decode_data<TrackedStateChange>(data);
    case SessionTrackType::kGtids:
      return decode_data<TrackedGtids>(data);
    case SessionTrackType::kTransactionCharacteristics:
      return decode_data<TrackedTransactionCharacteristics>(data);
    case SessionTrackType::kTransactionState:
      return decode_data<TrackedTransactionState>(data);
  }
  return TrackedOther{.type = type, .data = Bytes(data.begin(), data.end())};
}

}  // namespace

void append_session_state(std::vector<std::uint8_t>& out,
                          const std::vector<SessionStateEntry>& entries) {
  WireWriter io(out);
  for (const auto& entry : entries) {
    io.u8(type_of(entry));
    Bytes data;
    WireWriter data_io(data);
    std::visit([&](const auto& e) { walk_data(data_io, e); }, entry);
    io.lenenc_str(data);
  }
}

std::expected<std::vector<SessionStateEntry>, std::error_code> decode_session_state(
    std::span<const std::uint8_t> in) {
  WireReader io(in);
  std::vector<SessionStateEntry> entries;
  while (io.ok() && !io.at_end()) {
    std::uint8_t type = 0;
    io.u8(type);
    std::uint64_t size = 0;
    io.lenenc(size);
    const auto data = io.take(size);
    if (!io.ok()) break;
    auto entry = decode_entry(type, data);
    if (!entry) return std::unexpected(entry.error());
    entries.push_back(std::move(*entry));
  }
  return io.finish(std::move(entries));
}

}  // namespace grouter::mysql_wire
