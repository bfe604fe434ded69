// The group controller in the simulator. Like metadata/group_controller, it probes every node each
// kProbeIntervalMs, feeds the outcomes to the real FailureDetector, and gives the real decide()
// (metadata/decide.h) the state and what it observed; it applies the entries decide() returns and
// runs the one operation it is given over the modelled nodes (NodeOps): fence, stop receiving,
// fail over, recover, rejoin, repoint, guard semi-sync. So every decision in a simulated run is
// grouter's own; only the SQL side is modelled.
//
// The failover operation: Rule::kNew runs grouter's real failover rule (metadata/failover.h):
// stop every configured node's receiver and read it (on a node that restarted, "apply kept relay
// log" first), decide_failover (FailoverWaiting / FailoverDecided entries, as the controller
// records them), and before each step that changes a node, recheck_failover on fresh reads (abort
// on error). Rule::kLegacy reproduces the code that lost writes: it reads only view members that
// are not UNREACHABLE, skips any that does not answer, elects by GR's rule among the ONLINE ones
// that answered, target = merge of what answered, and never waits.
//
// Durable (survives a grouter crash, like the group log): the GroupState only (the failover, its
// floor and the lost primary included). Everything else (detector, facts, reads, the operation
// running) is volatile: crash() drops it and every callback of the old incarnation is ignored
// (epoch). Single-threaded, on the Scheduler; owned by the Simulation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "metadata/decide.h"
#include "metadata/entry.h"
#include "metadata/failover.h"
#include "metadata/failure_detector.h"
#include "metadata/group_state.h"
#include "tests/sim/node_ops.h"
#include "tests/sim/trace.h"

namespace grouter::sim {

enum class Rule { kNew, kLegacy };

struct DriverOptions {
  Rule rule = Rule::kNew;
  // The last_facts given to decide_failover: each node's newest probe (false, what the group
  // controller passes), or its newest probe from before the primary first failed to answer
  // (true).
  bool facts_before_loss = false;
  uint64_t seed = 1;  // decide()'s randomness (donors, member ids)
};

struct DriverStats {
  uint64_t failovers = 0;  // PrimaryElected after a failover
  uint64_t waits = 0;      // attempts that ended in FailoverWait
  uint64_t aborts = 0;     // attempts stopped by a failed step or recheck
  uint64_t rejected_entries = 0;
  uint64_t operations = 0;  // operations decide() gave
  // The operator's statements (driver_operator.cc).
  uint64_t stops = 0;           // members that left the group by STOP GROUP_REPLICATION
  uint64_t primary_stops = 0;   // of which the primary (a switchover first)
  uint64_t stops_refused = 0;   // refused by plan_stop (member_ops.h)
  uint64_t starts = 0;          // MemberStarted recorded
  uint64_t option_changes = 0;  // OptionChanged / MemberWeightChanged recorded
  uint64_t switchovers = 0;     // completed
  uint64_t bootstraps = 0;      // the operator's, after the whole group was out
};

inline constexpr int64_t kProbeIntervalMs = 500;

inline constexpr int64_t kCatchUpTimeoutMs = 60000;

class Driver {
 public:
  Driver(Scheduler& scheduler, Cluster& cluster, NodeOps& ops, DriverOptions options,
         const Trace& trace);

  // The group over every node, node 0 primary (the Simulation sets the nodes up to match).
  void bootstrap(const std::vector<uint32_t>& weights);
  void start();
  void crash();
  void restart();

  // The operator's statements, as the group controller answers them (driver_operator.cc): STOP
  // GROUP_REPLICATION on node I (plan_stop; the primary is switched over first), START
  // GROUP_REPLICATION, SET GLOBAL group_replication_OPTION (member_weight of node I). Refusals are
  // traced and counted. Requests die with a grouter crash, as the controller's do.
  void operator_stop(size_t i);
  void operator_start(size_t i);
  void operator_set_option(const std::string& option, const std::string& value, size_t i);
  // SET GLOBAL group_replication_bootstrap_group=ON; START GROUP_REPLICATION on node I, when the
  // group has nobody in its view (check_bootstrap, check_bootstrap_node on the last probes).
  void operator_bootstrap(size_t i);
  // What an operator does once the faults are over: starts every stopped member, and when the
  // view is empty bootstraps the group on the most advanced node first.
  void operator_heal();

  bool up() const { return up_; }
  uint64_t epoch() const { return epoch_; }
  const metadata::GroupState& state() const { return state_; }
  // The published primary's node index.
  std::optional<size_t> primary_index() const { return primary_index_; }
  const DriverStats& stats() const { return stats_; }
  static std::string member_id(size_t i);

