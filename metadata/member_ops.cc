// The operator's member operations: the checks (member_ops.h).
#include "metadata/member_ops.h"

#include "metadata/election.h"
#include "metadata/quorum.h"

namespace grouter::metadata {
namespace {

using F = SwitchoverFailure;

std::unexpected<F> unavailable(std::string why) {
  return std::unexpected(F{F::Kind::kUnavailable, std::move(why)});
}

std::string unreachable_names(const GroupState& state) {
  std::string names;
  for (const Member& m : state.members) {
    if (m.in_view && m.state == MemberState::kUnreachable)
      names += (names.empty() ? "" : ", ") + m.name;
  }
  return names;
}

// STATE with MEMBER out of the view, as MemberStopped leaves it.
GroupState without(const GroupState& state, const std::string& member_id) {
  GroupState trial = state;
  for (Member& m : trial.members) {
    if (m.member_id != member_id) continue;
    m.in_view = false;
    m.state = MemberState::kOffline;
  }
  if (trial.primary == member_id) trial.primary.reset();
  return trial;
}

}  // namespace

const Member* find_member(const GroupState& state, const std::string& id_or_name) {
  if (const Member* m = state.find(id_or_name)) return m;
  for (const Member& m : state.members) {
    if (!id_or_name.empty() && m.name == id_or_name) return &m;
  }
  return nullptr;
}

std::expected<StopPlan, SwitchoverFailure> plan_stop(const GroupState& state, const Member& member,
                                                     size_t configured) {
  if (!state.bootstrapped()) return unavailable("the group is not bootstrapped");
  if (member.stopped) return StopPlan{true, std::nullopt};
  if (!member.in_view) return StopPlan{};  // ERROR or OFFLINE: no view change
  if (state.failover) return unavailable("a failover is in progress");
  const std::string view = to_string(state.view_id);
  if (!has_majority(state)) {
    return unavailable("a majority of view " + view + " is not reachable (UNREACHABLE: " +
                       unreachable_names(state) + "): the view cannot change");
  }
  StopPlan plan;
  GroupState after = without(state, member.member_id);
  if (state.primary == member.member_id) {
    auto successor = elect_primary(after);
    if (!successor) {
      return unavailable(member.name + " is the primary and no other ONLINE member can take over");
    }
    plan.switchover_to = successor;
    after.primary = successor;
  }
  if (!has_majority(after)) {
    return unavailable("stopping " + member.name + " would leave a view without a reachable " +
                       "majority (UNREACHABLE: " + unreachable_names(after) + ")");
  }
  if (configured > 1 && after.primary) {
    size_t acknowledgers = 0;
    for (const Member& m : after.members) {
      if (m.in_view && m.state == MemberState::kOnline && m.member_id != *after.primary)
        ++acknowledgers;
    }
    if (acknowledgers == 0) {
      const Member* p = after.find(*after.primary);
      return unavailable("stopping " + member.name + " would leave the primary " +
                         (p != nullptr ? p->name : *after.primary) +
                         " without an ONLINE secondary to acknowledge its writes (semi-sync): " +
                         "start another member first");
    }
  }
  return plan;
}

std::expected<void, SwitchoverFailure> check_start(const GroupState& state, const Member& member) {
  if (!state.bootstrapped()) {
    return unavailable("the group is not bootstrapped: bootstrap it on one member first (SET "
                       "GLOBAL group_replication_bootstrap_group=ON; START GROUP_REPLICATION)");
  }
  if (member.in_view) {
    return std::unexpected(F{F::Kind::kInvalidRequest,
                             "member " + member.name + " is already in the group (" +
                                 std::string(to_string(member.state)) + ")"});
  }
  if (state.view_member_ids().empty()) {
    return unavailable("no member is in the group to join: bootstrap it on one member first");
  }
  return {};
}

std::expected<void, SwitchoverFailure> check_bootstrap(const GroupState& state) {
  if (state.bootstrapped() && !state.view_member_ids().empty()) {
    std::string primary = "none";
    if (state.primary) {
      if (const Member* p = state.find(*state.primary)) primary = p->name;
    }
    return std::unexpected(F{F::Kind::kInvalidRequest,
                             "the group is already running (view " + to_string(state.view_id) +
                                 ", primary " + primary + "): it cannot be bootstrapped again"});
  }
  return {};
}

std::expected<void, SwitchoverFailure> check_bootstrap_node(const std::vector<NodeHolding>& nodes,
                                                            const std::string& name) {
  const NodeHolding* chosen = nullptr;
  for (const NodeHolding& n : nodes) {
    if (n.name == name) chosen = &n;
  }
  if (chosen == nullptr) {
    return std::unexpected(F{F::Kind::kInvalidRequest, "no storage node " + name});
  }
  for (const NodeHolding& n : nodes) {
    if (!n.answered) {
      return unavailable(n.name + " does not answer: what it holds cannot be checked before " +
                         name + " bootstraps the group");
    }
  }
  for (const NodeHolding& n : nodes) {
    if (&n != chosen && !covers(chosen->executed, n.executed)) {
      return std::unexpected(F{F::Kind::kInvalidRequest,
                               n.name + " has executed " + to_string(n.executed) + ", which " +
                                   name + " (" + to_string(chosen->executed) +
                                   ") lacks: bootstrap the group on the most advanced node"});
    }
  }
  return {};
}

}  // namespace grouter::metadata
