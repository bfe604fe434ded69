// The group controller: keeps the group over the storage nodes the way Group Replication does,
// for a group of one grouter instance. It runs on the control loop and joins the parts together:
//
//   Monitor (probes) ──► FailureDetector ──► decisions ──► GroupLog (propose, durable, apply)
//        │ facts                                               │ apply_entry → GroupState
//        └──────────────► reconcile: SQL on the nodes ◄────────┘ publish to routing
//
// Decisions are pure (metadata/decide.h): each time something changes, the controller gives
// decide() the state, what its probes and failure detector saw and what is in flight; it proposes
// the entries decide() returns through the group log in runtime_folder (so a restarted grouter has
// the same group, view, member ids, recoveries and failover) and runs the one operation it is
// given (a sequence of SQL on the nodes: form the group, fail over, fence, recover, rejoin,
// repoint, switch over), dropping one of an older term. Every step is idempotent and re-checked
// against fresh probes, so an operation cut short is finished by a later one.
//
// Not thread-safe: created, used and closed on the control loop's thread.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "group/group_log.h"
#include "metadata/decide.h"
#include "metadata/entry.h"
#include "metadata/failover.h"
#include "metadata/failure_detector.h"
#include "metadata/group_event.h"
#include "metadata/group_service.h"
#include "metadata/group_state.h"
#include "metadata/monitor.h"
#include "metadata/random.h"
#include "metadata/sql/sql_connection.h"
#include "metadata/task.h"

namespace grouter::metadata {

// Called with every new decided state and whenever the routes' access changes.
using PublishState =
    std::function<void(std::shared_ptr<const GroupState> state, RouteAccess access)>;

class GroupController final : public GroupService {
 public:
  // Opens the group log in config.state_folder and replays it. The error is one line.
  static std::expected<std::unique_ptr<GroupController>, std::string> open(uv_loop_t* loop,
                                                                           Logger logger,
                                                                           ControllerConfig config,
                                                                           PublishState publish);
  // For exit_state_action=ABORT_SERVER: what stops the process.
  void set_on_abort(std::function<void()> on_abort) { on_abort_ = std::move(on_abort); }
  GroupController(const GroupController&) = delete;
  GroupController& operator=(const GroupController&) = delete;
  ~GroupController() override;

  // Starts probing and deciding.
  void start();
  // Stops: closes the monitor and every connection, lets a running operation end (its SQL is
  // cancelled); ON_CLOSED runs once nothing is left on the loop.
  void close(std::function<void()> on_closed);

  std::shared_ptr<const GroupState> state() const override { return published_; }
  MonitorStats monitor_stats() const override { return stats_; }
  std::vector<MemberProgress> member_progress() const override;
  std::vector<GroupEvent> events_since(uint64_t after_id) const override {
    return events_.since(after_id);
  }
  void set_as_primary(const std::string& member_id, SwitchoverDone done) override;
  void force_members(const std::vector<std::string>& members, ForceDone done) override;
  // The operator's statements (group_controller_admin.cc).
  void set_option(const std::string& option, const std::string& value,
                  const std::string& member_id, OpDone done) override;
  void stop_member(const std::string& member_id, OpDone done) override;
  void start_member(const std::string& member_id, OpDone done) override;
  void bootstrap_group(const std::string& member_id, OpDone done) override;
  std::vector<std::pair<std::string, std::string>> variables(
      const std::string& member_id) const override;

 private:
  using SqlResult = std::expected<sql::ResultSet, sql::SqlError>;
  using OpResult = std::expected<void, std::string>;

  struct Node {
    NodeConfig config;  // member_id filled from the state
    std::optional<NodeFacts> facts;
    int64_t facts_started_ms = 0;
    bool probed = false;      // some probe has ended (any outcome)
    bool answered = false;    // the last probe ran
    std::string probe_error;  // the last probe reached the server but could not run
    int64_t settled_ms = 0;   // facts from probes started before this are stale
    // The end of the last operation that may have started its receiver (failover.h's
    // facts_current).
    int64_t replication_changed_ms = 0;
    bool quick_reprobe_done = false;  // a lost probe connection was re-probed at once
    // Since when (epoch ms) the receiver has been reconnecting with an error (0: it is not).
    int64_t receiver_failing_since_ms = 0;
    // Death bounds what it holds (failover.h): when its connection was first refused, and then the
    // primary's executed set probed after that. Kept until its receiver runs again.
    int64_t refused_since_ms = 0;
    std::optional<GtidPosition> dead_bound;
    std::unique_ptr<sql::SqlConnection> admin;
    bool admin_broken = false;
  };

