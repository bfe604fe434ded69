// One simulated world: the scheduler, the seeded dice, the modelled nodes, grouter's driver, the
// writer and the invariant checker, wired together, plus the faults a scenario or the chaos
// schedule injects (each traced). run_until() processes events one at a time and checks the
// invariants after every one; it stops at the first breach. Not thread-safe; one per seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tests/sim/driver.h"
#include "tests/sim/invariants.h"
#include "tests/sim/writer.h"

namespace grouter::sim {

struct SimConfig {
  uint64_t seed = 1;
  size_t nodes = 3;
  DriverOptions driver;
  uint64_t steps = 40000;  // events in the fault phase of a random run
  bool trace = false;
};

struct SimResult {
  bool breach = false;
  std::string breach_text;
  int64_t breach_ms = 0;
  uint64_t steps = 0;
  uint64_t failovers = 0;
  uint64_t acked = 0;
  uint64_t lost = 0;
  uint64_t waits = 0;
  bool converged = true;  // after the faults healed, a writable primary was published
  DriverStats driver;     // the operator's statements among them
  int64_t sim_ms = 0;
};

class Simulation {
 public:
  // weights: member_weight per node (node 0 is the first primary); writer_interval_ms: pause
  // between two statements of the writer.
  Simulation(const SimConfig& config, const std::vector<uint32_t>& weights,
             int64_t writer_interval_ms);

  Scheduler& scheduler() { return scheduler_; }
  Dice& dice() { return dice_; }
  Cluster& cluster() { return cluster_; }
  Driver& driver() { return driver_; }
  const Trace& trace() const { return trace_; }

  // Runs events until simulated time passes end_ms, max_steps events ran, or a breach.
  // False on a breach.
  bool run_until(int64_t end_ms, uint64_t max_steps);
  bool breached() const { return breach_.has_value(); }
  SimResult result() const;

  // Faults (no-ops when they do not apply), traced.
  void kill(size_t i);
  void restart(size_t i);
  void hang(size_t i);
  void resume(size_t i);
  void cut(size_t a, size_t b);
  void heal(size_t a, size_t b);
  void grouter_crash();
  void grouter_restart();
  void set_apply_ms(size_t i, int64_t apply_ms);
  void reclone(size_t i);  // from the published primary, when there is one
  std::string name(size_t i) const { return i == kGrouter ? "grouter" : cluster_.node(i).host; }

 private:
  void setup(const std::vector<uint32_t>& weights);

  SimConfig config_;
  Trace trace_;
  Scheduler scheduler_;
  Dice dice_;
  Cluster cluster_;
  NodeOps ops_;
  Driver driver_;
  Writer writer_;
  InvariantChecker checker_;
  uint64_t steps_ = 0;
  std::optional<std::string> breach_;
  int64_t breach_ms_ = 0;
};

}  // namespace grouter::sim
