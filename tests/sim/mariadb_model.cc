// The MariaDB node model (mariadb_model.h): binlog, relay log, receiver, applier, semi-sync,
// faults.
#include "tests/sim/mariadb_model.h"

#include <algorithm>
#include <cassert>

namespace grouter::sim {
namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h * 0xbf58476d1ce4e5b9ULL;
}

GtidPosition position_of(const Gtid& gtid) {
  GtidPosition p;
  p.domains[gtid.domain] = gtid;
  return p;
}

}  // namespace

GtidPosition NodeModel::executed() const {
  return binlog.empty() ? GtidPosition{} : position_of(binlog.back().gtid);
}

metadata::GtidState NodeModel::binlog_state() const {
  metadata::GtidState state;
  for (const Txn& t : binlog) state.pairs[{t.gtid.domain, t.gtid.server_id}] = t.gtid;
  return state;
}

const Txn* NodeModel::find(uint64_t seq) const {
  auto it = std::lower_bound(binlog.begin(), binlog.end(), seq,
                             [](const Txn& t, uint64_t s) { return t.gtid.seq < s; });
  return it != binlog.end() && it->gtid.seq == seq ? &*it : nullptr;
}

Cluster::Cluster(Scheduler& scheduler, size_t node_count) : scheduler_(scheduler) {
  assert(node_count >= 1 && node_count < kGrouter);
  nodes_.resize(node_count);
  for (size_t i = 0; i < node_count; ++i) {
    nodes_[i].server_id = static_cast<uint32_t>(i + 1);
    nodes_[i].host = "node" + std::to_string(i + 1);
  }
}

void Cluster::cut(size_t a, size_t b) {
  cut_[a][b] = cut_[b][a] = true;
  if (a < size()) kick_replicas_of(a, kShipLatencyMs);
  if (b < size()) kick_replicas_of(b, kShipLatencyMs);
}

void Cluster::heal(size_t a, size_t b) {
  cut_[a][b] = cut_[b][a] = false;
  if (a < size()) kick_replicas_of(a, kShipLatencyMs);
  if (b < size()) kick_replicas_of(b, kShipLatencyMs);
}

void Cluster::crash(size_t i) {
  NodeModel& n = nodes_[i];
  if (n.process == Process::kCrashed) return;
  n.process = Process::kCrashed;
  drop_sessions(i, CommitOutcome::kUncertain);  // the seqs stay: crash recovery may trim them
  kick_replicas_of(i, kShipLatencyMs);
}

void Cluster::restart(size_t i) {
  NodeModel& n = nodes_[i];
  if (n.process != Process::kCrashed) return;
  n.process = Process::kRunning;
  // Rule (a): Gtid_IO_Pos empty, relay log kept, threads not started (skip_slave_start).
  n.io_pos = GtidPosition{};
  n.receiver = Receiver::kStopped;
  n.applier_running = false;
  n.last_io_errno = 0;
  n.read_only = true;
  n.semi_sync_master = false;
  if (n.trims_on_recovery) {
    for (const NodeModel::Pending& p : n.pending) {
      auto it = std::find_if(n.binlog.begin(), n.binlog.end(),
                             [&](const Txn& t) { return t.gtid.seq == p.seq; });
      if (it != n.binlog.end()) n.binlog.erase(it);
    }
  }
  n.pending.clear();
  kick_replicas_of(i, kShipLatencyMs);
}

void Cluster::hang(size_t i) {
  if (nodes_[i].process == Process::kRunning) nodes_[i].process = Process::kHung;
}

void Cluster::resume(size_t i) {
  NodeModel& n = nodes_[i];
  if (n.process != Process::kHung) return;
  n.process = Process::kRunning;
  if (n.receiver != Receiver::kStopped) schedule_pull(i, kShipLatencyMs);
  schedule_apply(i);
  kick_replicas_of(i, kShipLatencyMs);
}

void Cluster::reclone(size_t i, size_t from) {
  NodeModel& n = nodes_[i];
  drop_sessions(i, CommitOutcome::kUncertain);
  n.pending.clear();
  // A backup holds what the engine committed: not the transactions still waiting for an ack.
  const NodeModel& src = nodes_[from];
  n.binlog = src.binlog;
  for (const NodeModel::Pending& p : src.pending) {
    std::erase_if(n.binlog, [&](const Txn& t) { return t.gtid.seq == p.seq; });
  }
  n.relay.clear();
  n.io_pos = GtidPosition{};
  n.process = Process::kRunning;
  n.receiver = Receiver::kStopped;
  n.applier_running = false;
  n.source.reset();
  n.use_gtid = true;
  n.last_io_errno = 0;
  n.read_only = true;
  n.semi_sync_master = false;
}

