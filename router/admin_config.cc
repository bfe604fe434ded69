// Parsing of [admin].
#include "router/admin_config.h"

#include "router/config_values.h"

namespace grouter {

std::optional<std::string> set_admin_option(AdminConfig& admin, const std::string& key,
                                            const std::string& value) {
  auto invalid = [&](const std::string& why) {
    return "invalid value '" + value + "' for option '" + key + "' in [admin]: " + why;
  };
  if (key == "bind_address") {
    if (value.empty()) return invalid("expected an IP address");
    admin.bind_address = value;
  } else if (key == "bind_port") {
    auto port = parse_unsigned(value, 1, 65535);
    if (!port) return invalid(port.error());
    admin.bind_port = static_cast<std::uint16_t>(*port);
  } else if (key == "user") {
    if (value.empty()) return invalid("expected a user name");
    admin.user = value;
  } else if (key == "password_file") {
    auto secret = read_secret_file(value);
    if (!secret) return "option 'password_file' in [admin]: " + secret.error();
    admin.password = *secret;
  } else if (key == "max_connections") {
    auto limit = parse_unsigned(value, 1, 1024);
    if (!limit) return invalid(limit.error());
    admin.max_connections = static_cast<std::uint32_t>(*limit);
  } else {
    return "unknown option '" + key +
           "' in section [admin] (it takes bind_address, bind_port, "
           "user, password_file, max_connections)";
  }
  return std::nullopt;
}

}  // namespace grouter
