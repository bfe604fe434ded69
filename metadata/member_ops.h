// The operator's member operations, pure: whether STOP GROUP_REPLICATION on a member may be done
// now and how (a switchover first when it is the primary), whether START GROUP_REPLICATION and a
// bootstrap may be, and members named by member_id or storage node name. The group controller
// answers requests with these at once; decide() checks a stop again before it records it.
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "metadata/group_service.h"
#include "metadata/group_state.h"

namespace grouter::metadata {

// The member named ID_OR_NAME: its member_id, or the name of its [storage_node:NAME]; nullptr when
// none.
[[nodiscard]] const Member* find_member(const GroupState& state, const std::string& id_or_name);

struct StopPlan {
  bool already_stopped = false;
  // The member is the primary: set_as_primary(switchover_to) first, then stop it as a secondary.
  std::optional<std::string> switchover_to;
};

// Whether MEMBER may be stopped now (CONFIGURED: the number of storage nodes). Refused
// (kUnavailable, the reason in one line): the group is not bootstrapped, a failover is in progress,
// a majority of the view is not reachable, the view left would have no reachable majority, the
// primary would be left without an ONLINE secondary to acknowledge writes (semi-sync, with more
// than one configured node), or it is the primary and no ONLINE member can take over.
[[nodiscard]] std::expected<StopPlan, SwitchoverFailure> plan_stop(const GroupState& state,
                                                                  const Member& member,
                                                                  size_t configured);

// Whether MEMBER may be started now: kInvalidRequest when it is in the view already, kUnavailable
// when the group is not bootstrapped or has nobody in the view to join (bootstrap it).
[[nodiscard]] std::expected<void, SwitchoverFailure> check_start(const GroupState& state,
                                                                 const Member& member);

// Whether the group may be bootstrapped now: not while a view has members (GR refuses to
// bootstrap a running group).
[[nodiscard]] std::expected<void, SwitchoverFailure> check_bootstrap(const GroupState& state);

// What a node was last seen to have executed, for the bootstrap's check.
struct NodeHolding {
  std::string name;
  bool answered = false;  // its last probe answered with facts
  GtidPosition executed;
};

// Whether the node NAME may form the group, the others joining it through recovery: every
// configured node must answer (what a silent one holds cannot be checked: kUnavailable) and NAME
// must have executed what each of them has (otherwise theirs would be errant, and acknowledged
// writes lost: kInvalidRequest naming the node and the positions).
[[nodiscard]] std::expected<void, SwitchoverFailure> check_bootstrap_node(
    const std::vector<NodeHolding>& nodes, const std::string& name);

}  // namespace grouter::metadata
