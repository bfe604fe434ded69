// Roles and group targets of group-following routes.
#include "routing/destination_set.h"

#include <algorithm>

namespace grouter::routing {

std::optional<ServerRole> parse_server_role(std::string_view text) {
  if (text == "PRIMARY") return ServerRole::kPrimary;
  if (text == "SECONDARY") return ServerRole::kSecondary;
  if (text == "PRIMARY_AND_SECONDARY") return ServerRole::kPrimaryAndSecondary;
  return std::nullopt;
}

std::string_view to_string(ServerRole role) {
  switch (role) {
    case ServerRole::kPrimary: return "PRIMARY";
    case ServerRole::kSecondary: return "SECONDARY";
    case ServerRole::kPrimaryAndSecondary: return "PRIMARY_AND_SECONDARY";
  }
  return "UNKNOWN";
}

bool DestinationSet::contains(const Destination& d) const {
  return std::find(primaries.begin(), primaries.end(), d) != primaries.end() ||
         std::find(secondaries.begin(), secondaries.end(), d) != secondaries.end();
}

std::optional<GroupTarget> parse_group_target(std::string_view text, std::string& error) {
  constexpr std::string_view kScheme = "metadata-cache://";
  if (!text.starts_with(kScheme)) {
    error = "expected metadata-cache://GROUP/?role=PRIMARY|SECONDARY|PRIMARY_AND_SECONDARY";
    return std::nullopt;
  }
  text.remove_prefix(kScheme.size());
  const auto slash = text.find('/');
  GroupTarget target;
  target.group = std::string(text.substr(0, slash));
  if (target.group.empty()) {
    error = "missing group name after metadata-cache://";
    return std::nullopt;
  }
  std::string_view query = slash == std::string_view::npos ? "" : text.substr(slash + 1);
  if (query.starts_with("?")) query.remove_prefix(1);
  constexpr std::string_view kRole = "role=";
  if (!query.starts_with(kRole)) {
    error = "missing ?role=PRIMARY|SECONDARY|PRIMARY_AND_SECONDARY";
    return std::nullopt;
  }
  auto role = parse_server_role(query.substr(kRole.size()));
  if (!role) {
    error = "unknown role '" + std::string(query.substr(kRole.size())) +
            "' (PRIMARY, SECONDARY or PRIMARY_AND_SECONDARY)";
    return std::nullopt;
  }
  target.role = *role;
  return target;
}

}  // namespace grouter::routing
