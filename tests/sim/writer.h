// The simulated client: one connection sending autocommit inserts with unique ids, one at a time,
// through grouter's primary route (the node the published GroupState names primary, while grouter
// runs). It records every ACKNOWLEDGED id with its GTID and ack time; a commit whose outcome it
// cannot know (node crashed or hung, session killed, link cut, grouter gone) is uncertain and
// never counted as acknowledged. Driven by the Scheduler; owned by the Simulation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "tests/sim/mariadb_model.h"

namespace grouter::sim {

struct AckedWrite {
  uint64_t id = 0;
  Gtid gtid;
  size_t node = 0;
  int64_t ack_ms = 0;
};

class Writer {
 public:
  // The primary route's node now (nullopt: no primary, or grouter is down).
  using Route = std::function<std::optional<size_t>()>;
  // Changes whenever grouter crashes or restarts: client sessions through it are then gone.
  using Epoch = std::function<uint64_t()>;
  // A client gives up on a statement after this long (the outcome is then uncertain).
  static constexpr int64_t kStatementTimeoutMs = 3000;

  Writer(Scheduler& scheduler, Cluster& cluster, Route route, Epoch epoch, int64_t interval_ms)
      : scheduler_(scheduler),
        cluster_(cluster),
        route_(std::move(route)),
        epoch_(std::move(epoch)),
        interval_ms_(interval_ms) {}

  void start() { schedule(0); }
  void stop() { stopped_ = true; }

  const std::vector<AckedWrite>& acked() const { return acked_; }
  uint64_t rejected() const { return rejected_; }
  uint64_t uncertain() const { return uncertain_; }

 private:
  void schedule(int64_t delay_ms);
  void send();
  void finish(uint64_t id, size_t node, CommitOutcome outcome, Gtid gtid);

  Scheduler& scheduler_;
  Cluster& cluster_;
  Route route_;
  Epoch epoch_;
  int64_t interval_ms_;
  bool stopped_ = false;
  uint64_t next_id_ = 1;
  uint64_t in_flight_ = 0;  // id of the statement awaiting its outcome; 0: none
  std::vector<AckedWrite> acked_;
  uint64_t rejected_ = 0;
  uint64_t uncertain_ = 0;
};

}  // namespace grouter::sim
