// The metadata state machine: one small function per entry type.
#include "metadata/apply.h"

#include <algorithm>
#include <set>

#include "metadata/group_options.h"
#include "metadata/gtid.h"
#include "metadata/member_id.h"
#include "metadata/metadata_error.h"

namespace grouter::metadata {
namespace {

using Result = std::expected<GroupState, std::error_code>;

std::unexpected<std::error_code> fail(MetadataErrc e) {
  return std::unexpected(make_error_code(e));
}

std::error_code check_node(const NodeConfig& node, bool id_required) {
  if (node.name.empty() || node.host.empty() || node.port == 0) {
    return make_error_code(MetadataErrc::kInvalidNode);
  }
  if (node.weight > kMaxMemberWeight) return make_error_code(MetadataErrc::kInvalidWeight);
  if ((id_required || !node.member_id.empty()) && !is_uuid(node.member_id)) {
    return make_error_code(MetadataErrc::kInvalidMemberId);
  }
  return {};
}

Member member_from(const NodeConfig& node) {
  Member m;
  m.member_id = node.member_id;
  m.name = node.name;
  m.host = node.host;
  m.port = node.port;
  m.weight = node.weight;
  return m;
}

// Takes `member` out of the view into `state` with `reason`; drops it as primary.
void leave_view(GroupState& state, Member& member, MemberState to, std::string reason) {
  member.in_view = false;
  member.recovery.reset();
  member.state = to;
  member.state_reason = std::move(reason);
  if (state.primary == member.member_id) {
    state.last_primary = member.member_id;
    state.primary.reset();
  }
  ++state.view_id.seq;
}

// MEMBER becomes TO with REASON: out of the view if it was in it (a view change).
void leave_view_if_in(GroupState& state, Member& member, MemberState to, const std::string& reason) {
  if (member.in_view) {
    leave_view(state, member, to, reason);
  } else {
    member.state = to;
    member.state_reason = reason;
  }
}

class Applier {
 public:
  explicit Applier(GroupState state) : state_(std::move(state)) {}

  Result operator()(const Bootstrap& e) {
    if (state_.bootstrapped()) return fail(MetadataErrc::kAlreadyBootstrapped);
    if (!is_uuid(e.group_name)) return fail(MetadataErrc::kInvalidGroupName);
    if (e.nodes.size() > kMaxGroupMembers) return fail(MetadataErrc::kGroupFull);
    GroupState next;
    next.group_name = e.group_name;
    next.single_primary_mode = e.single_primary_mode;
    next.view_id = ViewId{e.view_fixed, 0};
    std::set<std::string> names;
    std::set<std::string> ids;
    for (const NodeConfig& node : e.nodes) {
      if (auto ec = check_node(node, false)) return std::unexpected(ec);
      if (!names.insert(node.name).second) return fail(MetadataErrc::kDuplicateName);
      if (!node.member_id.empty() && !ids.insert(node.member_id).second) {
        return fail(MetadataErrc::kDuplicateMemberId);
      }
      next.members.push_back(member_from(node));
    }
    return next;
  }

  Result operator()(const MemberAdded& e) {
    if (!state_.bootstrapped()) return fail(MetadataErrc::kNotBootstrapped);
    if (auto ec = check_node(e.node, true)) return std::unexpected(ec);
    const Member* same_id = state_.find(e.node.member_id);
    if (same_id != nullptr && same_id->name != e.node.name) {
      return fail(MetadataErrc::kDuplicateMemberId);
    }
    for (Member& m : state_.members) {
      if (m.name != e.node.name) continue;
      if (!m.member_id.empty() && m.member_id != e.node.member_id) {
        return fail(MetadataErrc::kMemberIdAssigned);
      }
      if (m.in_view) return fail(MetadataErrc::kAlreadyInView);
      m.member_id = e.node.member_id;
      m.host = e.node.host;
      m.port = e.node.port;
      if (!m.weight_set) m.weight = e.node.weight;  // the operator's weight wins
      return finish();
    }
    if (state_.members.size() >= kMaxGroupMembers) return fail(MetadataErrc::kGroupFull);
    state_.members.push_back(member_from(e.node));
    return finish();
  }