void Cluster::client_commit(size_t i, uint64_t write_id, CommitDone done) {
  NodeModel& n = nodes_[i];
  assert(n.answers());
  if (n.read_only) {
    scheduler_.after(1, [done] { done(CommitOutcome::kRejected, Gtid{}); });
    return;
  }
  const uint64_t seq = n.binlog.empty() ? 1 : n.binlog.back().gtid.seq + 1;
  const Gtid gtid{0, n.server_id, seq};
  append(n, Txn{gtid, write_id, 0});
  if (!n.semi_sync_master) {
    scheduler_.after(1, [done, gtid] { done(CommitOutcome::kAcked, gtid); });
    return;
  }
  n.pending.push_back(NodeModel::Pending{seq, std::move(done)});
}

void Cluster::stop_receiver(size_t i) {
  nodes_[i].receiver = Receiver::kStopped;
}

void Cluster::start_replica(size_t i) {
  NodeModel& n = nodes_[i];
  if (!n.source) return;
  if (n.use_gtid) {
    n.relay.clear();  // rules (b) and (e): the unapplied relay log is purged
    n.io_pos = n.executed();
  } else if (n.io_pos.empty()) {
    // MASTER_USE_GTID=no continues by file position after the kept relay log.
    n.io_pos = n.relay.empty() ? n.executed() : position_of(n.relay.back().gtid);
  }
  n.receiver = Receiver::kConnecting;
  n.applier_running = true;
  n.last_io_errno = 0;
  schedule_pull(i, kShipLatencyMs);
  schedule_apply(i);
}

void Cluster::apply_kept_relay_log(size_t i) {
  NodeModel& n = nodes_[i];
  n.receiver = Receiver::kStopped;
  n.use_gtid = false;  // rule (c)
  n.applier_running = true;
  schedule_apply(i);
}

void Cluster::change_master(size_t i, size_t source) {
  NodeModel& n = nodes_[i];
  n.receiver = Receiver::kStopped;
  n.applier_running = false;
  n.relay.clear();  // rule (d)
  n.io_pos = GtidPosition{};
  n.source = source;
  n.use_gtid = true;
  n.last_io_errno = 0;
}

void Cluster::promote(size_t i) {
  NodeModel& n = nodes_[i];
  n.receiver = Receiver::kStopped;
  n.applier_running = false;
  n.relay.clear();
  n.io_pos = GtidPosition{};
  n.source.reset();
  n.use_gtid = true;
  n.last_io_errno = 0;
  n.semi_sync_master = true;
}

void Cluster::fence(size_t i) {
  nodes_[i].read_only = true;
  nodes_[i].semi_sync_master = false;  // rpl_semi_sync_master_enabled = OFF
  drop_sessions(i, CommitOutcome::kUncertain);
  nodes_[i].pending.clear();  // killed while waiting: committed, no longer trimmable
}

metadata::NodeFacts Cluster::facts(size_t i) const {
  const NodeModel& n = nodes_[i];
  metadata::NodeFacts f;
  f.version = "10.11.9-MariaDB-log";
  f.server_id = n.server_id;
  f.read_only = n.read_only;
  f.binlog_pos = f.slave_pos = f.current_pos = n.executed();
  f.log_bin = f.log_slave_updates = f.gtid_strict_mode = true;
  f.binlog_format = "ROW";
  f.semi_sync_present = true;
  f.semi_sync_master_enabled = f.semi_sync_master_active = n.semi_sync_master;
  f.semi_sync_slave_enabled = true;
  f.semi_sync_wait_point = "AFTER_SYNC";
  f.semi_sync_wait_no_slave = true;
  f.semi_sync_master_timeout_ms = metadata::kSemiSyncMasterTimeoutMs;
  if (n.source) {
    metadata::ReplicaFacts r;
    r.source_host = nodes_[*n.source].host;
    r.source_port = nodes_[*n.source].port;
    r.io_running = n.receiver == Receiver::kConnected    ? "Yes"
                   : n.receiver == Receiver::kConnecting ? "Connecting"
                                                         : "No";
    r.sql_running = n.applier_running;
    r.using_gtid = n.use_gtid;
    r.received = n.io_pos;
    r.last_io_errno = n.last_io_errno;
    f.replica = r;
  }
  return f;
}

