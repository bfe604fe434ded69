// The group's decisions, pure, in the style of etcd raft's state machine:
//
//   decide(config, state, observations, in flight, now, random) → entries to propose, at most one
//                                                                 operation to run, log notes
//
// No sockets, clocks, timers or coroutines: the group controller (group_controller.h) feeds in
// what its probes and failure detector saw, proposes the entries through the group log in order,
// and runs the operation it is given (the SQL side); the simulator (tests/sim/) does the same over
// modelled nodes. Everything a decision depends on is in the GroupState (entries: recovery
// attempts and donors, failed rejoins, errant members, own-write baselines, the failover) or is
// re-derived from observations (suspicion and expel deadlines from the failure detector, how long
// a majority has been missing, how long a receiver has been failing). decide() applies each entry
// it proposes to its own copy of the state before deciding on, so the entries come in the order
// the controller must propose them; it stops at the first operation.
//
// In order of priority, each time:
//  1. bootstrap: no group state, bootstrap_group=ON and start_on_boot=ON, a majority of the
//     configured nodes answer; or the operator's bootstrap on one node that answers (with
//     start_on_boot=OFF the other nodes are recorded stopped, until each is started);
//  2. members the detector suspects become UNREACHABLE, members it no longer suspects are
//     reachable again; versions observed;
//  3. expel: a member due for expel leaves the view, only while a majority of the view is
//     reachable;
//  4. fence: a reachable node that is not the primary of the view but is writable or has the
//     semi-sync master side on (also while other operations run: see InFlight);
//  5. a suspected primary: the other members stop receiving from it (once their receivers run);
//  6. no primary: form the group over the nodes, or fail over (FailoverStarted first; without a
//     majority FailoverWaiting says why);
//  7. a requested switchover; the operator's stops (MemberStopped, never of the primary);
//  8. members of the view, the primary first: a primary back read-only (restarted) leaves the
//     view for the failover rule; semi-sync guards; recovery progress and failures, errors of
//     the replication threads, errant writes on a secondary, repointing;
//  9. nodes outside the view that answer: a stopped one's receiver stopped (it stays out);
//     others' requirements checked, then rejoined.
//
// Every operation carries the term it was decided in; the runner drops one of an older term.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "metadata/entry.h"
#include "metadata/failure_detector.h"
#include "metadata/group_state.h"
#include "metadata/gtid.h"
#include "metadata/node_facts.h"
#include "metadata/random.h"

