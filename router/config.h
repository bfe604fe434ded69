// grouter's configuration: MySQL Router-style INI (sections [DEFAULT], [logger], [io],
// [routing:NAME], [http_server], [admin], [group_replication], [storage_node:NAME]). Parsing is strict: an unknown section or option, a repeated one,
// or a bad value is an error naming the file, the line and the problem.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/logging.h"
#include "router/admin_config.h"
#include "router/group_config.h"
#include "routing/route.h"

namespace grouter {

struct HttpServerConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 8443;
};

struct Config {
  std::string logging_folder;  // empty: log to stderr
  std::string runtime_folder;  // grouter's own state files
  LogLevel log_level = LogLevel::kInfo;
  unsigned io_threads = 0;  // worker loops; 0: one per core
  std::vector<routing::RouteConfig> routes;
  std::optional<HttpServerConfig> http_server;  // present when [http_server] is
  std::optional<AdminConfig> admin;               // present when [admin] is
  std::optional<GroupReplicationConfig> group_replication;  // present when [group_replication] is
  std::vector<StorageNodeConfig> storage_nodes;             // [storage_node:NAME], in file order
};

// Reads and validates FILE. The error is one line: "FILE:LINE: problem".
std::expected<Config, std::string> load_config(const std::string& path);

// Same, from text; LABEL stands for the file name in errors.
std::expected<Config, std::string> parse_config(std::string_view text, const std::string& label);

}  // namespace grouter