  struct PendingSwitchover {
    std::string member_id;
    SwitchoverDone done;
  };

  // An operator's stop or bootstrap, answered once the decided state shows it done.
  struct PendingOp {
    std::string member_id;  // a member_id; a node name for a bootstrap
    OpDone done;
  };

  GroupController(uv_loop_t* loop, Logger logger, ControllerConfig config, PublishState publish);

  // Log and state.
  void on_apply(std::string_view bytes);
  bool propose(const Entry& entry);
  void publish();
  // config_ from the file's settings and the decided options; the detector follows.
  void apply_decided_options();
  // At start: one line for each decided value that overrides the configuration file's.
  void say_overrides();
  // Answers the operator's stops and bootstrap that the state shows done or refuses now.
  void answer_pending_ops();
  void fail_pending_ops(const std::string& why);
  // The [storage_node:NAME] of a member (member_id or name), or nullptr.
  const NodeConfig* configured_node(const std::string& id_or_name) const;
  const Member* member(const Node& node) const;
  Node* node_by_id(const std::string& member_id);
  Node* node_by_name(const std::string& name);
  bool fresh(const Node& node) const;

  // Monitor input.
  void on_probe(const std::string& name, const ProbeResult& result);
  void on_round();
  void note_death_bounds(Node& node, const ProbeResult& result);
  void handle_events(const std::vector<DetectorEvent>& events);
  void check_majority(int64_t now_ms);
  RouteAccess access() const;
  // What decide() is given of the nodes and the failure detector.
  Observations observations() const;

  // Deciding (decide.h) and running what was decided.
  void kick(int64_t delay_ms = 0);
  void step();
  void say(const std::vector<Note>& notes);
  // Keeps EVENT in the history (events_since), stamped now with the current view when it has none.
  void record(GroupEvent event);
  void run_operation(const Operation& op);
  void start_op(const Operation& op, Task<OpResult> task, std::vector<Node*> touched);

