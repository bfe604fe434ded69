// The admin port's wiring.
#include "router/admin_service.h"

#include "protocol/mysql_wire/scramble.h"
#include "router/version.h"

namespace grouter {

AdminService::AdminService(metadata::GroupService& group, admin::AdminFacts facts)
    : executor_(group, std::move(facts)) {}

std::expected<std::unique_ptr<AdminService>, std::string> AdminService::create(
    uv_loop_t* loop, Logger logger, const Config& config, metadata::GroupService& group) {
  const AdminConfig& a = *config.admin;
  admin::AdminAccount account{a.user, {}};
  if (!a.password.empty()) {
    auto hash = mysql_wire::native_password_hash(a.password);
    if (!hash)
      return std::unexpected("[admin] cannot hash the password: " + hash.error().message());
    account.stored_hash = std::move(*hash);
  }
  admin::AdminLimits limits;
  limits.max_connections = a.max_connections;
  admin::AdminFacts facts;
  facts.server_version = "8.0.36-grouter-" + std::string(GROUTER_VERSION);
  facts.version_comment = "grouter admin port (Group Replication SQL)";
  facts.max_allowed_packet = static_cast<std::uint32_t>(limits.max_packet_bytes);
  for (const auto& node : config.storage_nodes) {
    facts.member_names.push_back(node.name);
    facts.member_addresses.push_back(node.address.to_string());
  }
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