void Cluster::append(NodeModel& n, Txn txn) {
  txn.chain = mix(n.binlog.empty() ? 0 : n.binlog.back().chain,
                  mix(mix(txn.gtid.seq, txn.gtid.server_id), txn.write_id));
  n.binlog.push_back(txn);
  kick_replicas_of(static_cast<size_t>(&n - nodes_.data()), kShipLatencyMs);
}

void Cluster::kick_replicas_of(size_t source, int64_t delay_ms) {
  for (size_t j = 0; j < nodes_.size(); ++j) {
    const NodeModel& r = nodes_[j];
    if (r.source == source && r.receiver != Receiver::kStopped) schedule_pull(j, delay_ms);
  }
}

void Cluster::schedule_pull(size_t i, int64_t delay_ms) {
  if (nodes_[i].pull_scheduled) return;
  nodes_[i].pull_scheduled = true;
  scheduler_.after(delay_ms, [this, i] { pull(i); });
}

void Cluster::pull(size_t i) {
  NodeModel& n = nodes_[i];
  n.pull_scheduled = false;
  if (!n.answers() || n.receiver == Receiver::kStopped || !n.source) return;
  const size_t s = *n.source;
  const NodeModel& src = nodes_[s];
  if (src.process == Process::kCrashed || !link_up(i, s)) {
    n.receiver = Receiver::kConnecting;
    schedule_pull(i, kConnectRetryMs);
    return;
  }
  if (src.process == Process::kHung) {  // connected (or connecting) but nothing answers
    schedule_pull(i, kConnectRetryMs);
    return;
  }
  size_t from = 0;
  if (!n.io_pos.empty()) {
    const Gtid want = n.io_pos.domains.begin()->second;
    const Txn* t = src.find(want.seq);
    if (t == nullptr || t->gtid.server_id != want.server_id) {
      n.receiver = Receiver::kStopped;  // ER_MASTER_FATAL_ERROR_READING_BINLOG
      n.last_io_errno = 1236;
      return;
    }
    from = static_cast<size_t>(t - src.binlog.data()) + 1;
  }
  n.receiver = Receiver::kConnected;
  const size_t end = std::min(src.binlog.size(), from + kPullBatch);
  if (from >= end) return;
  for (size_t k = from; k < end; ++k)
    n.relay.push_back(Txn{src.binlog[k].gtid, src.binlog[k].write_id, 0});
  n.io_pos = position_of(src.binlog[end - 1].gtid);
  acknowledge(s, src.binlog[end - 1].gtid.seq);
  schedule_apply(i);
  if (end < src.binlog.size()) schedule_pull(i, kShipLatencyMs);
}

void Cluster::schedule_apply(size_t i) {
  NodeModel& n = nodes_[i];
  if (n.apply_scheduled || !n.applier_running || n.relay.empty() || !n.answers()) return;
  n.apply_scheduled = true;
  scheduler_.after(n.apply_ms, [this, i] { apply_one(i); });
}

void Cluster::apply_one(size_t i) {
  NodeModel& n = nodes_[i];
  n.apply_scheduled = false;
  if (!n.answers() || !n.applier_running || n.relay.empty()) return;
  const Txn t = n.relay.front();
  n.relay.pop_front();
  const uint64_t executed_seq = n.binlog.empty() ? 0 : n.binlog.back().gtid.seq;
  if (t.gtid.seq > executed_seq) append(n, t);
  schedule_apply(i);
}

void Cluster::acknowledge(size_t source, uint64_t seq) {
  NodeModel& src = nodes_[source];
  if (!src.semi_sync_master) return;
  auto acked = std::stable_partition(src.pending.begin(), src.pending.end(),
                                     [&](const NodeModel::Pending& p) { return p.seq > seq; });
  for (auto it = acked; it != src.pending.end(); ++it) {
    if (!it->done) continue;
    const Txn* t = src.find(it->seq);
    const Gtid gtid = t != nullptr ? t->gtid : Gtid{};
    scheduler_.after(1, [done = std::move(it->done), gtid] { done(CommitOutcome::kAcked, gtid); });
  }
  src.pending.erase(acked, src.pending.end());
}

void Cluster::drop_sessions(size_t i, CommitOutcome outcome) {
  for (NodeModel::Pending& p : nodes_[i].pending) {
    if (!p.done) continue;
    scheduler_.after(1, [done = std::move(p.done), outcome] { done(outcome, Gtid{}); });
    p.done = nullptr;
  }
}

}  // namespace grouter::sim
