// The admin SQL port as grouter runs it: the [admin] configuration turned into the account (the
// stored mysql_native_password hash, computed here from the configured password), the facts the
// statements show (version, the members' names) and a listening AdminServer over the group's
// GroupService.
//
// Threading: the control loop's. Lifetime: close() and its callback before destruction.
#pragma once

#include <uv.h>

#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "base/logging.h"
#include "metadata/group_service.h"
#include "router/admin/admin_executor.h"
#include "router/admin/admin_server.h"
#include "router/config.h"

namespace grouter {

class AdminService {
 public:
  // The service for CONFIG's [admin] (present) over GROUP; the error is one line.
  static std::expected<std::unique_ptr<AdminService>, std::string> create(
      uv_loop_t* loop, Logger logger, const Config& config, metadata::GroupService& group);
  // Listens on [admin]'s address; the error is one line. close() is due either way.
  [[nodiscard]] std::expected<void, std::string> listen(const AdminConfig& admin);
  AdminService(const AdminService&) = delete;
  AdminService& operator=(const AdminService&) = delete;

  void close(std::function<void()> on_closed) { server_->close(std::move(on_closed)); }
  [[nodiscard]] std::uint16_t port() const { return server_->port(); }

 private:
  AdminService(metadata::GroupService& group, admin::AdminFacts facts);

  admin::AdminExecutor executor_;
  std::unique_ptr<admin::AdminServer> server_;
};

}  // namespace grouter
