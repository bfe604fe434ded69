// The admin port's wiring.
#include "router/admin_service.h"

#include "protocol/mysql_wire/scramble.h"
#include "router/version.h"

namespace grouter {
namespace {

std::string seconds(std::chrono::milliseconds ms) { return std::to_string(ms.count() / 1000); }

}  // namespace

admin::NameValues configured_group_variables(const GroupReplicationConfig& g,
                                             const metadata::GroupState& state,
                                             const std::string& member_id) {
  const metadata::Member* member = state.find(member_id);
  std::string seeds;
  for (const auto& m : state.members) {
    seeds += (seeds.empty() ? "" : ",") + m.host + ":" + std::to_string(m.port);
  }
  return {
      {"group_replication_group_name", state.group_name.empty() ? g.group_name : state.group_name},
      {"group_replication_single_primary_mode", state.single_primary_mode ? "ON" : "OFF"},
      {"group_replication_bootstrap_group", "OFF"},
      {"group_replication_start_on_boot", g.start_on_boot ? "ON" : "OFF"},
      {"group_replication_consistency", std::string(to_string(g.consistency))},
      {"group_replication_member_expel_timeout", seconds(g.member_expel_timeout)},
      {"group_replication_unreachable_majority_timeout", seconds(g.unreachable_majority_timeout)},
      {"group_replication_exit_state_action", std::string(to_string(g.exit_state_action))},
      {"group_replication_autorejoin_tries", std::to_string(g.autorejoin_tries)},
      {"group_replication_recovery_retry_count", std::to_string(g.recovery_retry_count)},
      {"group_replication_recovery_reconnect_interval", seconds(g.recovery_reconnect_interval)},
      {"group_replication_member_weight",
       std::to_string(member != nullptr ? member->weight : metadata::kDefaultMemberWeight)},
      {"group_replication_local_address",
       member != nullptr ? member->host + ":" + std::to_string(member->port) : ""},
      {"group_replication_group_seeds", seeds},
      {"group_replication_communication_stack", admin::kCommunicationStack},
      {"group_replication_enforce_update_everywhere_checks", "OFF"},
  };
}

AdminService::AdminService(metadata::GroupService& group, admin::AdminFacts facts)
    : executor_(group, std::move(facts)) {}

std::expected<std::unique_ptr<AdminService>, std::string> AdminService::create(
    uv_loop_t* loop, Logger logger, const Config& config, metadata::GroupService& group) {
  const AdminConfig& a = *config.admin;
  admin::AdminAccount account{a.user, {}};
  if (!a.password.empty()) {
    auto hash = mysql_wire::native_password_hash(a.password);
    if (!hash) return std::unexpected("[admin] cannot hash the password: " + hash.error().message());
    account.stored_hash = std::move(*hash);
  }
  admin::AdminLimits limits;
  limits.max_connections = a.max_connections;
  admin::AdminFacts facts;
  facts.server_version = "8.0.36-grouter-" + std::string(GROUTER_VERSION);
  facts.version_comment = "grouter admin port (Group Replication SQL)";
  facts.max_allowed_packet = static_cast<std::uint32_t>(limits.max_packet_bytes);
  const GroupReplicationConfig group_config = *config.group_replication;
  facts.variables = [&group, group_config](const std::string& member_id) {
    return configured_group_variables(group_config, *group.state(), member_id);
  };
  std::unique_ptr<AdminService> service(new AdminService(group, std::move(facts)));
  service->server_ = std::make_unique<admin::AdminServer>(loop, logger, service->executor_,
                                                          std::move(account), limits);
  return service;
}

std::expected<void, std::string> AdminService::listen(const AdminConfig& admin) {
  if (auto ok = server_->listen(admin.bind_address, admin.bind_port); !ok) {
    return std::unexpected("[admin] cannot listen on " + ok.error());
  }
  return {};
}

}  // namespace grouter
