// The snapshot encoding of a GroupState (kept in runtime_folder so that a restarted grouter has the
// same group, view and member ids):
//   {"format": 1, "group_name", "single_primary_mode", "view_id": "fixed:seq", "primary": id|null,
//    "members": [{"member_id", "name", "host", "port", "state", "role", "version", "weight",
//                 "state_reason", "in_view", "state_before_unreachable"}]}
// States and roles in GR's spelling. decode_state() also checks the state's invariants
// (check_invariants), so a snapshot it returns is one apply_entry() could have produced.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "metadata/group_state.h"

namespace grouter::metadata {

inline constexpr uint64_t kStateFormat = 1;

[[nodiscard]] std::string encode(const GroupState& state);
[[nodiscard]] std::expected<GroupState, std::string> decode_state(std::string_view text);

}  // namespace grouter::metadata
