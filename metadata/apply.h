// The metadata state machine: apply_entry(state, entry) is pure and deterministic, so every
// instance that applies the same entries in the same order holds the same state. A rejected entry
// leaves the state as it was and names the rule it broke (metadata_error.h). (Not named `apply`:
// Entry is a std::variant, so an unqualified apply(state, entry) would find std::apply by argument
// lookup.)
//
// View id rule (GR): `seq` rises by exactly one when the set of members in the view changes —
// MemberJoined, MemberExpelled, MemberLeft, and MemberError of a member in the view. Nothing else
// changes the view id: not RECOVERING → ONLINE, not UNREACHABLE and back (a suspected member stays
// in the view), not a primary election or switchover (GR changes the primary without a view
// change), not versions or weights. Bootstrap sets fixed:0 with an empty view, so the first join is
// fixed:1.
//
// Primary rule: only PrimaryElected sets the primary, and only to an ONLINE member of the view (or
// to none). A suspected primary stays primary until it leaves the view; when the primary leaves,
// the group has no primary until the next PrimaryElected. Roles are derived after every entry
// (derived_role in group_state.h). The caller decides when to expel and elect (quorum.h,
// election.h); apply_entry() only checks that the decision fits the state.
#pragma once

#include <expected>
#include <system_error>

#include "metadata/entry.h"
#include "metadata/group_state.h"

namespace grouter::metadata {

[[nodiscard]] std::expected<GroupState, std::error_code> apply_entry(const GroupState& state,
                                                                     const Entry& entry);

}  // namespace grouter::metadata