  Result operator()(const MemberJoined& e) {
    return with_member(e.member_id, [&](Member& m) -> std::error_code {
      if (m.in_view) return make_error_code(MetadataErrc::kAlreadyInView);
      m.in_view = true;
      m.state = MemberState::kRecovering;
      m.state_reason.clear();
      m.recovery = RecoveryRecord{};
      ++state_.view_id.seq;
      return {};
    });
  }

  Result operator()(const MemberOnline& e) {
    return with_view_member(e.member_id, [&](Member& m) -> std::error_code {
      if (m.state != MemberState::kRecovering)
        return make_error_code(MetadataErrc::kInvalidTransition);
      m.state = MemberState::kOnline;
      m.recovery.reset();
      m.rejoin_failures = 0;
      return {};
    });
  }

  Result operator()(const MemberSuspected& e) {
    return with_view_member(e.member_id, [&](Member& m) -> std::error_code {
      if (m.state == MemberState::kUnreachable) {
        return make_error_code(MetadataErrc::kInvalidTransition);
      }
      m.state_before_unreachable = m.state;
      m.state = MemberState::kUnreachable;
      return {};
    });
  }

  Result operator()(const MemberReachable& e) {
    return with_view_member(e.member_id, [&](Member& m) -> std::error_code {
      if (m.state != MemberState::kUnreachable) {
        return make_error_code(MetadataErrc::kInvalidTransition);
      }
      m.state = m.state_before_unreachable;
      m.state_before_unreachable = MemberState::kOnline;
      return {};
    });
  }

  Result operator()(const MemberExpelled& e) {
    return with_view_member(e.member_id, [&](Member& m) -> std::error_code {
      leave_view(state_, m, MemberState::kError, e.reason.empty() ? "expelled" : e.reason);
      return {};
    });
  }

  Result operator()(const MemberLeft& e) {
    return with_view_member(e.member_id, [&](Member& m) -> std::error_code {
      leave_view(state_, m, MemberState::kOffline, e.reason);
      return {};
    });
  }

  Result operator()(const MemberError& e) {
    return with_member(e.member_id, [&](Member& m) -> std::error_code {
      leave_view_if_in(state_, m, MemberState::kError, e.reason);
      if (e.errant) m.errant = true;
      if (e.recovery_failed) ++m.rejoin_failures;
      return {};
    });
  }

  Result operator()(const PrimaryElected& e) {
    if (!state_.bootstrapped()) return fail(MetadataErrc::kNotBootstrapped);
    if (!state_.single_primary_mode) return fail(MetadataErrc::kNotSinglePrimary);
    if (e.member_id) {
      const Member* m = state_.find(*e.member_id);
      if (m == nullptr) return fail(MetadataErrc::kUnknownMember);
      if (!m->in_view || m->state != MemberState::kOnline) {
        return fail(MetadataErrc::kPrimaryNotOnline);
      }
    }
    if (state_.primary != e.member_id) {
      // Writes of its own are a primary's job: the baselines are taken again once each is a
      // secondary.
      for (Member& m : state_.members) {
        if (m.member_id == state_.primary || m.member_id == e.member_id) m.own_writes.reset();
      }
    }
    state_.primary = e.member_id;
    if (e.member_id && !e.provisional) state_.failover.reset();  // a failover ends with it
    return finish();
  }

  Result operator()(const TermBegun& e) {
    if (!state_.bootstrapped()) return fail(MetadataErrc::kNotBootstrapped);
    if (e.term <= state_.term) return fail(MetadataErrc::kStaleTerm);
    state_.term = e.term;
    // A new term (the operator restarted grouter, as START GROUP_REPLICATION would) tries
    // members that gave up again.
    for (Member& m : state_.members) {
      m.errant = false;
      m.rejoin_failures = 0;
    }
    return finish();
  }

