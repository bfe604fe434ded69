// Entries: the decisions about the group, proposed by the leader and applied in the same order by
// every instance (apply.h). Each is a small value; an Entry is one of them. Members are named by
// member_id, except in Bootstrap and MemberAdded, which configure storage nodes by name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "metadata/member.h"

namespace grouter::metadata {

// A [storage_node:NAME] section as the group records it. member_id may be empty in Bootstrap (the
// node is given one at its first admission); MemberAdded requires it.
struct NodeConfig {
  std::string name;
  std::string host;
  uint16_t port = 0;
  uint32_t weight = kDefaultMemberWeight;
  std::string member_id;

  bool operator==(const NodeConfig&) const = default;
};

// Creates the group: name (a UUID), mode, the view's fixed part, the configured nodes (OFFLINE,
// none in the view yet). The view id becomes fixed:0; the first join makes it fixed:1, as in GR.
struct Bootstrap {
  std::string group_name;
  bool single_primary_mode = true;
  uint64_t view_fixed = 0;
  std::vector<NodeConfig> nodes;

  bool operator==(const Bootstrap&) const = default;
};

// A configured node receives its member_id (first admission), or a new node is configured. Also
// updates host, port and weight of a node outside the view.
struct MemberAdded {
  NodeConfig node;

  bool operator==(const MemberAdded&) const = default;
};

// Enters the view as RECOVERING (distributed recovery follows). From OFFLINE or ERROR.
struct MemberJoined {
  std::string member_id;

  bool operator==(const MemberJoined&) const = default;
};

// RECOVERING → ONLINE: recovery has caught up.
struct MemberOnline {
  std::string member_id;

  bool operator==(const MemberOnline&) const = default;
};

// ONLINE or RECOVERING → UNREACHABLE; the member stays in the view (and stays primary).
struct MemberSuspected {
  std::string member_id;

  bool operator==(const MemberSuspected&) const = default;
};

// UNREACHABLE → the state it had before.
struct MemberReachable {
  std::string member_id;

  bool operator==(const MemberReachable&) const = default;
};

// Leaves the view after suspicion: ERROR with the reason (GR: an expelled member is ERROR and may
// rejoin). A primary expelled leaves the group without a primary until PrimaryElected.
struct MemberExpelled {
  std::string member_id;
  std::string reason;

  bool operator==(const MemberExpelled&) const = default;
};

// Leaves the view cleanly (stopped by the operator or shut down): OFFLINE with the reason.
struct MemberLeft {
  std::string member_id;
  std::string reason;

  bool operator==(const MemberLeft&) const = default;
};

// ERROR with the reason (recovery failed, errant transactions, requirements not met); leaves the
// view if it was in it.
struct MemberError {
  std::string member_id;
  std::string reason;
  bool errant = false;           // errant transactions: not rejoined in this term
  bool recovery_failed = false;  // distributed recovery gave up: counts as a failed rejoin

  bool operator==(const MemberError&) const = default;
};

// The primary (single-primary mode): an ONLINE member of the view, or none. Does not change the
// view.
struct PrimaryElected {
  std::optional<std::string> member_id;
  std::string reason;  // for the log: "elected: lowest version, ...", "switchover", ...
  // EVENTUAL consistency publishes the winner before its catch-up: the failover goes on.
  bool provisional = false;

  bool operator==(const PrimaryElected&) const = default;
};

// The server version a probe reported; the text must parse (member.h).
struct MemberVersionObserved {
  std::string member_id;
  std::string version;

  bool operator==(const MemberVersionObserved&) const = default;
};

// member_weight changed by the operator (0..100).
struct MemberWeightChanged {
  std::string member_id;
  uint32_t weight = kDefaultMemberWeight;

  bool operator==(const MemberWeightChanged&) const = default;
};

// An option the operator changed at run time (SET GLOBAL group_replication_OPTION = VALUE): GR's
// name without the prefix and the canonical value group_options.h's check_option() gives. Not
// member_weight (MemberWeightChanged).
struct OptionChanged {
  std::string option;
  std::string value;

  bool operator==(const OptionChanged&) const = default;
};

// STOP GROUP_REPLICATION on a member: OFFLINE with the reason, out of the view if it was in it (a
// view change), and stopped: not rejoined until MemberStarted. Not the primary (a switchover
// comes first).
struct MemberStopped {
  std::string member_id;
  std::string reason;

