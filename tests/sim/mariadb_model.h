// A model of MariaDB 10.11 storage nodes replicating with GTIDs (domain 0, gtid_strict_mode) and
// one-ack semi-sync, for the deterministic simulator. Pure C++ on the sim's Scheduler: no threads,
// clocks or I/O. Owned by the Simulation; not thread-safe.
//
// Per node: a binary log (ordered GTIDs, the server that wrote each, the client write id it
// carries), the executed position (the newest binlog GTID: gtid_current_pos), a relay log
// (received, not yet applied), Gtid_IO_Pos, the applier (SQL thread) and the receiver (IO thread:
// stopped, connecting, connected to a source), read_only, semi-sync master side.
//
// Semi-sync, AFTER_SYNC, ONE ack (10.11 has no wait_for_slave_count), never falls back to async:
// a client's commit on a node with the master side on is written to its binlog at once and is
// acknowledged only when ONE replica's receiver has it in its relay log. With the master side off
// (a node made writable without promote) commits are acknowledged at once (asynchronous).
//
// Relay-log rules, as measured on MariaDB 10.11 (tests/sim/mariadb_model_test.cc proves each):
//  (a) crash + restart: Gtid_IO_Pos empty, relay log kept on disk, replica threads NOT started
//      (skip_slave_start=ON); read_only ON (option file); semi-sync master side off; with
//      --init-rpl-role=SLAVE (trims_on_recovery) binlog transactions still waiting for an ack are
//      trimmed, otherwise they stay (committed by crash recovery).
//  (b) START SLAVE (or the SQL thread) started normally in GTID mode PURGES the unapplied relay
//  log;
//      the receiver refetches from the executed position (gtid_slave_pos, which grouter sets to the
//      binlog position first), so they are lost if the source is gone.
//  (c) CHANGE MASTER TO MASTER_USE_GTID=no, RELAY_LOG_FILE/POS=<kept> + START SLAVE SQL_THREAD
//      applies the kept relay log: "apply kept relay log".
//  (d) any normal CHANGE MASTER (repoint) deletes the relay log.
//  (e) stopping and starting the IO thread in GTID mode purges the unapplied relay log (as b).
// A receiver that reconnects by itself (link or source back) continues from Gtid_IO_Pos and keeps
// its relay log. A receiver asking for a GTID its source's binlog lacks stops with error 1236.
//
// Faults: crash (connections refused), restart, hang (SIGSTOP: nothing progresses, nothing
// answers), resume, and a cut link between any pair (node↔node, grouter↔node: kGrouter).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "metadata/gtid.h"
#include "metadata/node_facts.h"
#include "tests/sim/scheduler.h"

namespace grouter::sim {

using metadata::Gtid;
using metadata::GtidPosition;

struct Txn {
  Gtid gtid;
  uint64_t write_id = 0;
  uint64_t chain = 0;  // hash of the holder's history through this transaction (binlog only)
};

enum class Process { kRunning, kCrashed, kHung };
enum class Receiver { kStopped, kConnecting, kConnected };

// What a client learns of its commit.
enum class CommitOutcome { kAcked, kRejected, kUncertain };
using CommitDone = std::function<void(CommitOutcome, Gtid)>;

struct NodeModel {
  uint32_t server_id = 0;
  std::string host;
  uint16_t port = 3306;
  Process process = Process::kRunning;
  std::vector<Txn> binlog;  // seq strictly increasing (gtid_strict_mode)
  std::deque<Txn> relay;    // received, not yet applied
  GtidPosition io_pos;      // Gtid_IO_Pos
  bool applier_running = false;
  Receiver receiver = Receiver::kStopped;
  std::optional<size_t> source;  // CHANGE MASTER's host, as a node index
  bool use_gtid = true;          // MASTER_USE_GTID=slave_pos (false after "apply kept relay log")
  uint32_t last_io_errno = 0;
  bool read_only = true;
  bool semi_sync_master = false;
  bool trims_on_recovery = true;  // started with --init-rpl-role=SLAVE
  int64_t apply_ms = 2;           // time to apply one relay-log transaction
  // Client commits waiting for an ack (AFTER_SYNC): binlog seq and the client's callback.
  struct Pending {
    uint64_t seq;
    CommitDone done;
  };
  std::vector<Pending> pending;
  bool pull_scheduled = false;
  bool apply_scheduled = false;

  GtidPosition executed() const;  // gtid_current_pos
  metadata::GtidState binlog_state() const;  // @@gtid_binlog_state
  bool answers() const { return process == Process::kRunning; }
  // The binlog transaction with this GTID's seq, or nullptr.
  const Txn* find(uint64_t seq) const;
};

// Index of grouter in the link matrix (nodes are 0..n-1).
inline constexpr size_t kGrouter = 9;

class Cluster {
 public:
  Cluster(Scheduler& scheduler, size_t node_count);

  size_t size() const { return nodes_.size(); }
  NodeModel& node(size_t i) { return nodes_[i]; }
  const NodeModel& node(size_t i) const { return nodes_[i]; }
  Scheduler& scheduler() { return scheduler_; }

  // Links (symmetric). kGrouter stands for grouter (and the clients behind it).
  bool link_up(size_t a, size_t b) const { return !cut_[a][b]; }
  void cut(size_t a, size_t b);
  void heal(size_t a, size_t b);
  // grouter can talk to node i now: the process runs and the link is up.
  bool reachable(size_t i) const { return nodes_[i].answers() && link_up(kGrouter, i); }

  // Faults.
  void crash(size_t i);
  void restart(size_t i);
  void hang(size_t i);
  void resume(size_t i);
  // The operator rebuilds node i from a backup of node `from` (its engine-committed transactions:
  // not those waiting for an ack), as a fresh replica with its threads stopped.
  void reclone(size_t i, size_t from);

  // A client's autocommit insert on node i (arrived there now): see the semi-sync rule above.
  void client_commit(size_t i, uint64_t write_id, CommitDone done);

  // Node-side rules, applied at once (node_ops.h adds timing and answers).
  void stop_receiver(size_t i);
  void start_replica(size_t i);                 // rule (b)/(e) in GTID mode
  void apply_kept_relay_log(size_t i);          // rule (c)
  void change_master(size_t i, size_t source);  // rule (d); stops both threads first
  void promote(size_t i);                       // STOP SLAVE, RESET SLAVE ALL, semi-sync master on
  void fence(size_t i);                         // read_only ON, client sessions killed
  void set_read_only(size_t i, bool on) { nodes_[i].read_only = on; }

  // Facts a probe reads (node_facts.h).
  metadata::NodeFacts facts(size_t i) const;

 private:
  void append(NodeModel& node, Txn txn);
  void kick_replicas_of(size_t source, int64_t delay_ms);
  void schedule_pull(size_t i, int64_t delay_ms);
  void pull(size_t i);
  void schedule_apply(size_t i);
  void apply_one(size_t i);
  void acknowledge(size_t source, uint64_t seq);
  void drop_sessions(size_t i, CommitOutcome outcome);

  Scheduler& scheduler_;
  std::vector<NodeModel> nodes_;
  bool cut_[kGrouter + 1][kGrouter + 1] = {};
};

// The receive latency and the reconnect interval of a receiver (MASTER_CONNECT_RETRY).
inline constexpr int64_t kShipLatencyMs = 1;
inline constexpr int64_t kConnectRetryMs = 500;
// At most this many transactions move per receiver pull.
inline constexpr size_t kPullBatch = 512;

}  // namespace grouter::sim
