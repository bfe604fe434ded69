// What a group-following route may connect to: an immutable snapshot of the group's members by
// role, published by router/ from the decided view (routing knows nothing of the group itself).
// Shared between threads as std::shared_ptr<const DestinationSet>; never modified once published.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routing/consistency.h"
#include "routing/destination.h"

namespace grouter::routing {

// A route's role filter, as in MySQL Router's metadata-cache://GROUP/?role=...
enum class ServerRole { kPrimary, kSecondary, kPrimaryAndSecondary };

std::optional<ServerRole> parse_server_role(std::string_view text);  // PRIMARY | SECONDARY | ...
std::string_view to_string(ServerRole role);

struct DestinationSet {
  std::uint64_t generation = 0;          // rises with every publication
  std::vector<Destination> primaries;    // ONLINE primaries of the newest view (0 or 1 in single-primary)
  std::vector<Destination> secondaries;  // ONLINE secondaries of the newest view
  // Set while the group has no primary and waits for a reason that time alone will not end (the
  // failover's safety rule): a client with nothing to connect to is refused at once with it
  // instead of waiting destination_wait_timeout.
  std::string no_primary_reason;
  // The group's consistency level (decided at run time or configured): the level of new sessions
  // on a route that sets none itself.
  std::optional<Consistency> consistency;

  bool contains(const Destination& d) const;
};

// The group a route follows: metadata-cache://GROUP/?role=ROLE.
struct GroupTarget {
  std::string group;
  ServerRole role = ServerRole::kPrimary;
};

// Parses "metadata-cache://GROUP/?role=PRIMARY". The error says what is wrong.
std::optional<GroupTarget> parse_group_target(std::string_view text, std::string& error);

}  // namespace grouter::routing
