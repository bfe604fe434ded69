// The group controller: keeps the group over the storage nodes the way Group Replication does,
// for a group of one grouter instance. It runs on the control loop and joins the parts together:
//
//   Monitor (probes) ──► FailureDetector ──► decisions ──► GroupLog (propose, durable, apply)
//        │ facts                                               │ apply_entry → GroupState
//        └──────────────► reconcile: SQL on the nodes ◄────────┘ publish to routing
//
// Decisions are entries (metadata/entry.h) proposed through the group log in runtime_folder, so a
// restarted grouter has the same group, view and member ids. At most one operation (a sequence of
// SQL on the nodes: form the group, fail over, fence, rejoin, repoint, switch over) runs at a time;
// every step is idempotent and re-checked against fresh probes, so an operation cut short is
// finished by a later one. What it does, in order of priority, each time something changes:
//
//  1. bootstrap: with no group state and bootstrap_group=ON, once a majority of the configured
//     nodes answer, record the group (Bootstrap entry, member ids);
//  2. expel: a member the failure detector reports due for expel leaves the view (MemberExpelled)
//     only while a majority of the view is reachable;
//  3. fence: any reachable node that is not the primary of the view but is writable (read_only
//     OFF) or has the semi-sync master side on gets read_only=ON, semi-sync master OFF and its
//     client connections killed;
//  4. primary: with no member in the view, form the group (keep the primary of nodes that already
//     replicate from one node; otherwise GR's rule among the most advanced nodes); with members
//     but no primary, fail over (GR's rule among ONLINE members, catch-up to the most advanced
//     received GTID set of the reachable members, promote, repoint the others, then
//     PrimaryElected);
//  5. a requested switchover (set_as_primary);
//  6. members of the view: recovery progress (RECOVERING → ONLINE once caught up with the
//     donor; donor failures → next donor, bounded by recovery_retry_count), replication that
//     stopped on an error or a transaction written on a secondary → ERROR with the reason,
//     secondaries not replicating from the primary → repointed, a primary that is not writable →
//     fixed;
//  7. nodes outside the view that answer: requirements checked (ERROR with the reason), then
//     rejoined through distributed recovery (fence, MemberJoined, errant-transaction check against
//     the primary, replicate from a random ONLINE donor), at most autorejoin_tries failed
//     rejoins in a row.
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
#include "metadata/entry.h"
#include "metadata/failover.h"
#include "metadata/failure_detector.h"
#include "metadata/group_service.h"
#include "metadata/group_state.h"
#include "metadata/monitor.h"
#include "metadata/random.h"
#include "metadata/sql/sql_connection.h"
#include "metadata/task.h"

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
  bool single_primary_mode = true;
  std::string cluster_user;
  std::string cluster_password;
  std::string recovery_user;
  std::string recovery_password;
  // EVENTUAL: a new primary is published as soon as it is elected (writes get 1290 until it is
  // promoted). Otherwise (BEFORE_ON_PRIMARY_FAILOVER and stronger) only once it has applied its
  // backlog and is writable; primary-route connections wait until then.
  bool eventual = false;
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
  void set_as_primary(const std::string& member_id, SwitchoverDone done) override;
  void force_members(const std::vector<std::string>& members, ForceDone done) override;

 private:
  using SqlResult = std::expected<sql::ResultSet, sql::SqlError>;
  using OpResult = std::expected<void, std::string>;

  struct Recovery {
    std::string donor;    // member_id
    GtidPosition target;  // the donor's executed set when recovery (re)started
    std::set<std::string> tried;
    uint32_t attempts = 0;
    int64_t started_ms = 0;
    int64_t pause_until_ms = 0;
    bool every_donor_missing_binlogs = true;
    std::string last_error;
  };

  struct Node {
    NodeConfig config;  // member_id filled from the state
    std::optional<NodeFacts> facts;
    int64_t facts_started_ms = 0;
    bool probed = false;      // some probe has ended (any outcome)
    bool answered = false;    // the last probe ran
    std::string probe_error;  // the last probe reached the server but could not run
    int64_t settled_ms = 0;   // facts from probes started before this are stale
    // Per domain, the newest sequence number the node wrote itself that the group has (taken when
    // recovery checked the node against the primary, or at the first check of an ONLINE member
    // grouter found so): any other write of its own is an errant transaction.
    std::optional<std::map<uint32_t, uint64_t>> own_writes_baseline;
    std::optional<Recovery> recovery;
    uint32_t rejoin_failures = 0;
    bool no_rejoin = false;           // errant transactions: stays ERROR until grouter restarts
    bool quick_reprobe_done = false;  // a lost probe connection was re-probed at once
    int64_t receiver_failing_since_ms = 0;  // the receiver has been reconnecting with an error
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

  GroupController(uv_loop_t* loop, Logger logger, ControllerConfig config, PublishState publish);

  // Log and state.
  void on_apply(std::string_view bytes);
  bool propose(const Entry& entry);
  void publish();
  const Member* member(const Node& node) const;
  Node* node_by_id(const std::string& member_id);
  Node* node_by_address(const std::string& host, uint16_t port);
  bool fresh(const Node& node) const;

  // Monitor input.
  void on_probe(const std::string& name, const ProbeResult& result);
  void on_round();
  void note_death_bounds(Node& node, const ProbeResult& result);
  void handle_events(const std::vector<DetectorEvent>& events);
  void check_majority(int64_t now_ms);
  RouteAccess access() const;

  // Deciding.
  void kick(int64_t delay_ms = 0);
  void step();
  void try_bootstrap();
  void observe_versions();
  void expel_due_members();
  bool start_fencing();
  void restore_primary();
  void form_over_nodes();
  Node* elect_most_advanced(const std::vector<Node*>& candidates);
  bool start_isolating_primary();
  bool start_switchover();
  bool check_view_members();
  bool check_recovering(Node& node, const Member& m);
  bool check_online(Node& node, const Member& m);
  // A member of the view that holds a transaction PRIMARY lacks ("NODE holds ..., it has ...").
  std::optional<std::string> member_ahead_of(const Node& primary) const;
  // Every member of the view has been heard from (answer, refusal or timeout) since the start.
  bool view_members_probed() const;
  // The node's receiver has been reconnecting, with an error, for member_suspicion_timeout.
  bool receiver_cannot_connect(Node& node, int64_t now_ms);
  bool admit_returning();
  void start_op(std::string what, Task<OpResult> task, std::vector<Node*> touched);
  void log_once(const std::string& key, const std::string& message);

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
  // The same without waiting for the applier: what it received and what it executed. APPLY_KEPT
  // (failovers only): a node that restarted first applies the relay log it kept. Outside a
  // failover its source is alive and has what it sent, except what a crash-recovered source
  // trimmed (never acknowledged): applying that would diverge, so the relay log is left to
  // MariaDB, which purges it and fetches again from the source.
  Task<std::expected<FailoverRead, std::string>> read_positions(Node* node,
                                                                bool apply_kept = false);
  Task<OpResult> apply_kept_relay_log(Node* node, const sql::ResultSet& status);
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
  Task<OpResult> rejoin(Node* node);
  Task<OpResult> start_recovery(Node* node);
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
  const ControllerConfig config_;
  const PublishState publish_;
  std::unique_ptr<group::GroupLog> log_;
  GroupState state_;
  std::shared_ptr<const GroupState> published_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unique_ptr<Monitor> monitor_;
  FailureDetector detector_;
  SeededRandom random_;
  std::map<std::string, std::string> expel_due_;  // member_id → why it is suspected
  std::map<std::string, std::string> suspect_reason_;
  std::optional<PendingSwitchover> switchover_;
  bool primary_held_ = false;
  int64_t no_majority_since_ms_ = 0;  // 0: a majority is reachable
  bool exit_action_applied_ = false;
  std::function<void()> on_abort_;
  ForceDone pending_force_;           // force_members answers once its failover decides
  int64_t failover_retry_at_ms_ = 0;  // a waiting failover reads again then
  std::string isolated_primary_;  // the suspected primary the secondaries stopped receiving from
  bool op_running_ = false;
  bool last_apply_ok_ = false;
  int64_t op_failures_ = 0;
  MonitorStats stats_;
  std::map<std::string, std::string> said_;  // log_once: key → last message
  uv_timer_t step_timer_{};
  bool step_timer_open_ = false;
  bool started_ = false;
  bool stopping_ = false;
  int closing_handles_ = 0;
  std::function<void()> on_closed_;
};

}  // namespace grouter::metadata
