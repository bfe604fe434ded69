// The random fault schedule of a seeded run: every 0.3–4 s of simulated time it injects one fault
// drawn from the Simulation's dice (kill -9 and later restart, hang and later resume, a cut link
// and later heal — node↔node or grouter↔node —, grouter crash and restart, two nodes at once, a
// slow applier, an operator rebuilding a node left in ERROR), aiming at the primary half the time;
// one time in five instead an operator's statement (stop or start a member, set an option).
// At most two nodes are down (crashed or hung) at once. heal_all() ends every fault. Owned by the
// caller of the Simulation; lives as long as it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tests/sim/simulation.h"

namespace grouter::sim {

class Chaos {
 public:
  explicit Chaos(Simulation& sim) : sim_(sim) {}

  void start() { schedule(); }
  void stop() { stopped_ = true; }
  // Restarts, resumes, heals every link, restarts grouter, restores apply rates.
  void heal_all();

 private:
  void schedule();
  void inject();
  size_t victim();  // the primary half the time, else any node
  size_t nodes_down() const;
  void down(size_t i, bool kill);  // kill or hang, undone later
  void cut_link();
  void two_at_once();
  // One operator statement: STOP GROUP_REPLICATION on a member (the primary half the time),
  // START GROUP_REPLICATION on a stopped one, or SET GLOBAL of a runtime option.
  void operate();
  void heal_group(int round);

  Simulation& sim_;
  bool stopped_ = false;
};

}  // namespace grouter::sim
