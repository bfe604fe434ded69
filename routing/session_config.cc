// Names and rules of a route's session options.
#include "routing/session_config.h"

#include "routing/ascii.h"

#include <algorithm>
#include <array>
#include <utility>

namespace grouter::routing {
namespace {

constexpr std::array<std::pair<std::string_view, ClientSslMode>, 4> kClientModes{{
    {"DISABLED", ClientSslMode::kDisabled},
    {"PREFERRED", ClientSslMode::kPreferred},
    {"REQUIRED", ClientSslMode::kRequired},
    {"PASSTHROUGH", ClientSslMode::kPassthrough},
}};
constexpr std::array<std::pair<std::string_view, ServerSslMode>, 4> kServerModes{{
    {"DISABLED", ServerSslMode::kDisabled},
    {"PREFERRED", ServerSslMode::kPreferred},
    {"REQUIRED", ServerSslMode::kRequired},
    {"AS_CLIENT", ServerSslMode::kAsClient},
}};
constexpr std::array<std::pair<std::string_view, ServerSslVerify>, 3> kVerifies{{
    {"DISABLED", ServerSslVerify::kDisabled},
    {"VERIFY_CA", ServerSslVerify::kVerifyCa},
    {"VERIFY_IDENTITY", ServerSslVerify::kVerifyIdentity},
}};

template <typename T, std::size_t N>
std::optional<T> find_value(const std::array<std::pair<std::string_view, T>, N>& table,
                            std::string_view text) {
  for (const auto& [name, value] : table) {
    if (equal_ignoring_case(name, text)) return value;
  }
  return std::nullopt;
}

template <typename T, std::size_t N>
std::string_view find_name(const std::array<std::pair<std::string_view, T>, N>& table, T value) {
  for (const auto& [name, v] : table) {
    if (v == value) return name;
  }
  return "?";
}

}  // namespace

std::optional<ClientSslMode> parse_client_ssl_mode(std::string_view text) {
  return find_value(kClientModes, text);
}
std::optional<ServerSslMode> parse_server_ssl_mode(std::string_view text) {
  return find_value(kServerModes, text);
}
std::optional<ServerSslVerify> parse_server_ssl_verify(std::string_view text) {
  return find_value(kVerifies, text);
}
std::string_view to_string(ClientSslMode mode) { return find_name(kClientModes, mode); }
std::string_view to_string(ServerSslMode mode) { return find_name(kServerModes, mode); }
std::string_view to_string(ServerSslVerify verify) { return find_name(kVerifies, verify); }

ClientSslMode SessionConfig::client_mode() const {
  if (client_ssl_mode) return *client_ssl_mode;
  return client_ssl_cert.empty() && client_ssl_key.empty() ? ClientSslMode::kPassthrough
                                                           : ClientSslMode::kPreferred;
}

std::optional<std::string> check_session_config(const SessionConfig& config) {
  const ClientSslMode client = config.client_mode();
  const ServerSslMode server = config.server_mode();
  const std::string client_name(to_string(client));
  if (client == ClientSslMode::kPreferred || client == ClientSslMode::kRequired) {
    if (config.client_ssl_cert.empty()) {
      return "client_ssl_cert must be set, if client_ssl_mode is '" + client_name + "'.";
    }
    if (config.client_ssl_key.empty()) {
      return "client_ssl_key must be set, if client_ssl_mode is '" + client_name + "'.";
    }
  }
  if (client == ClientSslMode::kPassthrough && server != ServerSslMode::kAsClient) {
    return "If client_ssl_mode is PASSTHROUGH, server_ssl_mode must be AS_CLIENT.";
  }
  if (config.server_ssl_verify != ServerSslVerify::kDisabled && config.server_ssl_ca.empty()) {
    return "server_ssl_ca must be set, if server_ssl_verify is '" +
           std::string(to_string(config.server_ssl_verify)) + "'.";
  }
  if (client == ClientSslMode::kPassthrough || client == ClientSslMode::kDisabled) {
    if (!config.client_ssl_ca.empty()) {
      return "client_ssl_mode=" + client_name +
             " can not be combined with client_ssl_ca=" + config.client_ssl_ca;
    }
  }
  if (client == ClientSslMode::kPassthrough) {
    if (!config.server_ssl_key.empty()) {
      return "client_ssl_mode=PASSTHROUGH can not be combined with server_ssl_key=" +
             config.server_ssl_key;
    }
    if (!config.server_ssl_cert.empty()) {
      return "client_ssl_mode=PASSTHROUGH can not be combined with server_ssl_cert=" +
             config.server_ssl_cert;
    }
  }
  const bool server_plain = server == ServerSslMode::kDisabled ||
                            (client == ClientSslMode::kDisabled && server == ServerSslMode::kAsClient);
  if (server_plain) {
    if (!config.server_ssl_key.empty()) {
      return "server_ssl_mode=DISABLED can not be combined with server_ssl_key=" +
             config.server_ssl_key;
    }
    if (!config.server_ssl_cert.empty()) {
      return "server_ssl_mode=DISABLED can not be combined with server_ssl_cert=" +
             config.server_ssl_cert;
    }
  }
  if (config.server_ssl_cert.empty() != config.server_ssl_key.empty()) {
    return config.server_ssl_cert.empty() ? "server_ssl_cert must be set, if server_ssl_key is."
                                          : "server_ssl_key must be set, if server_ssl_cert is.";
  }
  return std::nullopt;
}

}  // namespace grouter::routing