  Result operator()(const FailoverStarted& e) {
    if (!state_.bootstrapped()) return fail(MetadataErrc::kNotBootstrapped);
    if (e.term < state_.term) return fail(MetadataErrc::kStaleTerm);
    if (state_.primary) return fail(MetadataErrc::kHasPrimary);
    FailoverRecord record;
    record.term = e.term;
    record.old_primary = e.old_primary;
    if (state_.failover) {  // taken over by a newer term: what was decided stays the floor
      record.target = state_.failover->target;
      record.forced_members = state_.failover->forced_members;
    }
    state_.failover = record;
    return finish();
  }

  Result operator()(const FailoverWaiting& e) {
    if (auto ec = check_failover(e.term)) return std::unexpected(ec);
    state_.failover->term = e.term;
    state_.failover->waiting = e.reason;
    state_.failover->missing = e.missing;
    return finish();
  }

  Result operator()(const FailoverDecided& e) {
    if (auto ec = check_failover(e.term)) return std::unexpected(ec);
    if (state_.find(e.winner) == nullptr) return fail(MetadataErrc::kUnknownMember);
    FailoverRecord& f = *state_.failover;
    f.term = e.term;
    f.waiting.clear();
    f.missing.clear();
    f.winner = e.winner;
    f.target = e.target;
    f.may_lose = e.may_lose;
    return finish();
  }

  Result operator()(const MembersForced& e) {
    if (!state_.bootstrapped()) return fail(MetadataErrc::kNotBootstrapped);
    if (state_.primary) {
      const Member* p = state_.find(*state_.primary);
      if (p != nullptr && p->state == MemberState::kOnline) return fail(MetadataErrc::kHasPrimary);
    }
    std::set<std::string> listed;
    for (const std::string& id : split_ids(e.members)) {
      const Member* m = state_.find(id);
      if (m == nullptr || !m->in_view) return fail(MetadataErrc::kInvalidForce);
      listed.insert(id);
    }
    if (listed.empty()) return fail(MetadataErrc::kInvalidForce);
    // One new view (GR installs the forced membership as one view change).
    const uint64_t seq = state_.view_id.seq;
    for (Member& m : state_.members) {
      if (m.in_view && listed.count(m.member_id) == 0) {
        leave_view(state_, m, MemberState::kError, "excluded by force_members");
      }
    }
    if (state_.view_id.seq > seq) state_.view_id.seq = seq + 1;
    if (!state_.failover) {
      state_.failover = FailoverRecord{};
      state_.failover->term = state_.term;
      state_.failover->old_primary =
          state_.primary ? *state_.primary : state_.last_primary.value_or("");
    }
    state_.failover->forced_members = e.members;
    return finish();
  }

  Result operator()(const RecoveryStarted& e) {
    if (!parse_gtid_position(e.target)) return fail(MetadataErrc::kInvalidPosition);
    if (state_.find(e.donor) == nullptr) return fail(MetadataErrc::kUnknownMember);
    return with_recovering(e.member_id, [&](RecoveryRecord& r) {
      r.donor = e.donor;
      r.target = e.target;
      auto tried = split_ids(r.tried);
      if (std::find(tried.begin(), tried.end(), e.donor) == tried.end()) tried.push_back(e.donor);
      r.tried = join_ids(tried);
      ++r.attempts;
      r.started_at_ms = e.at_ms;
      r.paused_at_ms = 0;
    });
  }

  Result operator()(const RecoveryFailed& e) {
    return with_recovering(e.member_id, [&](RecoveryRecord& r) {
      r.donor.clear();
      r.last_error = e.error;
      r.every_donor_missing_binlogs = r.every_donor_missing_binlogs && e.missing_binlogs;
    });
  }

  Result operator()(const RecoveryPaused& e) {
    return with_recovering(e.member_id, [&](RecoveryRecord& r) {
      r.donor.clear();
      r.tried.clear();
      r.paused_at_ms = e.at_ms;
    });
  }

  Result operator()(const OwnWritesRecorded& e) {
    if (!parse_gtid_position(e.position)) return fail(MetadataErrc::kInvalidPosition);
    return with_member(e.member_id, [&](Member& m) -> std::error_code {
      m.own_writes = e.position;
      return {};
    });
  }

