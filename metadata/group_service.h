// What the rest of grouter may ask of the group it keeps over the storage nodes: the latest decided
// state, monitor counters for MySQL Router's metadata-cache REST endpoints, GR's set_as_primary (a
// switchover) and force_members, and GR's operator statements: SET GLOBAL group_replication_*,
// STOP / START GROUP_REPLICATION on a member, bootstrapping the group, the variables. Implemented by the group controller (metadata/group_controller.h);
// the REST API and tests use this interface only.
//
// Threading: every call is made on the control loop's thread, and callbacks run there.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "metadata/group_event.h"
#include "metadata/group_state.h"
#include "metadata/gtid.h"

namespace grouter::metadata {

// The monitor's refresh counters, in the shape of MySQL Router's /metadata/{name}/status.
struct MonitorStats {
  uint64_t refresh_succeeded = 0;  // probe rounds in which every reachable node answered
  uint64_t refresh_failed = 0;     // probe rounds in which some node did not answer
  int64_t last_refresh_succeeded_epoch_micros = 0;  // 0: never
  std::string last_refresh_host;   // the node a probe last answered from
  uint16_t last_refresh_port = 0;
  int64_t refresh_interval_ms = 0;  // the probe interval
};

// Why a switchover was not done. kInvalidRequest: the request names an unknown member, one that is
// not an ONLINE member of the view, or the group is multi-primary (HTTP 400). kUnavailable: the
// group cannot change its primary now (no majority reachable, no primary, another change in
// progress; HTTP 503). kFailed: it was tried and did not complete; the old primary stays (HTTP
// 500). The message says which, in one line.
struct SwitchoverFailure {
  enum class Kind { kInvalidRequest, kUnavailable, kFailed };
  Kind kind = Kind::kFailed;
  std::string message;
};

// How far one storage node's replication has got, from its latest probe: what GR's
// replication_group_member_stats and a lag display need. Counts are transactions (sequence numbers
// summed over GTID domains, gtid.h's transactions_behind).
struct MemberProgress {
  std::string name;       // [storage_node:NAME]
  std::string member_id;  // "" before its first admission
  bool probed = false;    // false: no probe has answered with facts yet (the rest is empty)
  int64_t probe_age_ms = 0;       // how old the facts are
  GtidPosition executed;          // @@gtid_current_pos
  GtidPosition received;          // Gtid_IO_Pos (empty on a node that does not replicate)
  uint64_t behind_primary = 0;    // executed vs the primary's executed position (0 on the primary)
  uint64_t applier_queue = 0;     // received but not yet executed
};

using SwitchoverDone = std::function<void(std::expected<void, SwitchoverFailure>)>;

// What force_members installed: the new view, and what the excluded members may have held that
// the group loses ("" when nothing is known to be lost).
struct ForceResult {
  std::string view_id;
  std::string may_lose;
  std::string waiting;  // non-empty: the forced failover cannot proceed yet, and why
};

using ForceDone = std::function<void(std::expected<ForceResult, SwitchoverFailure>)>;

// Success: a one-line message for the operator ("member X left the group", ...).
using OpDone = std::function<void(std::expected<std::string, SwitchoverFailure>)>;

class GroupService {
 public:
  virtual ~GroupService() = default;