  bool operator==(const MemberStopped&) const = default;
};

// START GROUP_REPLICATION on a member outside the view: no longer stopped, and tried again as a
// new start would (failed rejoins and the errant mark cleared); it joins through distributed
// recovery.
struct MemberStarted {
  std::string member_id;

  bool operator==(const MemberStarted&) const = default;
};

// A grouter instance starts leading: the log's term rises (it must be higher than the last).
struct TermBegun {
  uint64_t term = 0;

  bool operator==(const TermBegun&) const = default;
};

// The group has no primary and a failover begins: recorded before any statement changes a node.
// Only while there is no primary and no failover (or to take over one of an older term).
struct FailoverStarted {
  uint64_t term = 0;
  std::string old_primary;

  bool operator==(const FailoverStarted&) const = default;
};

// The safety rule (failover.h) keeps the failover waiting (REASON), or lets it proceed again
// (empty REASON). MISSING: comma-separated member_ids whose read would let it proceed.
struct FailoverWaiting {
  uint64_t term = 0;
  std::string reason;
  std::string missing;

  bool operator==(const FailoverWaiting&) const = default;
};

// The plan, before its first step: WINNER must hold TARGET (a GTID position) before promotion.
struct FailoverDecided {
  uint64_t term = 0;
  std::string winner;
  std::string target;
  std::string may_lose;  // force_members only: what the excluded holders may have had

  bool operator==(const FailoverDecided&) const = default;
};

// GR's force_members, the operator's last resort: the view becomes MEMBERS (comma-separated
// member_ids of members in the view); the others leave it (ERROR), and the failover's rule
// counts only MEMBERS (a failover is recorded if none was). Refused while an ONLINE primary
// leads the group.
struct MembersForced {
  std::string members;

  bool operator==(const MembersForced&) const = default;
};

// A RECOVERING member's distributed recovery starts an attempt from DONOR (member_id), which had
// executed TARGET (a GTID position) then; AT_MS is the proposer's clock (epoch ms).
struct RecoveryStarted {
  std::string member_id;
  std::string donor;
  std::string target;
  uint64_t at_ms = 0;

  bool operator==(const RecoveryStarted&) const = default;
};

// The attempt running failed with ERROR; the member stays RECOVERING and tries another donor.
// MISSING_BINLOGS: the donor no longer had the binary logs the member needs.
struct RecoveryFailed {
  std::string member_id;
  std::string error;
  bool missing_binlogs = false;

  bool operator==(const RecoveryFailed&) const = default;
};

// Every ONLINE donor was tried in this round: the next round starts recovery_reconnect_interval
// after AT_MS (epoch ms).
struct RecoveryPaused {
  std::string member_id;
  uint64_t at_ms = 0;

  bool operator==(const RecoveryPaused&) const = default;
};

// The member's newest writes of its own that the group holds (POSITION: GTIDs of its server_id);
// a newer one while it is a secondary is an errant transaction. Empty POSITION: none.
struct OwnWritesRecorded {
  std::string member_id;
  std::string position;

  bool operator==(const OwnWritesRecorded&) const = default;
};

using Entry = std::variant<Bootstrap, MemberAdded, MemberJoined, MemberOnline, MemberSuspected,
                           MemberReachable, MemberExpelled, MemberLeft, MemberError, PrimaryElected,
                           MemberVersionObserved, MemberWeightChanged, TermBegun, FailoverStarted,
                           FailoverWaiting, FailoverDecided, MembersForced, RecoveryStarted,
                           RecoveryFailed, RecoveryPaused, OwnWritesRecorded, OptionChanged,
                           MemberStopped, MemberStarted>;

// The entry's type as the log encoding names it: "bootstrap", "member_added", "member_joined",
// "member_online", "member_suspected", "member_reachable", "member_expelled", "member_left",
// "member_error", "primary_elected", "member_version_observed", "member_weight_changed",
// "term_begun", "failover_started", "failover_waiting", "failover_decided", "members_forced",
// "recovery_started", "recovery_failed", "recovery_paused", "own_writes_recorded",
// "option_changed", "member_stopped", "member_started".
[[nodiscard]] std::string_view entry_type(const Entry& entry);

}  // namespace grouter::metadata
