// The storage-node monitor: every probe_interval it probes each node over its own connection as
// cluster_user (kProbeStatements: statements that never wait) and reports the outcome. One probe
// per node is in flight at a time; a node that has not answered when the next round starts is
// skipped that round (its probe times out on its own). A connection that fails is replaced at the
// next round. Runs on the control loop; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "metadata/failure_detector.h"
#include "metadata/node_facts.h"
#include "metadata/sql/sql_connection.h"

namespace grouter::metadata {

struct MonitorTarget {
  std::string name;  // the [storage_node:NAME]
  std::string host;
  uint16_t port = 0;
};

struct ProbeResult {
  ProbeOutcome outcome = ProbeOutcome::kFailed;
  // kOk with facts: the probe ran. kOk without facts: the server answered but the probe could not
  // run (access denied, a malformed answer): `error` says why.
  std::optional<NodeFacts> facts;
  std::string error;
  bool connection_lost = false;  // the server closed or reset an established probe connection
  int64_t started_ms = 0;  // monotonic; the facts are at least this new
  int64_t finished_ms = 0;
};

struct MonitorOptions {
  std::string user;
  std::string password;
  int64_t interval_ms = 500;
  uint32_t connect_timeout_ms = 1000;
  uint32_t query_timeout_ms = 2000;
};

// Milliseconds on a monotonic clock (uv_hrtime).
int64_t monotonic_ms();

class Monitor {
 public:
  using Observer = std::function<void(const std::string& name, const ProbeResult& result)>;
  // Called after every node was given its probe for a round (results arrive separately).
  using RoundHook = std::function<void()>;

  Monitor(uv_loop_t* loop, Logger logger, MonitorOptions options, std::vector<MonitorTarget> targets,
          Observer observer, RoundHook round_hook);
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;
  ~Monitor();

  void start();
  // Probes NAME now unless its probe is in flight.
  void probe_now(const std::string& name);
  // Stops probing and closes every connection; ON_CLOSED runs once all handles are closed.
  void close(std::function<void()> on_closed);

 private:
  struct Node {
    MonitorTarget target;
    std::unique_ptr<sql::SqlConnection> connection;
    bool in_flight = false;
    uint64_t probe_seq = 0;
    bool broken = false;  // replace the connection before the next probe
  };

  void round();
  void probe(Node& node);
  void finish(Node& node, ProbeResult result);
  void dispose(std::unique_ptr<sql::SqlConnection> connection);
  void maybe_closed();

  uv_loop_t* const loop_;
  const Logger logger_;
  const MonitorOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;
  Observer observer_;
  RoundHook round_hook_;
  uv_timer_t timer_{};
  bool timer_open_ = false;
  bool closing_ = false;
  int closing_connections_ = 0;
  std::function<void()> on_closed_;
};

}  // namespace grouter::metadata
