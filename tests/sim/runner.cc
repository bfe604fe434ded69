// Random runs and the named scenarios (runner.h).
#include "tests/sim/runner.h"

#include <limits>

#include "tests/sim/chaos.h"

namespace grouter::sim {
namespace {

constexpr int64_t kSettleMs = 30000;

SimResult finish(Simulation& sim, bool scenario_passes) {
  SimResult r = sim.result();
  r.converged = r.converged && scenario_passes;
  return r;
}

SimResult run_s1(SimConfig config) {
  config.nodes = 3;
  Simulation sim(config, {80, 50, 30}, 5);
  Scheduler& s = sim.scheduler();
  sim.set_apply_ms(1, 20);  // node2 receives everything but applies slowly: a relay-log backlog
  s.at(2000, [&] { sim.cut(0, 2); });
  s.at(4000, [&] {
    sim.kill(0);
    sim.hang(1);
  });
  s.at(20000, [&] { sim.resume(1); });
  s.at(25000, [&] { sim.restart(0); });
  sim.run_until(40000, std::numeric_limits<uint64_t>::max());
  return finish(sim, sim.driver().stats().failovers >= 1);
}

// 5 nodes: node2 applies slowly, and from 2 s node3–5 are cut from the primary: node2 alone
// receives (and acknowledges) the writes.
const std::vector<uint32_t> kFiveWeights = {80, 70, 60, 50, 40};
void only_node2_receives(Simulation& sim) {
  sim.set_apply_ms(1, 20);
  sim.scheduler().at(2000, [&sim] {
    for (size_t i = 2; i < 5; ++i) sim.cut(0, i);
  });
}

SimResult run_s2(SimConfig config) {
  config.nodes = 5;
  Simulation sim(config, kFiveWeights, 5);
  Scheduler& s = sim.scheduler();
  only_node2_receives(sim);
  s.at(5000, [&] {
    sim.kill(0);
    sim.kill(1);
  });
  s.at(20000, [&] { sim.restart(1); });
  s.at(26000, [&] { sim.restart(0); });
  sim.run_until(45000, std::numeric_limits<uint64_t>::max());
  return finish(sim, sim.driver().stats().failovers >= 1);
}

SimResult run_s3(SimConfig config) {
  config.nodes = 5;
  Simulation sim(config, kFiveWeights, 5);
  Scheduler& s = sim.scheduler();
  only_node2_receives(sim);
  s.at(4000, [&] { sim.driver().operator_stop(1); });
  s.at(7000, [&] { sim.kill(0); });
  s.at(30000, [&] { sim.restart(0); });
  sim.run_until(50000, std::numeric_limits<uint64_t>::max());
  const metadata::Member& stopped = sim.driver().state().members[1];
  return finish(sim, sim.driver().stats().failovers >= 1 && stopped.stopped);
}

}  // namespace

SimResult run_random(const SimConfig& config) {
  Dice setup(config.seed ^ 0x5eedf00dULL);
  std::vector<uint32_t> weights;
  for (size_t i = 0; i < config.nodes; ++i)
    weights.push_back(static_cast<uint32_t>(setup.range(10, 90)));
  Simulation sim(config, weights, setup.range(3, 20));
  for (size_t i = 0; i < config.nodes; ++i) {
    sim.cluster().node(i).apply_ms = setup.range(1, 6);
    sim.cluster().node(i).trims_on_recovery = setup.chance(90);
  }
  Chaos chaos(sim);
  chaos.start();
  if (sim.run_until(std::numeric_limits<int64_t>::max(), config.steps)) {
    chaos.stop();
    chaos.heal_all();
    sim.run_until(sim.scheduler().now_ms() + kSettleMs, config.steps * 4);
  }
  return sim.result();
}

std::optional<SimResult> run_scenario(const std::string& name, SimConfig config) {
  if (name == "S1") return run_s1(config);
  if (name == "S2") return run_s2(config);
  if (name == "S3") return run_s3(config);
  return std::nullopt;
}

}  // namespace grouter::sim
