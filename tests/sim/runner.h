// The runs grouter-sim offers: one random seed (chaos, then every fault healed and a settling
// period), and the named scenarios S1, S2 and S3, whose faults are scripted at fixed times.
#pragma once

#include <optional>
#include <string>

#include "tests/sim/simulation.h"

namespace grouter::sim {

[[nodiscard]] SimResult run_random(const SimConfig& config);

// S1: 3 nodes; node3's link to the primary is cut (its receiver falls behind), then the primary is
// killed and, at the same instant, node2 (which holds the latest acknowledged writes, unapplied)
// hangs; node2 resumes 16 s later. The new rule waits for node2, then promotes with everything.
// S2: 5 nodes; node3–5's links to the primary are cut (they lag), then the primary and node2 (the
// one keeping up) are killed together; node2 restarts 15 s later with its relay log kept. The new
// rule waits, reads node2 after applying its kept relay log, and completes with nothing lost.
// S3: 5 nodes; node3–5's links to the primary are cut, so node2 alone acknowledges the writes;
// the operator stops node2 (STOP GROUP_REPLICATION: it leaves the view, its receiver stopped), then
// the primary is killed. The failover rule still counts the stopped node2 as a possible holder,
// reads it and catches the winner up from it: nothing is lost (the legacy rule, which reads only
// the view, loses the writes).
// nullopt for an unknown name. The config's nodes is set by the scenario.
[[nodiscard]] std::optional<SimResult> run_scenario(const std::string& name, SimConfig config);

}  // namespace grouter::sim
