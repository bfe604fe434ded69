// The decided state of the group: name, mode, view id, primary and every configured storage node in
// configuration order, each marked in or out of the view. apply_entry() (apply.h) is the only way
// it changes; readers hold it as an immutable snapshot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metadata/member.h"

namespace grouter::metadata {

// GR refuses a 10th member.
inline constexpr size_t kMaxGroupMembers = 9;

// `fixed` is chosen once at bootstrap (a ms timestamp, by the caller) and kept until the whole
// group stops; `seq` rises by one at each membership change of the view. Printed "fixed:seq".
struct ViewId {
  uint64_t fixed = 0;
  uint64_t seq = 0;

  bool operator==(const ViewId&) const = default;
};

[[nodiscard]] std::string to_string(const ViewId& view_id);
[[nodiscard]] std::optional<ViewId> parse_view_id(std::string_view text);

// The comma-separated member_id lists of FailoverRecord and MembersForced: split ("" → none) and
// joined.
[[nodiscard]] std::vector<std::string> split_ids(std::string_view text);
[[nodiscard]] std::string join_ids(const std::vector<std::string>& ids);

// A failover in progress: recorded (FailoverStarted) before the first statement that changes a
// node, so that a restarted grouter resumes it; ended by PrimaryElected naming a member.
struct FailoverRecord {
  uint64_t term = 0;        // the term that decided it last
  std::string old_primary;  // member_id of the lost primary ("" when unknown)
  // Why no member can be promoted yet (failover.h's safety rule); empty while it proceeds.
  std::string waiting;
  std::string missing;  // comma-separated member_ids whose read would let it proceed
  // Decided (FailoverDecided): the winner and the GTID position it must hold before promotion.
  std::string winner;
  std::string target;
  // force_members: the operator's members (comma-separated) and what may be lost.
  std::string forced_members;
  std::string may_lose;

  bool operator==(const FailoverRecord&) const = default;
};

// An option the operator set at run time (OptionChanged): GR's name without the prefix and its
// canonical value (group_options.h). Wins over the configuration file's.
struct DecidedOption {
  std::string name;
  std::string value;

  bool operator==(const DecidedOption&) const = default;
};

struct GroupState {
  std::string group_name;  // empty until Bootstrap
  bool single_primary_mode = true;
  ViewId view_id;
  std::optional<std::string> primary;  // member_id; set only in single-primary mode
  std::vector<Member> members;         // every configured node, configuration order
  // The log's epoch: raised by TermBegun each time a grouter instance starts leading. Every
  // operation carries the term it was decided in; an older term's operation is not run.
  uint64_t term = 0;
  std::optional<std::string> last_primary;  // the primary before the current one left the view
  std::optional<FailoverRecord> failover;
  std::vector<DecidedOption> options;  // by name; absent: the configuration file's value

  bool bootstrapped() const { return !group_name.empty(); }
  // The member with this member_id, or nullptr (an empty id matches nothing).
  const Member* find(std::string_view member_id) const;
  Member* find(std::string_view member_id);
  // The member_ids of the view, in configuration order.
  std::vector<std::string> view_member_ids() const;

  bool operator==(const GroupState&) const = default;
};

// Checks what must hold of every decided state, naming the first breach: at most 9 members with
// distinct names and ids, in-view members RECOVERING/ONLINE/UNREACHABLE and out-of-view members
// OFFLINE/ERROR, roles as apply_entry() derives them, and a primary (single-primary mode only) that
// is a member of the view, ONLINE, or UNREACHABLE after being ONLINE (GR keeps a suspected primary
// until it is expelled).
[[nodiscard]] std::expected<void, std::string> check_invariants(const GroupState& state);

// The role GR shows for `member` in `state`: NONE outside the view; in single-primary mode PRIMARY
// for the primary and SECONDARY for the rest of the view; in multi-primary mode PRIMARY for every
// ONLINE member and SECONDARY for the rest of the view.
[[nodiscard]] MemberRole derived_role(const GroupState& state, const Member& member);

}  // namespace grouter::metadata
