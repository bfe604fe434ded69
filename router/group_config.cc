// Parsing of the group's sections.
#include "router/group_config.h"

#include <algorithm>

#include "router/config_values.h"

namespace grouter {
namespace {

bool is_uuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse_enum(const std::string& value, const std::pair<const char*, Enum> (&names)[N]) {
  for (const auto& [name, e] : names) {
    if (value == name) return e;
  }
  return std::nullopt;
}

constexpr std::pair<const char*, Consistency> kConsistencies[] = {
    {"EVENTUAL", Consistency::kEventual},
    {"BEFORE_ON_PRIMARY_FAILOVER", Consistency::kBeforeOnPrimaryFailover},
    {"BEFORE", Consistency::kBefore},
    {"AFTER", Consistency::kAfter},
    {"BEFORE_AND_AFTER", Consistency::kBeforeAndAfter},
};
constexpr std::pair<const char*, ExitStateAction> kExitStateActions[] = {
    {"OFFLINE_MODE", ExitStateAction::kOfflineMode},
    {"READ_ONLY", ExitStateAction::kReadOnly},
    {"ABORT_SERVER", ExitStateAction::kAbortServer},
};

constexpr const char* kRequired[] = {"group_name", "cluster_user", "cluster_password",
                                     "recovery_user", "recovery_password"};

std::string invalid(const std::string& key, const std::string& value, const std::string& why) {
  return "invalid value '" + value + "' for option '" + key + "' in [group_replication]: " + why;
}

}  // namespace

std::optional<std::string> set_group_option(GroupReplicationConfig& g, const std::string& key,
                                            const std::string& value) {
  auto seconds = [&](std::chrono::milliseconds& out, double min, double max) -> std::optional<std::string> {
    auto parsed = parse_seconds(value, min, max);
    if (!parsed) return invalid(key, value, parsed.error());
    out = *parsed;
    return std::nullopt;
  };
  auto count = [&](std::uint32_t& out, std::uint64_t max) -> std::optional<std::string> {
    auto parsed = parse_unsigned(value, 0, max);
    if (!parsed) return invalid(key, value, parsed.error());
    out = static_cast<std::uint32_t>(*parsed);
    return std::nullopt;
  };
  auto flag = [&](bool& out) -> std::optional<std::string> {
    auto parsed = parse_on_off(value);
    if (!parsed) return invalid(key, value, parsed.error());
    out = *parsed;
    return std::nullopt;
  };
  auto secret_file = [&](std::string& out) -> std::optional<std::string> {
    auto secret = read_secret_file(value);
    if (!secret) return "option '" + key + "' in [group_replication]: " + secret.error();
    out = *secret;
    return std::nullopt;
  };

  if (key == "group_name") {
    if (!is_uuid(value)) return invalid(key, value, "expected a UUID like aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");
    g.group_name = value;
  } else if (key == "bootstrap_group") {
    return flag(g.bootstrap_group);
  } else if (key == "single_primary_mode") {
    if (auto error = flag(g.single_primary_mode)) return error;
    if (!g.single_primary_mode) {
      return invalid(key, value, "multi-primary mode needs storage nodes that certify "
                                 "transactions themselves (Galera); only ON is supported");
    }
  } else if (key == "start_on_boot") {
    return flag(g.start_on_boot);
  } else if (key == "cluster_user") {
    g.cluster_user = value;
  } else if (key == "cluster_password") {
    g.cluster_password = value;
  } else if (key == "cluster_password_file") {
    return secret_file(g.cluster_password);
  } else if (key == "recovery_user") {
    g.recovery_user = value;
  } else if (key == "recovery_password") {
    g.recovery_password = value;
  } else if (key == "recovery_password_file") {
    return secret_file(g.recovery_password);
  } else if (key == "consistency") {
    auto parsed = parse_enum(value, kConsistencies);
    if (!parsed) {
      return invalid(key, value, "expected EVENTUAL, BEFORE_ON_PRIMARY_FAILOVER, BEFORE, AFTER or "
                                 "BEFORE_AND_AFTER");
    }
    g.consistency = *parsed;
  } else if (key == "member_expel_timeout") {
    return seconds(g.member_expel_timeout, 0, 3600);
  } else if (key == "unreachable_majority_timeout") {
    return seconds(g.unreachable_majority_timeout, 0, 31536000);
  } else if (key == "exit_state_action") {
    auto parsed = parse_enum(value, kExitStateActions);
    if (!parsed) return invalid(key, value, "expected OFFLINE_MODE, READ_ONLY or ABORT_SERVER");
    g.exit_state_action = *parsed;
  } else if (key == "autorejoin_tries") {
    return count(g.autorejoin_tries, 2016);
  } else if (key == "recovery_retry_count") {
    return count(g.recovery_retry_count, 31536000);
  } else if (key == "recovery_reconnect_interval") {
    return seconds(g.recovery_reconnect_interval, 0, 31536000);
  } else if (key == "probe_interval") {
    return seconds(g.probe_interval, 0.05, 60);
  } else if (key == "member_suspicion_timeout") {
    return seconds(g.member_suspicion_timeout, 0.1, 3600);
  } else {
    return "unknown option '" + key + "' in section [group_replication]";
  }
  return std::nullopt;
}

std::optional<std::string> set_storage_node_option(StorageNodeConfig& node, const std::string& key,
                                                   const std::string& value) {
  const std::string where = "' for option '" + key + "' in [storage_node:" + node.name + "]: ";
  if (key == "address") {
    auto parsed = routing::parse_destination(value);
    if (!parsed) return "invalid value '" + value + where + parsed.error();
    node.address = *parsed;
  } else if (key == "member_weight") {
    auto parsed = parse_unsigned(value, 0, 100);
    if (!parsed) return "invalid value '" + value + where + parsed.error();
    node.member_weight = static_cast<std::uint32_t>(*parsed);
  } else {
    return "unknown option '" + key + "' in section [storage_node:" + node.name + "]";
  }
  return std::nullopt;
}

std::vector<std::string> missing_group_options(const std::vector<std::string>& given) {
  auto has = [&](const std::string& key) {
    return std::find(given.begin(), given.end(), key) != given.end();
  };
  std::vector<std::string> missing;
  for (const char* key : kRequired) {
    const std::string k = key;
    const bool password = k.ends_with("_password");
    if (!has(k) && !(password && has(k + "_file"))) missing.push_back(password ? k + " (or " + k + "_file)" : k);
  }
  return missing;
}

std::string_view to_string(Consistency consistency) {
  for (const auto& [name, c] : kConsistencies) {
    if (c == consistency) return name;
  }
  return "UNKNOWN";
}

std::string_view to_string(ExitStateAction action) {
  for (const auto& [name, a] : kExitStateActions) {
    if (a == action) return name;
  }
  return "UNKNOWN";
}

}  // namespace grouter
