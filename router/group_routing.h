// The glue between the group and the routes: the controller's configuration from grouter's
// [group_replication] and [storage_node:NAME] sections, and the destinations a decided state gives
// the group-following routes.
#pragma once

#include <cstdint>

#include "metadata/group_controller.h"
#include "metadata/group_state.h"
#include "router/config.h"
#include "routing/destination_set.h"

namespace grouter {

// Members of the newest view that may take connections, as `access` allows: the primary when it
// is ONLINE, and the ONLINE secondaries. UNREACHABLE, RECOVERING, ERROR and OFFLINE members take
// none.
// CONSISTENCY: the configured group level, which a decided one (SET GLOBAL) replaces.
routing::DestinationSet destinations_of(
    const metadata::GroupState& state, metadata::RouteAccess access, uint64_t generation,
    routing::Consistency consistency = routing::Consistency::kBeforeOnPrimaryFailover);

// The controller's settings; the group log lives in RUNTIME_FOLDER/group.
metadata::ControllerConfig controller_config(const Config& config);

}  // namespace grouter