  // The newest applied state (never null once the service started; a state that is not yet
  // bootstrapped has an empty group_name and no members).
  [[nodiscard]] virtual std::shared_ptr<const GroupState> state() const = 0;
  [[nodiscard]] virtual MonitorStats monitor_stats() const = 0;
  // One entry per configured storage node, configuration order.
  [[nodiscard]] virtual std::vector<MemberProgress> member_progress() const = 0;
  // The group's recent events (group_event.h: decisions, view changes, notes), oldest first: those
  // after AFTER_ID, or every one kept (the last EventHistory::kDefaultCapacity) when AFTER_ID is 0
  // or newer than the last (an id from an earlier run of grouter).
  [[nodiscard]] virtual std::vector<GroupEvent> events_since(uint64_t after_id) const = 0;
  // GR's group_replication_set_as_primary(member_id): done(success) once the member is the
  // primary of the decided state (at once when it already is), or done(failure).
  virtual void set_as_primary(const std::string& member_id, SwitchoverDone done) = 0;
  // GR's group_replication_force_members, while no ONLINE primary leads the group: the view
  // becomes MEMBERS (member_ids in the view) and the failover proceeds among them; done() once it
  // has decided (with what may be lost) or waits anyway. Failures as set_as_primary's
  // (kInvalidRequest: unknown or out-of-view members; kUnavailable: an ONLINE primary).
  virtual void force_members(const std::vector<std::string>& members, ForceDone done) = 0;

  // In the operations below, MEMBER_ID names a member by its member_id or by its storage node's
  // name ([storage_node:NAME]); a group not yet bootstrapped has names only. Each decision is
  // recorded in the group log before it acts, and survives a restart.

  // SET GLOBAL group_replication_<option> = value. option is GR's name without the prefix; value is
  // the SQL value as text (a number, or a name like 'AFTER' / OFFLINE_MODE, unquoted). member_id is
  // required for per-member options (member_weight) and ignored otherwise. Runtime options:
  // member_weight, member_expel_timeout, consistency, recovery_retry_count,
  // recovery_reconnect_interval, exit_state_action, autorejoin_tries, unreachable_majority_timeout.
  // kInvalidRequest: unknown or read-only option, wrong type or value out of GR's range, unknown
  // member — the message names which, and the group is unchanged. kUnavailable: the group is not
  // bootstrapped yet (nothing to record it in). done() once it is recorded and in effect; the
  // decided value wins over the configuration file's at every later start.
  virtual void set_option(const std::string& option, const std::string& value,
                          const std::string& member_id, OpDone done) = 0;
  // STOP GROUP_REPLICATION on one member: it leaves the group on purpose (GR: OFFLINE, not routed,
  // not a candidate; the view changes). Stopping the primary first elects another (a safe
  // switchover, never losing an acknowledged write) or is refused with the reason when it cannot be
  // done safely. Refused (kUnavailable) when a majority of the view is not reachable, when the view
  // left would have no reachable majority, or when it would leave the primary without an ONLINE
  // secondary to acknowledge its writes (semi-sync). A stopped member stays OFFLINE, through
  // restarts, until start_member. done() once it is out of the view (at once when already stopped).
  virtual void stop_member(const std::string& member_id, OpDone done) = 0;
  // START GROUP_REPLICATION on one member: it joins through distributed recovery. done() once the
  // start is recorded (the member is then RECOVERING, then ONLINE, as its recovery goes). Refused
  // when it is already in the view (kInvalidRequest) or the group has no member to join
  // (kUnavailable: bootstrap it).
  virtual void start_member(const std::string& member_id, OpDone done) = 0;
  // SET GLOBAL group_replication_bootstrap_group=ON; START GROUP_REPLICATION on that member: forms
  // the group with it as primary when the group has not been bootstrapped (refused otherwise, as GR
  // refuses bootstrapping a running group). Also when every member is out of the view (the whole
  // group was stopped). done() once it is the ONLINE primary.
  virtual void bootstrap_group(const std::string& member_id, OpDone done) = 0;
  // Every group_replication_* variable as GR shows it for that member (full names, e.g.
  // group_replication_member_weight, group_replication_consistency, group_replication_group_name,
  // group_replication_single_primary_mode, group_replication_member_expel_timeout in GR's unit...),
  // with the decided current values; secrets never included. An unknown member ("" included):
  // the group's values, member_weight the default.
  [[nodiscard]] virtual std::vector<std::pair<std::string, std::string>> variables(
      const std::string& member_id) const = 0;
};

}  // namespace grouter::metadata