 private:
  // driver.cc: the probe round, detector, decide() and the operations.
  void schedule_round(int64_t delay_ms);
  void round();
  void finish_round(uint64_t round_id);
  void detect();
  void track_dead(size_t i);
  void propose(const metadata::Entry& entry);
  void freeze_facts();  // facts_before_loss_ from last_facts_
  metadata::Observations observations() const;
  void step();
  void run(const metadata::Operation& op);
  // Ends the operation OP_ID, marking TOUCHED nodes' older facts stale.
  void end_op(uint64_t op_id, const std::vector<size_t>& touched, const OpResult& result);
  // The SQL sides of the operations (as group_controller_ops.cc runs them).
  void recover(size_t j, size_t donor, OpDone done);
  void repoint(size_t j, size_t source, OpDone done);
  std::optional<size_t> index_of_name(const std::string& name) const;
  std::string name(size_t i) const { return cluster_.node(i).host; }
  metadata::Member& member(size_t i) { return state_.members[i]; }

  // driver_operator.cc: the switchover and the operator's pending stops.
  void switch_over(size_t target, OpDone done);
  // NODES[K..] repointed at SOURCE one after the other (failures ignored), then DONE.
  void repoint_all(std::vector<size_t> nodes, size_t k, size_t source, OpDone done);
  void answer_operator();
  bool answered_now(size_t k) const;  // node K answered the last complete probe round
  metadata::ControllerConfig effective_config() const;

  // driver_failover.cc: the failover operation.
  void start_failover();
  void read_node(size_t i, uint64_t attempt, bool allow_kept_relay);
  void node_read(size_t i, uint64_t attempt, std::optional<metadata::FailoverRead> read);
  void decide(uint64_t attempt);
  void decide_legacy(uint64_t attempt);
  metadata::FailoverInput input() const;
  void run_step(uint64_t attempt, size_t step);
  void recheck_then(uint64_t attempt, std::function<void()> next);
  void abort_attempt(uint64_t attempt, const std::string& why);
  void finish_failover(uint64_t attempt);
  // The attempt is over (decided, waiting or aborted): the operation ends.
  void end_attempt(bool ok, const std::string& why);
  std::optional<size_t> index_of(const std::string& member_id) const;
  // Wraps a continuation: runs only while this incarnation and attempt are current.
  OpDone guard(uint64_t attempt, std::function<void(const OpResult&)> next);

  Scheduler& scheduler_;
  Cluster& cluster_;
  NodeOps& ops_;
  DriverOptions options_;
  const Trace& trace_;
  DriverStats stats_;

  // Durable.
  metadata::GroupState state_;
  std::optional<size_t> primary_index_;  // state_.primary as a node index

  // Volatile.
  metadata::ControllerConfig config_;
  metadata::SeededRandom random_;
  bool up_ = false;
  uint64_t epoch_ = 0;
  metadata::FailureDetector detector_{metadata::FailureDetectorConfig{}};
  std::set<std::string> expel_due_;
  std::vector<std::string> suspect_reason_;
  std::vector<std::optional<metadata::NodeFacts>> last_facts_;
  std::vector<std::optional<metadata::NodeFacts>> facts_before_loss_;
  // When the probes behind last_facts_ and facts_before_loss_ started (stale before settled_ms_).
  std::vector<int64_t> facts_started_ms_;
  std::vector<int64_t> facts_before_loss_started_ms_;
  bool loss_frozen_ = false;  // facts_before_loss_ taken at the primary's first failed probe
  // Per node refusing connections: the round of its first refusal, and the primary's executed set
  // probed in a later round (FailoverNode::dead_bound).
  std::vector<uint64_t> refused_round_;
  std::vector<std::optional<GtidPosition>> dead_bound_;
  std::vector<int64_t> receiver_failing_since_ms_;
  std::vector<int64_t> settled_ms_;  // facts of probes started before this are stale
  // The end of the last operation that may have started its receiver (FailoverNode's
  // facts_current).
  std::vector<int64_t> replication_changed_ms_;
  bool probed_ = false;              // a round has ended
  // The probe round in progress.
  uint64_t round_id_ = 0;
  int64_t round_started_ms_ = 0;
  size_t round_outstanding_ = 0;
  std::vector<OpResult> round_results_;
  // The operations running (fences may run beside another one), the failover's among them, and a
  // waiting failover's next read.
  std::map<uint64_t, metadata::Operation> running_;
  uint64_t failover_op_ = 0;
  uint64_t op_seq_ = 0;
  int64_t failover_retry_at_ms_ = 0;
  // The failover attempt in progress (attempt_ == 0: none).
  uint64_t attempt_ = 0;
  uint64_t attempt_seq_ = 0;
  size_t reads_outstanding_ = 0;
  std::vector<std::optional<metadata::FailoverRead>> reads_;
  metadata::FailoverPlan plan_;
  std::string last_wait_;
  // The operator's requests (volatile): stops waiting for decide(), and a switchover before the
  // stop of the primary.
  std::set<std::string> stop_requested_;
  std::optional<std::string> switchover_to_;
  std::optional<std::string> stop_after_switchover_;
  std::string bootstrap_with_;  // a node name
};

}  // namespace grouter::sim
