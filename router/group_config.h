// The [group_replication] and [storage_node:NAME] sections: the group grouter keeps over its
// storage nodes. Option names are GR's variable names without the group_replication_ prefix,
// with GR's (MySQL 8.4) defaults; grouter's own additions are marked as such.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "routing/destination.h"

namespace grouter {

enum class Consistency { kEventual, kBeforeOnPrimaryFailover, kBefore, kAfter, kBeforeAndAfter };
enum class ExitStateAction { kOfflineMode, kReadOnly, kAbortServer };

struct GroupReplicationConfig {
  std::string group_name;  // a UUID
  bool bootstrap_group = false;
  bool single_primary_mode = true;
  bool start_on_boot = true;
  std::string cluster_user;      // may manage replication on every node
  std::string cluster_password;  // from cluster_password or cluster_password_file; never logged
  std::string recovery_user;     // the replication account replicas use
  std::string recovery_password;
  Consistency consistency = Consistency::kBeforeOnPrimaryFailover;
  std::chrono::milliseconds member_expel_timeout{5000};
  std::chrono::milliseconds unreachable_majority_timeout{0};  // 0: wait for ever
  ExitStateAction exit_state_action = ExitStateAction::kOfflineMode;
  std::uint32_t autorejoin_tries = 3;
  std::uint32_t recovery_retry_count = 10;
  std::chrono::milliseconds recovery_reconnect_interval{60000};
  // grouter's own: how often each node is probed, and how long a node may stay silent before
  // it is suspected (GR's is a fixed 5 s; 3 s here, so that a hung primary is replaced within
  // 10 s with the default member_expel_timeout). A refused connection is suspected at once.
  std::chrono::milliseconds probe_interval{500};
  std::chrono::milliseconds member_suspicion_timeout{3000};
};

struct StorageNodeConfig {
  std::string name;  // NAME of [storage_node:NAME]
  routing::Destination address;
  std::uint32_t member_weight = 50;  // 0-100
};

// Sets KEY of [group_replication]; on failure returns why ("unknown option ..." or "invalid
// value ..."), to be prefixed with the file and line. Password files are read here.
std::optional<std::string> set_group_option(GroupReplicationConfig& group, const std::string& key,
                                            const std::string& value);
std::optional<std::string> set_storage_node_option(StorageNodeConfig& node, const std::string& key,
                                                   const std::string& value);

// Which required options of [group_replication] are missing (empty when none).
std::vector<std::string> missing_group_options(const std::vector<std::string>& given_keys);

std::string_view to_string(Consistency consistency);
std::string_view to_string(ExitStateAction action);

inline constexpr std::size_t kMaxGroupMembers = 9;

}  // namespace grouter