  // Operations (coroutines).
  Task<OpResult> form_group(Node* primary, std::string why);
  // The failover (group_controller_failover.cc): freeze and read, the safety rule, the plan.
  Task<OpResult> fail_over(std::string why);
  Task<std::map<Node*, FailoverRead>> freeze_and_read();
  FailoverInput failover_input(const std::map<Node*, FailoverRead>& reads) const;
  Task<OpResult> recheck(const FailoverPlan& plan);
  void answer_force(const std::string& may_lose, const std::string& waiting);
  // Stops NODE's receiver and applies what it received (its relay log, the one kept across a
  // restart included); its positions then.
  Task<std::expected<FailoverRead, std::string>> drain_relay_log(Node* node);
  // The same without waiting for the applier: what it received and what it executed. A node
  // that restarted first applies the relay log it kept: no position shows what it holds, and
  // MariaDB purges it when replication starts, though it may be the only copy on a replica of
  // acknowledged transactions (its source may be unreachable from it, or die, before it fetches
  // them again). Applying it cannot diverge: a source that trimmed transactions in crash recovery
  // is never made writable again without the failover rule, which reads such relay logs first.
  Task<std::expected<FailoverRead, std::string>> read_positions(Node* node);
  Task<OpResult> apply_kept_relay_log(Node* node);
  // Where in the relay log (file, position) from FILE on the first transaction APPLIED lacks is;
  // nullopt when there is none.
  Task<std::expected<std::optional<std::pair<std::string, std::string>>, std::string>>
  first_unapplied_relay_event(Node* node, std::string file, GtidPosition applied);
  // An error when changing NODE's source to SOURCE would delete received transactions that
  // neither NODE applied nor SOURCE has.
  Task<OpResult> safe_to_repoint(Node* node, Node* source);
  Task<OpResult> switch_over(std::string target_id);
  Task<OpResult> fence(Node* node, std::string why);
  Task<OpResult> stop_receiving(std::vector<Node*> members);
  Task<std::expected<size_t, std::string>> kill_clients(Node* node);
  // Fences NODE if it is writable, MemberJoined, then start_recovery.
  Task<OpResult> rejoin(Node* node, Node* donor);
  // An attempt of NODE's distributed recovery from DONOR: what it received applied, the errant
  // check against the primary (MemberError), its own writes recorded, replication from the donor
  // started (RecoveryStarted).
  Task<OpResult> start_recovery(Node* node, Node* donor);
  Task<OpResult> finish_recovery(Node* node, Node* primary, std::string member_id);
  Task<OpResult> repoint(Node* node, Node* source);
  Task<OpResult> promote(Node* node);
  // The semi-sync master side of a primary, set so that it cannot fall back to asynchronous.
  std::vector<std::string> semi_sync_master_settings() const;
  Task<OpResult> make_writable(Node* node);
  Task<OpResult> run(Node* node, std::vector<std::string> statements);
  Task<std::expected<GtidPosition, std::string>> executed(Node* node);
  Task<std::expected<GtidPosition, std::string>> received(Node* node);
  Task<OpResult> wait_executed(Node* node, GtidPosition target, int64_t timeout_ms);
  Task<OpResult> wait_semi_sync_client(Node* node, int64_t timeout_ms);
  CallbackAwaiter<SqlResult> sql(Node* node, std::string statement);
  // STATEMENT on every node at once; the results in the order of NODES.
  CallbackAwaiter<std::vector<SqlResult>> sql_all(std::vector<Node*> nodes, std::string statement);
  CallbackAwaiter<bool> sleep(int64_t ms);
  // Runs FN on the loop after MS milliseconds.
  void after(int64_t ms, std::function<void()> fn);
  std::vector<std::string> replicate_from(const Node& source) const;
  sql::SqlConnection* admin(Node& node);
  void dispose(std::unique_ptr<sql::SqlConnection> connection);
  void maybe_closed();

  uv_loop_t* const loop_;
  const Logger logger_;
  const ControllerConfig file_config_;  // as the configuration file gives it
  ControllerConfig config_;             // with the decided options (group_options.h)
  const PublishState publish_;
  std::unique_ptr<group::GroupLog> log_;
  GroupState state_;
  std::shared_ptr<const GroupState> published_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unique_ptr<Monitor> monitor_;
  FailureDetector detector_;
  SeededRandom random_;
  std::set<std::string> expel_due_;  // member_ids the failure detector reported due for expel
  std::map<std::string, std::string> suspect_reason_;
  std::optional<PendingSwitchover> switchover_;
  bool primary_held_ = false;         // a switchover operation drains the old primary
  int64_t no_majority_since_ms_ = 0;  // epoch ms; 0: a majority is reachable
  bool exit_action_applied_ = false;  // as last logged (route_access() decides)
  std::function<void()> on_abort_;
  ForceDone pending_force_;           // force_members answers once its failover decides
  std::vector<PendingOp> pending_stops_;  // at most one per member (kMaxGroupMembers)
  std::optional<PendingOp> pending_bootstrap_;
  int64_t failover_retry_at_ms_ = 0;  // epoch ms: a waiting failover reads again then
  // The operations running (decide.h's InFlight: fences may run beside another operation).
  std::map<uint64_t, Operation> running_;
  uint64_t last_op_id_ = 0;
  bool last_apply_ok_ = false;
  int64_t op_failures_ = 0;
  MonitorStats stats_;
  std::map<std::string, std::string> said_;  // say(): a keyed note → its last text
  EventHistory events_;                       // decided entries and notes, for watchers
  uv_timer_t step_timer_{};
  bool step_timer_open_ = false;
  bool started_ = false;
  bool stopping_ = false;
  int closing_handles_ = 0;
  std::function<void()> on_closed_;
};

}  // namespace grouter::metadata
