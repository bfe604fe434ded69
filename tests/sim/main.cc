// grouter-sim: the deterministic simulator's command line (see tests/sim/README.md).
//   grouter-sim --seeds N [--first S] [--steps K] [--nodes 3|5] [--rule new|legacy]
//   grouter-sim --seed X [--steps K] [--nodes 3|5] [--rule new|legacy]   (replays one, traced)
//   grouter-sim --scenario S1|S2|S3 [--rule legacy] [--expect-loss]
// Everything on stdout is a function of the arguments (byte for byte); the wall-clock rates go to
// stderr. Exit 0 when no invariant broke (with --expect-loss: when a lost write was detected).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "tests/sim/runner.h"

namespace {

using grouter::sim::Rule;
using grouter::sim::SimConfig;
using grouter::sim::SimResult;

struct Args {
  std::optional<uint64_t> seeds;
  uint64_t first = 1;
  std::optional<uint64_t> seed;
  std::optional<size_t> nodes;
  std::string scenario;
  SimConfig config;
  bool expect_loss = false;
  bool quiet = false;
};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr,
               "grouter-sim: %s\nusage: grouter-sim --seeds N [--first S] | --seed X | "
               "--scenario S1|S2|S3  [--steps K] [--nodes 3|5] [--rule new|legacy] "
               "[--facts before-loss|newest] [--expect-loss] [--quiet]\n",
               problem.c_str());
  std::exit(2);
}

uint64_t number(const std::string& text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') usage("not a number: " + text);
  return v;
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto next = [&]() -> std::string {
      if (!value.empty()) return value;
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--seeds")
      a.seeds = number(next());
    else if (arg == "--first")
      a.first = number(next());
    else if (arg == "--seed")
      a.seed = number(next());
    else if (arg == "--steps")
      a.config.steps = number(next());
    else if (arg == "--nodes")
      a.nodes = number(next());
    else if (arg == "--scenario")
      a.scenario = next();
    else if (arg == "--rule") {
      const std::string r = next();
      if (r != "new" && r != "legacy") usage("--rule is new or legacy");
      a.config.driver.rule = r == "new" ? Rule::kNew : Rule::kLegacy;
    } else if (arg == "--facts") {
      const std::string f = next();
      if (f != "before-loss" && f != "newest") usage("--facts is before-loss or newest");
      a.config.driver.facts_before_loss = f == "before-loss";
    } else if (arg == "--expect-loss")
      a.expect_loss = true;
    else if (arg == "--quiet")
      a.quiet = true;
    else
      usage("unknown argument " + arg);
  }
  if (a.nodes && *a.nodes != 3 && *a.nodes != 5) usage("--nodes is 3 or 5");
  if (!!a.seeds + !!a.seed + !a.scenario.empty() != 1) usage("one of --seeds, --seed, --scenario");
  return a;
}

std::string rule_name(const SimConfig& c) {
  return c.driver.rule == Rule::kNew ? "new" : "legacy";
}

std::string replay_line(const Args& a, const SimConfig& c) {
  std::string line = "grouter-sim --seed " + std::to_string(c.seed) + " --steps " +
                     std::to_string(c.steps) + " --nodes " + std::to_string(c.nodes) + " --rule " +
                     rule_name(c);
  if (c.driver.facts_before_loss) line += " --facts before-loss";
  (void)a;
  return line;
}

struct Totals {
  uint64_t runs = 0, steps = 0, failovers = 0, acked = 0, lost = 0, waits = 0, breaches = 0;
  uint64_t unconverged = 0;
  uint64_t stops = 0, primary_stops = 0, stops_refused = 0, starts = 0, option_changes = 0,
           switchovers = 0, bootstraps = 0;
  void add(const SimResult& r) {
    stops += r.driver.stops;
    primary_stops += r.driver.primary_stops;
    stops_refused += r.driver.stops_refused;
    starts += r.driver.starts;
    option_changes += r.driver.option_changes;
    switchovers += r.driver.switchovers;
    bootstraps += r.driver.bootstraps;
    ++runs;
    steps += r.steps;
    failovers += r.failovers;
    acked += r.acked;
    lost += r.lost;
    waits += r.waits;
    breaches += r.breach ? 1 : 0;
    unconverged += r.converged ? 0 : 1;
  }
};

void report(const SimResult& r, const std::string& what, const std::string& replay) {
  if (r.breach) {
    std::printf("FAIL %s: at %lld ms: %s\n  replay: %s\n", what.c_str(),
                static_cast<long long>(r.breach_ms), r.breach_text.c_str(), replay.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  const auto started = std::chrono::steady_clock::now();
  Totals totals;
  if (!a.scenario.empty()) {
    SimConfig c = a.config;
    c.trace = !a.quiet;
    const auto r = grouter::sim::run_scenario(a.scenario, c);
    if (!r) usage("unknown scenario " + a.scenario);
    report(*r, "scenario " + a.scenario + " (rule " + rule_name(c) + ")",
           "grouter-sim --scenario " + a.scenario + " --rule " + rule_name(c));
    if (!r->breach && !r->converged) {
      std::printf("FAIL scenario %s: no writable primary at the end\n", a.scenario.c_str());
    }
    totals.add(*r);
  } else {
    const uint64_t first = a.seed ? *a.seed : a.first;
    const uint64_t count = a.seed ? 1 : *a.seeds;
    for (uint64_t s = first; s < first + count; ++s) {
      SimConfig c = a.config;
      c.seed = s;
      c.nodes = a.nodes ? *a.nodes : (s % 2 == 1 ? 3 : 5);
      c.trace = a.seed.has_value() && !a.quiet;
      const SimResult r = grouter::sim::run_random(c);
      report(r, "seed " + std::to_string(s), replay_line(a, c));
      if (!r.breach && !r.converged) {
        std::printf("no writable primary at the end of seed %llu\n  replay: %s\n",
                    (unsigned long long)s, replay_line(a, c).c_str());
      }
      totals.add(r);
    }
  }
  std::printf(
      "seeds run: %llu\nsteps: %llu\nfailovers completed: %llu\nacknowledged writes: %llu\n"
      "lost: %llu\nwaits: %llu\nbreaches: %llu\nno writable primary at the end: %llu\n",
      (unsigned long long)totals.runs, (unsigned long long)totals.steps,
      (unsigned long long)totals.failovers, (unsigned long long)totals.acked,
      (unsigned long long)totals.lost, (unsigned long long)totals.waits,
      (unsigned long long)totals.breaches, (unsigned long long)totals.unconverged);
  std::printf("operator: %llu stops (%llu of the primary, after a switchover), %llu refused, "
              "%llu starts, %llu option changes, %llu switchovers, %llu bootstraps\n",
              (unsigned long long)totals.stops, (unsigned long long)totals.primary_stops,
              (unsigned long long)totals.stops_refused, (unsigned long long)totals.starts,
              (unsigned long long)totals.option_changes, (unsigned long long)totals.switchovers,
              (unsigned long long)totals.bootstraps);
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "wall time: %.2f s, %.1f seeds/s, %.0f simulated failovers per minute\n",
               wall_s, totals.runs / wall_s, totals.failovers / wall_s * 60.0);
  if (a.expect_loss) return totals.lost > 0 ? 0 : 1;
  const bool scenario_failed = !a.scenario.empty() && totals.unconverged > 0;
  return totals.breaches == 0 && !scenario_failed ? 0 : 1;
}