namespace grouter::metadata {

// What the routes may use of a published state: every ONLINE member; no primary (while a
// switchover drains it, or exit_state_action=READ_ONLY applies); nothing (exit_state_action=
// OFFLINE_MODE applies).
enum class RouteAccess { kAll, kNoPrimary, kNone };

// What grouter does when a majority of the view stays unreachable for unreachable_majority_timeout
// (GR's exit_state_action, applied to the routes): refuse all traffic, keep only reads, or stop.
enum class ExitAction { kOfflineMode, kReadOnly, kAbortServer };

struct ControllerConfig {
  std::string group_name;
  bool bootstrap_group = false;
  // OFF: a group not yet bootstrapped waits for the operator's bootstrap (GroupService::
  // bootstrap_group), and the other nodes stay stopped until each is started (start_member), as
  // GR's members do without start_on_boot. A group already in the log goes on as decided.
  bool start_on_boot = true;
  bool single_primary_mode = true;
  std::string cluster_user;
  std::string cluster_password;
  std::string recovery_user;
  std::string recovery_password;
  // EVENTUAL: a new primary is published as soon as it is elected (writes get 1290 until it is
  // promoted). Otherwise (BEFORE_ON_PRIMARY_FAILOVER and stronger) only once it has applied its
  // backlog and is writable; primary-route connections wait until then.
  bool eventual = false;
  std::string consistency = "BEFORE_ON_PRIMARY_FAILOVER";  // GR's name; eventual follows it
  FailureDetectorConfig detector;
  // 0: wait for ever. Otherwise, once a majority of the view has been unreachable this long,
  // exit_action applies to the routes until a majority is back (kAbortServer: on_abort runs).
  int64_t unreachable_majority_timeout_ms = 0;
  ExitAction exit_action = ExitAction::kOfflineMode;
  uint32_t autorejoin_tries = 3;
  uint32_t recovery_retry_count = 10;
  int64_t recovery_reconnect_interval_ms = 60000;
  // Bounds on the steps of an operation.
  int64_t catch_up_timeout_ms = 30000;
  uint32_t admin_query_timeout_ms = 5000;
  std::vector<NodeConfig> nodes;  // the [storage_node:NAME] sections (member_id empty)
  std::string state_folder;       // where the group log lives
};

// What the controller knows of one configured node from its probes.
struct NodeObservation {
  std::string name;          // the [storage_node:NAME] section
  bool probed = false;       // some probe has ended (any outcome)
  bool answered = false;     // the last probe ran
  bool fresh = false;        // answered, by a probe started after the last operation on it ended
  std::string probe_error;   // the last probe reached the server but could not run
  std::optional<NodeFacts> facts;  // the newest probe that ran
  // Since when its receiver has been reconnecting with an error (0: it is not).
  int64_t receiver_failing_since_ms = 0;
};

// NodeObservation::receiver_failing_since_ms after a probe at NOW_MS that showed FACTS: since when
// its receiver has been reconnecting with an error (kept from SINCE_MS while it goes on), or 0.
[[nodiscard]] int64_t receiver_failing_since(const NodeFacts& facts, int64_t since_ms,
                                             int64_t now_ms);

struct Observations {
  std::vector<NodeObservation> nodes;  // in the order of ControllerConfig::nodes
  // The failure detector: the members it suspects now (member_id → why), and those of them due
  // for expel.
  std::map<std::string, std::string> suspected;
  std::set<std::string> expel_due;
  std::optional<std::string> switchover_to;  // an operator's set_as_primary, not yet run
  // The operator's STOP GROUP_REPLICATION on members that are not the primary (member_ids),
  // recorded (MemberStopped) once member_ops.h's plan_stop() allows it.
  std::set<std::string> stop_requested;
  // The operator's bootstrap (GroupService::bootstrap_group): the node (a name) that forms the
  // group, while it is not bootstrapped or its view is empty.
  std::string bootstrap_with;
  int64_t no_majority_since_ms = 0;          // 0: a majority of the view is reachable
  int64_t epoch_ms = 0;                      // for the view id's fixed part at bootstrap
};

// The operation the controller runs: a sequence of SQL on the nodes.
enum class OpKind {
  kFormGroup,       // NODE becomes the first primary (promote, writable, joined, elected)
  kFence,           // NODE: read_only=ON, semi-sync master OFF, clients killed
  kStopReceiving,   // NODES stop their receivers (their primary is suspected)
  kFailOver,        // the failover (group_controller_failover.cc / failover.h)
  kSwitchOver,      // to SOURCE (a member_id): the operator's set_as_primary
  kRecover,         // NODE (RECOVERING) starts an attempt from donor SOURCE
  kRejoin,          // NODE (outside the view) is fenced, joins and recovers from donor SOURCE
  kFinishRecovery,  // NODE caught up from a secondary: replicate from the primary SOURCE, ONLINE
  kRepoint,         // NODE replicates from SOURCE
  kGuardSemiSync,   // the primary NODE: semi-sync set so that it cannot fall back
};

// Whether an operation of KIND may start a node's receiver again (a repoint, a recovery, a
// failover...): a probe taken before it ended no longer bounds what the node holds
// (FailoverNode::facts_current). Fencing, stopping receivers and guarding semi-sync do not.
[[nodiscard]] bool may_start_receivers(OpKind kind);

struct Operation {
  OpKind kind = OpKind::kFence;
  uint64_t term = 0;
  std::string node;                // the node it changes (a name)
  std::string source;              // see OpKind
  std::vector<std::string> nodes;  // kStopReceiving
  std::string why;

  // For the log: "fence node2", "recover node3 from node1", ...
  std::string describe() const;
  bool operator==(const Operation&) const = default;
};

// A line for the log. KEY non-empty: said once until its text changes (STICKY: until the key is
// forgotten); an empty TEXT forgets the key.
struct Note {
  enum class Level { kDebug, kInfo, kWarning, kError };
  Level level = Level::kInfo;
  std::string key;
  std::string text;
  bool sticky = false;
};

// While operations run, decide() only fences (a writable node that is not the primary must not
// wait for a long recovery or failover to end), never a node a running operation works on, nor
// the winner of a failover that is making it writable.
struct InFlight {
  std::vector<Operation> running;
  int64_t failover_retry_at_ms = 0;  // a failover that waited reads again from then
};

struct Decision {
  std::vector<Entry> entries;  // to propose, in order
  std::optional<Operation> operation;
  std::vector<Note> notes;
  int64_t wake_at_ms = 0;  // decide again then, if nothing happens before (0: no need)
};

[[nodiscard]] Decision decide(const ControllerConfig& config, const GroupState& state,
                              const Observations& observations, const InFlight& in_flight,
                              int64_t now_ms, Random& random);

// A majority of the view has been unreachable for unreachable_majority_timeout: GR's
// exit_state_action applies.
[[nodiscard]] bool exit_state_applies(const ControllerConfig& config, const GroupState& state,
                                      int64_t no_majority_since_ms, int64_t now_ms);

// What the routes may use: exit_state_action once a majority has been missing for
// unreachable_majority_timeout, no primary while a switchover drains it, otherwise everything.
[[nodiscard]] RouteAccess route_access(const ControllerConfig& config, const GroupState& state,
                                       const Observations& observations,
                                       bool switchover_running, int64_t now_ms);

// The member in the view that holds a transaction PRIMARY wrote itself and lacks ("NODE holds
// GTID, it has POSITION"): a restarted primary trimmed them, and must not write again.
[[nodiscard]] std::optional<std::string> member_ahead_of(const GroupState& state,
                                                         const Observations& observations,
                                                         const std::string& primary_name);

}  // namespace grouter::metadata