  Result operator()(const MemberVersionObserved& e) {
    const auto version = parse_version(e.version);
    if (!version) return fail(MetadataErrc::kInvalidVersion);
    return with_member(e.member_id, [&](Member& m) -> std::error_code {
      m.version = *version;
      return {};
    });
  }

  Result operator()(const MemberWeightChanged& e) {
    if (e.weight > kMaxMemberWeight) return fail(MetadataErrc::kInvalidWeight);
    return with_member(e.member_id, [&](Member& m) -> std::error_code {
      m.weight = e.weight;
      m.weight_set = true;
      return {};
    });
  }

  Result operator()(const OptionChanged& e) {
    if (!state_.bootstrapped()) return fail(MetadataErrc::kNotBootstrapped);
    auto checked = check_option(e.option, e.value);
    if (!checked || checked->option != e.option || checked->value != e.value ||
        e.option == "member_weight")
      return fail(MetadataErrc::kInvalidOption);
    auto it = std::find_if(state_.options.begin(), state_.options.end(),
                           [&](const DecidedOption& o) { return o.name == e.option; });
    if (it != state_.options.end()) {
      it->value = e.value;
    } else {
      state_.options.push_back(DecidedOption{e.option, e.value});
      std::sort(state_.options.begin(), state_.options.end(),
                [](const DecidedOption& a, const DecidedOption& b) { return a.name < b.name; });
    }
    return finish();
  }

  Result operator()(const MemberStopped& e) {
    if (state_.primary == e.member_id) return fail(MetadataErrc::kIsPrimary);
    return with_member(e.member_id, [&](Member& m) -> std::error_code {
      leave_view_if_in(state_, m, MemberState::kOffline, e.reason);
      m.stopped = true;
      return {};
    });
  }

  Result operator()(const MemberStarted& e) {
    return with_member(e.member_id, [&](Member& m) -> std::error_code {
      if (m.in_view) return make_error_code(MetadataErrc::kNotStopped);
      m.stopped = false;
      m.errant = false;
      m.rejoin_failures = 0;
      if (m.state == MemberState::kOffline) m.state_reason.clear();
      return {};
    });
  }

 private:
  std::error_code check_failover(uint64_t term) const {
    if (!state_.bootstrapped()) return make_error_code(MetadataErrc::kNotBootstrapped);
    if (!state_.failover) return make_error_code(MetadataErrc::kNoFailover);
    if (term < state_.term) return make_error_code(MetadataErrc::kStaleTerm);
    return {};
  }

  template <typename Change>
  Result with_member(const std::string& member_id, Change change) {
    if (!state_.bootstrapped()) return fail(MetadataErrc::kNotBootstrapped);
    Member* m = state_.find(member_id);
    if (m == nullptr) return fail(MetadataErrc::kUnknownMember);
    if (auto ec = change(*m)) return std::unexpected(ec);
    return finish();
  }

  template <typename Change>
  Result with_view_member(const std::string& member_id, Change change) {
    return with_member(member_id, [&](Member& m) -> std::error_code {
      if (!m.in_view) return make_error_code(MetadataErrc::kNotInView);
      return change(m);
    });
  }

  // A change to the recovery of a RECOVERING member of the view.
  template <typename Change>
  Result with_recovering(const std::string& member_id, Change change) {
    return with_view_member(member_id, [&](Member& m) -> std::error_code {
      if (m.state != MemberState::kRecovering) {
        return make_error_code(MetadataErrc::kInvalidTransition);
      }
      if (!m.recovery) m.recovery = RecoveryRecord{};
      change(*m.recovery);
      return {};
    });
  }

  Result finish() {
    if (!state_.bootstrapped()) return fail(MetadataErrc::kNotBootstrapped);
    for (Member& m : state_.members) m.role = derived_role(state_, m);
    return std::move(state_);
  }

  GroupState state_;
};

}  // namespace

std::expected<GroupState, std::error_code> apply_entry(const GroupState& state,
                                                       const Entry& entry) {
  return std::visit(Applier(state), entry);
}

}  // namespace grouter::metadata
