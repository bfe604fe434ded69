// The [admin] section: grouter's admin SQL port (GR's statements over the MySQL protocol; see
// docs/admin-sql.md). Without the section there is no admin port.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace grouter {

struct AdminConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t bind_port = 6449;
  // The account it accepts: user and password_file together, or neither (then the group's
  // cluster_user with cluster_password). The password is never logged.
  std::string user;
  std::string password;
  std::uint32_t max_connections = 16;
};

// Sets KEY of [admin]; on failure returns why, to be prefixed with the file and line.
std::optional<std::string> set_admin_option(AdminConfig& admin, const std::string& key,
                                            const std::string& value);

}  // namespace grouter
