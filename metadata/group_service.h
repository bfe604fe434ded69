// What the rest of grouter may ask of the group it keeps over the storage nodes: the latest decided
// state, monitor counters for MySQL Router's metadata-cache REST endpoints, and GR's
// set_as_primary (a switchover). Implemented by the group controller (metadata/group_controller.h);
// the REST API and tests use this interface only.
//
// Threading: every call is made on the control loop's thread, and callbacks run there.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
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
};

}  // namespace grouter::metadata
