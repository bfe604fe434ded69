// The operations grouter's controller runs on the modelled nodes, with the network's timing: each
// reaches the node after kHopMs and answers kHopMs later; a crashed node refuses the connection
// (when the link is up), a hung node or a cut grouter↔node link gives no answer until the
// operation's timeout. The effect happens when the request arrives, so an answer can be lost after
// the node changed. Waiting operations poll the node every kPollMs until done or timed out; a
// crashed node ends them at once, a node silent for kOpTimeoutMs ends them with no answer.
// Callbacks run from the Scheduler; the caller drops stale ones (the driver's epoch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "metadata/failover.h"
#include "tests/sim/mariadb_model.h"

namespace grouter::sim {

enum class OpStatus { kOk, kRefused, kNoAnswer, kError };

struct OpResult {
  OpStatus status = OpStatus::kOk;
  std::string error;                           // kError: what failed ("timeout", ...)
  std::optional<metadata::NodeFacts> facts;    // probe
  std::optional<metadata::FailoverRead> read;  // read_positions
  std::optional<metadata::GtidState> binlog_state;  // read_binlog_state
  bool ok() const { return status == OpStatus::kOk; }
};
using OpDone = std::function<void(const OpResult&)>;

inline constexpr int64_t kHopMs = 1;
inline constexpr int64_t kPollMs = 10;
inline constexpr int64_t kProbeTimeoutMs = 400;
inline constexpr int64_t kOpTimeoutMs = 1000;

class NodeOps {
 public:
  NodeOps(Scheduler& scheduler, Cluster& cluster) : scheduler_(scheduler), cluster_(cluster) {}

  void probe(size_t i, OpDone done);
  void stop_receiver(size_t i, OpDone done);
  // Gtid_IO_Pos and gtid_current_pos.
  void read_positions(size_t i, OpDone done);
  // @@gtid_binlog_state (and the positions, as read_positions).
  void read_binlog_state(size_t i, OpDone done);
  // Rule (c); answers once the kept relay log is applied (or kError "timeout").
  void apply_kept_relay_log(size_t i, int64_t timeout_ms, OpDone done);
  // MASTER_GTID_WAIT: answers once the executed position covers target (or kError "timeout").
  void wait_applied(size_t i, const GtidPosition& target, int64_t timeout_ms, OpDone done);
  void change_master(size_t i, size_t source, OpDone done);  // the relay log is deleted
  void start_replica(size_t i, OpDone done);
  void promote(size_t i, OpDone done);
  void set_read_only(size_t i, bool on, OpDone done);
  void fence(size_t i, OpDone done);

 private:
  void read(size_t i, bool with_state, OpDone done);
  void call(size_t i, int64_t timeout_ms, std::function<OpResult()> effect, OpDone done);
  void poll(size_t i, int64_t deadline_ms, std::function<bool()> reached, OpDone done);

  Scheduler& scheduler_;
  Cluster& cluster_;
};

}  // namespace grouter::sim
