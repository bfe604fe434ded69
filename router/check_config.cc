// The checks behind grouter --validate-config: load_config(), then the routes' TLS files.
#include "router/check_config.h"

#include "router/config.h"
#include "routing/tls.h"

namespace grouter {

std::expected<void, std::string> check_config_file(const std::string& path) {
  auto config = load_config(path);
  if (!config) return std::unexpected(config.error());
  for (const auto& route : config->routes) {
    if (auto tls = routing::build_tls_contexts(route.session); !tls) {
      return std::unexpected(path + ": [routing:" + route.name + "] " + tls.error());
    }
  }
  return {};
}

}  // namespace grouter
