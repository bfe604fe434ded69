// Group state to route destinations; configuration to controller settings.
#include "router/group_routing.h"

#include "metadata/group_options.h"

namespace grouter {

routing::DestinationSet destinations_of(const metadata::GroupState& state,
                                        metadata::RouteAccess access, uint64_t generation,
                                        routing::Consistency consistency) {
  routing::DestinationSet set;
  set.generation = generation;
  set.consistency = consistency;
  if (auto decided = routing::parse_consistency(metadata::decided_option(state, "consistency")))
    set.consistency = *decided;
  if (state.failover && !state.failover->waiting.empty() && !state.primary) {
    set.no_primary_reason = "the group has no primary: " + state.failover->waiting;
  }
  if (access == metadata::RouteAccess::kNone) return set;
  for (const metadata::Member& m : state.members) {
    if (!m.in_view || m.state != metadata::MemberState::kOnline) continue;
    routing::Destination d{m.host, m.port};
    if (metadata::derived_role(state, m) == metadata::MemberRole::kPrimary) {
      if (access == metadata::RouteAccess::kAll) set.primaries.push_back(std::move(d));
    } else {
      set.secondaries.push_back(std::move(d));
    }
  }
  return set;
}

metadata::ControllerConfig controller_config(const Config& config) {
  const GroupReplicationConfig& g = *config.group_replication;
  metadata::ControllerConfig c;
  c.group_name = g.group_name;
  c.bootstrap_group = g.bootstrap_group;
  c.start_on_boot = g.start_on_boot;
  c.consistency = std::string(to_string(g.consistency));
  c.single_primary_mode = g.single_primary_mode;
  c.cluster_user = g.cluster_user;
  c.cluster_password = g.cluster_password;
  c.recovery_user = g.recovery_user;
  c.recovery_password = g.recovery_password;
  c.eventual = g.consistency == Consistency::kEventual;
  c.detector.probe_interval_ms = g.probe_interval.count();
  c.detector.suspicion_timeout_ms = g.member_suspicion_timeout.count();
  c.detector.member_expel_timeout_ms = g.member_expel_timeout.count();
  c.unreachable_majority_timeout_ms = g.unreachable_majority_timeout.count();
  c.exit_action = g.exit_state_action == ExitStateAction::kReadOnly      ? metadata::ExitAction::kReadOnly
                  : g.exit_state_action == ExitStateAction::kAbortServer ? metadata::ExitAction::kAbortServer
                                                                          : metadata::ExitAction::kOfflineMode;
  c.autorejoin_tries = g.autorejoin_tries;
  c.recovery_retry_count = g.recovery_retry_count;
  c.recovery_reconnect_interval_ms = g.recovery_reconnect_interval.count();
  for (const StorageNodeConfig& node : config.storage_nodes) {
    metadata::NodeConfig n;
    n.name = node.name;
    n.host = node.address.host;
    n.port = node.address.port;
    n.weight = node.member_weight;
    c.nodes.push_back(std::move(n));
  }
  c.state_folder = config.runtime_folder + "/group";
  return c;
}

}  // namespace grouter
