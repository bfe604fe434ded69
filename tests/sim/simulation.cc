// Wiring of one simulated world and its traced faults (simulation.h).
#include "tests/sim/simulation.h"

namespace grouter::sim {
namespace {

// decide()'s randomness follows the run's seed.
DriverOptions seeded(DriverOptions options, uint64_t seed) {
  options.seed = seed ^ 0x5eed;
  return options;
}

}  // namespace

Simulation::Simulation(const SimConfig& config, const std::vector<uint32_t>& weights,
                       int64_t writer_interval_ms)
    : config_(config),
      trace_(config.trace),
      dice_(config.seed),
      cluster_(scheduler_, config.nodes),
      ops_(scheduler_, cluster_),
      driver_(scheduler_, cluster_, ops_, seeded(config.driver, config.seed), trace_),
      writer_(
          scheduler_, cluster_,
          [this]() -> std::optional<size_t> {
            if (!driver_.up()) return std::nullopt;
            return driver_.primary_index();
          },
          [this] { return driver_.epoch(); }, writer_interval_ms),
      checker_(cluster_, driver_, writer_) {
  setup(weights);
}

void Simulation::setup(const std::vector<uint32_t>& weights) {
  // node 0 is the primary (semi-sync master side on, writable); the others replicate from it.
  cluster_.node(0).read_only = false;
  cluster_.node(0).semi_sync_master = true;
  for (size_t i = 1; i < cluster_.size(); ++i) {
    cluster_.change_master(i, 0);
    cluster_.start_replica(i);
  }
  driver_.bootstrap(weights);
  driver_.start();
  writer_.start();
}

bool Simulation::run_until(int64_t end_ms, uint64_t max_steps) {
  for (uint64_t n = 0; n < max_steps && !breach_; ++n) {
    if (scheduler_.pending() == 0) break;
    if (scheduler_.next_time_ms() > end_ms) break;
    scheduler_.step();
    ++steps_;
    if (auto b = checker_.check(scheduler_.now_ms())) {
      breach_ = *b;
      breach_ms_ = scheduler_.now_ms();
      trace_.line(breach_ms_, "BREACH: " + *b);
    }
  }
  return !breach_;
}

SimResult Simulation::result() const {
  SimResult r;
  r.breach = breach_.has_value();
  r.breach_text = breach_.value_or("");
  r.breach_ms = breach_ms_;
  r.steps = steps_;
  r.failovers = driver_.stats().failovers;
  r.acked = writer_.acked().size();
  r.lost = checker_.lost();
  r.waits = driver_.stats().waits;
  r.driver = driver_.stats();
  r.sim_ms = scheduler_.now_ms();
  const std::optional<size_t> p = driver_.primary_index();
  r.converged = p && !cluster_.node(*p).read_only;
  return r;
}

void Simulation::kill(size_t i) {
  if (cluster_.node(i).process == Process::kCrashed) return;
  trace_.line(scheduler_.now_ms(), "FAULT kill -9 " + name(i));
  cluster_.crash(i);
}

void Simulation::restart(size_t i) {
  if (cluster_.node(i).process != Process::kCrashed) return;
  trace_.line(scheduler_.now_ms(), "FAULT restart " + name(i));
  cluster_.restart(i);
}

void Simulation::hang(size_t i) {
  if (cluster_.node(i).process != Process::kRunning) return;
  trace_.line(scheduler_.now_ms(), "FAULT hang (SIGSTOP) " + name(i));
  cluster_.hang(i);
}

void Simulation::resume(size_t i) {
  if (cluster_.node(i).process != Process::kHung) return;
  trace_.line(scheduler_.now_ms(), "FAULT resume (SIGCONT) " + name(i));
  cluster_.resume(i);
}

void Simulation::cut(size_t a, size_t b) {
  if (!cluster_.link_up(a, b)) return;
  trace_.line(scheduler_.now_ms(), "FAULT cut link " + name(a) + " <-> " + name(b));
  cluster_.cut(a, b);
}

void Simulation::heal(size_t a, size_t b) {
  if (cluster_.link_up(a, b)) return;
  trace_.line(scheduler_.now_ms(), "FAULT heal link " + name(a) + " <-> " + name(b));
  cluster_.heal(a, b);
}

void Simulation::grouter_crash() {
  if (driver_.up()) driver_.crash();
}

void Simulation::grouter_restart() {
  driver_.restart();
}

void Simulation::set_apply_ms(size_t i, int64_t apply_ms) {
  trace_.line(scheduler_.now_ms(), "FAULT " + name(i) + " applies at " + std::to_string(apply_ms) +
                                       " ms per transaction");
  cluster_.node(i).apply_ms = apply_ms;
}

void Simulation::reclone(size_t i) {
  const std::optional<size_t> p = driver_.primary_index();
  if (!p || *p == i || cluster_.node(*p).process != Process::kRunning) return;
  trace_.line(scheduler_.now_ms(), "OPERATOR rebuilds " + name(i) + " from " + name(*p));
  cluster_.reclone(i, *p);
}

}  // namespace grouter::sim
