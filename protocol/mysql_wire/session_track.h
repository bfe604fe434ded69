// Session-state-tracking data carried by an OK packet when CLIENT_SESSION_TRACK is agreed and the
// server sets SERVER_SESSION_STATE_CHANGED: a list of entries, each a type byte and a
// length-encoded block of data whose shape depends on the type. Types this codec does not know are
// kept as raw bytes. MariaDB reports the last GTID as the system variable `last_gtid`; MySQL uses
// kGtids.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

enum class SessionTrackType : std::uint8_t {
  kSystemVariables = 0,
  kSchema = 1,
  kStateChange = 2,
  kGtids = 3,
  kTransactionCharacteristics = 4,
  kTransactionState = 5,
};

struct TrackedSystemVariable {
  std::string name;
  std::string value;
  bool operator==(const TrackedSystemVariable&) const = default;
};
struct TrackedSchema {
  std::string schema;
  bool operator==(const TrackedSchema&) const = default;
};
struct TrackedStateChange {
  std::string value;  // "1" when the state changed (the whole data block, not length-encoded)
  bool operator==(const TrackedStateChange&) const = default;
};
struct TrackedGtids {
  std::uint8_t encoding;  // 0: the GTID set as text
  std::string gtids;
  bool operator==(const TrackedGtids&) const = default;
};
struct TrackedTransactionCharacteristics {
  std::string statements;  // e.g. "START TRANSACTION READ ONLY;"
  bool operator==(const TrackedTransactionCharacteristics&) const = default;
};
struct TrackedTransactionState {
  std::string state;  // 8 characters, e.g. "T_______"
  bool operator==(const TrackedTransactionState&) const = default;
};
struct TrackedOther {
  std::uint8_t type;
  Bytes data;
  bool operator==(const TrackedOther&) const = default;
};

using SessionStateEntry =
    std::variant<TrackedSystemVariable, TrackedSchema, TrackedStateChange, TrackedGtids,
                 TrackedTransactionCharacteristics, TrackedTransactionState, TrackedOther>;

// The entries, without the outer length the OK packet puts before them.
void append_session_state(std::vector<std::uint8_t>& out,
                          const std::vector<SessionStateEntry>& entries);
[[nodiscard]] std::expected<std::vector<SessionStateEntry>, std::error_code> decode_session_state(
    std::span<const std::uint8_t> in);

}  // namespace grouter::mysql_wire
