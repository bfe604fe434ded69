// INI parsing (inih) and validation of grouter's configuration.
#include "router/config.h"

#include "router/config_values.h"

#include <ini.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace grouter {
namespace {

using routing::RouteConfig;

constexpr std::string_view kRoutingPrefix = "routing:";
constexpr std::string_view kStorageNodePrefix = "storage_node:";

// State shared by the line reader and the key handler: inih calls the reader once per line, so
// the reader's line count is the line of the key being handled.
struct ParseState {
  std::string_view text;
  std::size_t position = 0;
  int line = 0;
  std::string label;
  std::string error;  // first error, "LABEL:LINE: problem"
  Config config;
  std::map<std::string, int> section_lines;              // every section seen, with its line
  std::map<std::string, std::size_t> route_index;        // routing section → index in routes
  std::map<std::pair<std::string, std::string>, int> seen;  // (section, key) → its line
  std::set<std::string> routes_with_port;
  std::set<std::string> routes_with_destinations;
  std::map<std::string, std::size_t> node_index;         // storage_node section → index

  void fail(int at_line, const std::string& problem) {
    if (error.empty()) error = label + ":" + std::to_string(at_line) + ": " + problem;
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// inih strips ';' comments after a value; '#' after whitespace starts a comment too here.
std::string strip_comment(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '#' && (i == 0 || value[i - 1] == ' ' || value[i - 1] == '\t')) {
      return std::string(trim(value.substr(0, i)));
    }
  }
  return std::string(trim(value));
}

char* read_line(char* out, int size, void* stream) {
  auto* state = static_cast<ParseState*>(stream);
  if (state->position >= state->text.size()) return nullptr;
  std::size_t end = state->text.find('\n', state->position);
  std::size_t stop = end == std::string_view::npos ? state->text.size() : end + 1;
  std::size_t length = stop - state->position;
  if (length > static_cast<std::size_t>(size - 1)) {
    state->fail(state->line + 1, "line longer than " + std::to_string(size - 2) + " characters");
    return nullptr;
  }
  std::copy_n(state->text.data() + state->position, length, out);
  out[length] = '\0';
  std::string_view line = trim(std::string_view(out, length));
  state->position += length;
  ++state->line;
  if (line.size() >= 2 && line.front() == '[' && line.back() == ']') {
    std::string name(trim(line.substr(1, line.size() - 2)));
    if (state->section_lines.contains(name)) {
      state->fail(state->line, "section [" + name + "] appears twice");
    }
    state->section_lines.emplace(name, state->line);
  }
  return out;
}

void handle_default(ParseState& s, const std::string& key, const std::string& value) {
  if (key == "logging_folder") {
    s.config.logging_folder = value;
  } else if (key == "runtime_folder") {
    s.config.runtime_folder = value;
  } else {
    s.fail(s.line, "unknown option '" + key + "' in section [DEFAULT]");
  }
}

void handle_logger(ParseState& s, const std::string& key, const std::string& value) {
  if (key != "level") {
    s.fail(s.line, "unknown option '" + key + "' in section [logger]");
  } else if (!parse_log_level(value, s.config.log_level)) {
    s.fail(s.line, "invalid value '" + value +
                       "' for option 'level' in [logger]: expected DEBUG, INFO, WARNING or ERROR");
  }
}

void handle_io(ParseState& s, const std::string& key, const std::string& value) {
  if (key != "threads") {
    s.fail(s.line, "unknown option '" + key + "' in section [io]");
    return;
  }
  auto threads = parse_unsigned(value, 0, 1024);
  if (!threads) {
    s.fail(s.line, "invalid value '" + value + "' for option 'threads' in [io]: " + threads.error());
    return;
  }
  s.config.io_threads = static_cast<unsigned>(*threads);
}

void handle_http(ParseState& s, const std::string& key, const std::string& value) {
  HttpServerConfig& http = *s.config.http_server;
  if (key == "bind_address") {
    http.bind_address = value;
  } else if (key == "port") {
    auto port = parse_unsigned(value, 1, 65535);
    if (!port) {
      s.fail(s.line, "invalid value '" + value + "' for option 'port' in [http_server]: " + port.error());
      return;
    }
    http.port = static_cast<std::uint16_t>(*port);
  } else {
    s.fail(s.line, "unknown option '" + key + "' in section [http_server]");
  }
}

// The TLS options of a route (MySQL Router's names). False when KEY is not one of them.
template <typename Bad>
bool set_session_option(routing::SessionConfig& session, const std::string& key,
                        const std::string& value, Bad bad) {
  if (key == "client_ssl_mode") {
    auto mode = routing::parse_client_ssl_mode(value);
    if (!mode) bad("expected DISABLED, PREFERRED, REQUIRED or PASSTHROUGH");
    session.client_ssl_mode = mode;
  } else if (key == "server_ssl_mode") {
    auto mode = routing::parse_server_ssl_mode(value);
    if (!mode) bad("expected DISABLED, PREFERRED, REQUIRED or AS_CLIENT");
    session.server_ssl_mode = mode;
  } else if (key == "server_ssl_verify") {
    auto verify = routing::parse_server_ssl_verify(value);
    if (!verify) bad("expected DISABLED, VERIFY_CA or VERIFY_IDENTITY");
    session.server_ssl_verify = verify.value_or(routing::ServerSslVerify::kDisabled);
  } else {
    const std::pair<const char*, std::string*> paths[] = {
        {"client_ssl_cert", &session.client_ssl_cert},
        {"client_ssl_key", &session.client_ssl_key},
        {"client_ssl_cipher", &session.client_ssl_cipher},
        {"client_ssl_curves", &session.client_ssl_curves},
        {"client_ssl_ca", &session.client_ssl_ca},
        {"server_ssl_ca", &session.server_ssl_ca},
        {"server_ssl_cert", &session.server_ssl_cert},
        {"server_ssl_key", &session.server_ssl_key},
        {"server_ssl_cipher", &session.server_ssl_cipher},
        {"server_ssl_curves", &session.server_ssl_curves},
    };
    for (const auto& [name, field] : paths) {
      if (key != name) continue;
      if (value.empty()) bad("expected a value");
      *field = value;
      return true;
    }
    return false;
  }
  return true;
}

void handle_routing(ParseState& s, const std::string& section, const std::string& key,
                    const std::string& value) {
  RouteConfig& route = s.config.routes[s.route_index.at(section)];
  const std::string where = "' for option '" + key + "' in [" + section + "]: ";
  auto bad = [&](const std::string& why) { s.fail(s.line, "invalid value '" + value + where + why); };

  if (key == "bind_address") {
    if (value.find(':') != value.rfind(':') && value.front() != '[') {
      route.bind_address = value;  // a bare IPv6 address
      return;
    }
    auto parsed = routing::parse_destination(value);
    if (!parsed) return bad(parsed.error());
    route.bind_address = parsed->host;
    if (value.find(':') != std::string::npos) {  // "host:port" or "[v6]:port"
      route.bind_port = parsed->port;
      s.routes_with_port.insert(section);
    }
  } else if (key == "bind_port") {
    auto port = parse_unsigned(value, 1, 65535);
    if (!port) return bad(port.error());
    route.bind_port = static_cast<std::uint16_t>(*port);
    s.routes_with_port.insert(section);
  } else if (key == "destinations") {
    if (value.starts_with("metadata-cache://")) {
      std::string error;
      auto target = routing::parse_group_target(value, error);
      if (!target) return bad(error);
      route.group = std::move(*target);
      route.destinations_text = value;
      s.routes_with_destinations.insert(section);
      return;
    }
    auto parsed = routing::parse_destinations(value);
    if (!parsed) return bad(parsed.error());
    route.destinations = std::move(*parsed);
    route.destinations_text = value;
    s.routes_with_destinations.insert(section);
  } else if (key == "routing_strategy") {
    auto strategy = routing::parse_routing_strategy(value);
    if (!strategy) {
      return bad("expected first-available, next-available, round-robin or "
                 "round-robin-with-fallback");
    }
    route.strategy = *strategy;
  } else if (key == "connect_timeout") {
    auto timeout = parse_seconds(value, 0.001, 65535);
    if (!timeout) return bad(timeout.error());
    route.connect_timeout = *timeout;
  } else if (key == "client_connect_timeout") {
    auto timeout = parse_seconds(value, 0.001, 31536000);
    if (!timeout) return bad(timeout.error());
    route.client_connect_timeout = *timeout;
  } else if (key == "max_connections") {
    auto limit = parse_unsigned(value, 0, 1000000);
    if (!limit) return bad(limit.error());
    route.max_connections = static_cast<std::uint32_t>(*limit);
  } else if (key == "max_connect_errors") {
    auto limit = parse_unsigned(value, 1, 4294967295u);
    if (!limit) return bad(limit.error());
    route.max_connect_errors = static_cast<std::uint32_t>(*limit);
  } else if (key == "destination_wait_timeout") {
    auto timeout = parse_seconds(value, 0, 3600);
    if (!timeout) return bad(timeout.error());
    route.destination_wait_timeout = *timeout;
  } else if (key == "protocol") {
    if (value != "classic") return bad("only 'classic' (the MySQL protocol) is supported");
  } else if (set_session_option(route.session, key, value, bad)) {
    return;
  } else if (key == "access_mode") {
    if (value != "auto") return bad("expected auto (or no access_mode)");
    route.access_mode_auto = true;
  } else if (key == "wait_for_my_writes") {
    auto on = parse_on_off(value);
    if (!on) return bad(on.error());
    route.wait_for_my_writes = *on;
  } else if (key == "wait_for_my_writes_timeout") {
    auto seconds = parse_unsigned(value, 0, 3600);
    if (!seconds) return bad(seconds.error());
    route.wait_for_my_writes_timeout = std::chrono::seconds(*seconds);
  } else if (key == "consistency") {
    auto level = routing::parse_consistency(value);
    if (!level) {
      return bad("expected EVENTUAL, BEFORE_ON_PRIMARY_FAILOVER, BEFORE, AFTER or BEFORE_AND_AFTER");
    }
    route.consistency = level;
  } else {
    s.fail(s.line, "unknown option '" + key + "' in section [" + section + "]");
  }
}

int on_key(void* user, const char* section_c, const char* key_c, const char* value_c) {
  auto& s = *static_cast<ParseState*>(user);
  const std::string section = section_c;
  const std::string key = key_c;
  const std::string value = strip_comment(value_c);
  if (!s.seen.emplace(std::pair(section, key), s.line).second) {
    s.fail(s.line, "option '" + key + "' appears twice in section [" + section + "]");
    return 0;
  }
  if (section == "DEFAULT") {
    handle_default(s, key, value);
  } else if (section == "logger") {
    handle_logger(s, key, value);
  } else if (section == "io") {
    handle_io(s, key, value);
  } else if (section == "http_server") {
    handle_http(s, key, value);
  } else if (s.route_index.contains(section)) {
    handle_routing(s, section, key, value);
  } else if (section == "admin") {
    if (auto error = set_admin_option(*s.config.admin, key, value)) s.fail(s.line, *error);
  } else if (section == "group_replication") {
    if (auto error = set_group_option(*s.config.group_replication, key, value)) s.fail(s.line, *error);
  } else if (s.node_index.contains(section)) {
    auto& node = s.config.storage_nodes[s.node_index.at(section)];
    if (auto error = set_storage_node_option(node, key, value)) s.fail(s.line, *error);
  } else if (section.empty()) {
    s.fail(s.line, "option '" + key + "' outside of any section");
  }
  // Unknown sections are reported by validate_sections(), with the section's own line.
  return s.error.empty() ? 1 : 0;
}

// Creates the entries for every section seen by the reader, before any key is handled.
void declare_sections(ParseState& s) {
  std::vector<std::pair<int, std::string>> ordered;
  for (const auto& [name, line] : s.section_lines) ordered.emplace_back(line, name);
  std::sort(ordered.begin(), ordered.end());
  for (const auto& [line, name] : ordered) {
    if (name == "DEFAULT" || name == "logger" || name == "io") continue;
    auto valid_name = [&](const std::string& what, const std::string& n) {
      if (n.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                              "0123456789_-.") == std::string::npos) {
        return true;
      }
      s.fail(line, what + " name '" + n + "' may use only letters, digits, '_', '-', '.'");
      return false;
    };
    if (name == "http_server") {
      s.config.http_server.emplace();
    } else if (name == "admin") {
      s.config.admin.emplace();
    } else if (name == "group_replication") {
      s.config.group_replication.emplace();
    } else if (name.starts_with(kStorageNodePrefix) && name.size() > kStorageNodePrefix.size()) {
      StorageNodeConfig node;
      node.name = name.substr(kStorageNodePrefix.size());
      if (!valid_name("storage node", node.name)) continue;
      s.node_index.emplace(name, s.config.storage_nodes.size());
      s.config.storage_nodes.push_back(std::move(node));
    } else if (name.starts_with(kRoutingPrefix) && name.size() > kRoutingPrefix.size()) {
      const std::string route_name = name.substr(kRoutingPrefix.size());
      if (!valid_name("route", route_name)) continue;
      RouteConfig route;
      route.name = route_name;
      s.route_index.emplace(name, s.config.routes.size());
      s.config.routes.push_back(std::move(route));
    } else if (name == "routing" || name == "routing:") {
      s.fail(line, "section [" + name + "] needs a route name, as in [routing:primary]");
    } else {
      s.fail(line, "unknown section [" + name + "]");
    }
  }
}

// MySQL Router's rules for access_mode = auto, in its words.
std::optional<std::string> check_access_mode(const RouteConfig& route) {
  if (!route.access_mode_auto) return std::nullopt;
  if (!route.group) return "'access_mode=auto' requires 'destinations=metadata-cache:...'";
  if (route.group->role != routing::ServerRole::kPrimaryAndSecondary) {
    return "'access_mode=auto' requires that the 'role' in 'destinations=metadata-cache:...?role=...' "
           "is 'PRIMARY_AND_SECONDARY'";
  }
  const auto client = route.session.client_mode();
  if (client == routing::ClientSslMode::kPassthrough) {
    return "'access_mode=auto' is not supported with 'client_ssl_mode=PASSTHROUGH'";
  }
  if (client == routing::ClientSslMode::kPreferred &&
      route.session.server_mode() == routing::ServerSslMode::kAsClient) {
    return "'access_mode=auto' is not supported with 'client_ssl_mode=PREFERRED' and "
           "'server_ssl_mode=AS_CLIENT'";
  }
  return std::nullopt;
}

void validate_routes(ParseState& s) {
  std::map<std::pair<std::string, std::uint16_t>, std::string> bound;
  for (const auto& [section, index] : s.route_index) {
    const RouteConfig& route = s.config.routes[index];
    const int line = s.section_lines.at(section);
    auto key_line = [&](const char* key) {
      auto it = s.seen.find({section, key});
      return it != s.seen.end() ? it->second : line;
    };
    if (!s.routes_with_port.contains(section)) {
      s.fail(line, "section [" + section + "] needs option 'bind_port'");
    } else if (!s.routes_with_destinations.contains(section)) {
      s.fail(line, "section [" + section + "] needs option 'destinations'");
    } else if (route.group && !s.config.group_replication) {
      s.fail(key_line("destinations"), "metadata-cache destinations in [" + section +
                                           "] need a [group_replication] section");
    } else if (route.group && route.group->role == routing::ServerRole::kPrimary &&
               route.strategy != routing::RoutingStrategy::kFirstAvailable &&
               route.strategy != routing::RoutingStrategy::kRoundRobin) {
      s.fail(key_line("routing_strategy"),
             "routing_strategy " + std::string(routing::to_string(route.strategy)) + " in [" +
                 section + "] does not apply to role=PRIMARY; use first-available");
    } else if (!route.group &&
               route.strategy == routing::RoutingStrategy::kRoundRobinWithFallback) {
      s.fail(key_line("routing_strategy"), "routing_strategy round-robin-with-fallback in [" + section +
                       "] needs metadata-cache destinations; for a static list use "
                       "first-available, next-available or round-robin");
    }
    if (auto broken = check_access_mode(route)) {
      s.fail(key_line("access_mode"), "[" + section + "]: " + *broken);
    } else if (route.consistency && !route.session.terminated()) {
      s.fail(key_line("consistency"),
             "consistency in [" + section + "] needs a terminated route (client_ssl_mode "
             "DISABLED, PREFERRED or REQUIRED): a relayed session's statements are not seen");
    } else if (route.consistency && !route.group) {
      s.fail(key_line("consistency"),
             "consistency in [" + section + "] needs a group route (destinations = "
             "metadata-cache://GROUP/?role=...): a static list of servers has no group to be "
             "consistent with");
    }
    if (auto broken = routing::check_session_config(route.session)) {
      s.fail(s.seen.contains({section, "client_ssl_mode"}) ? key_line("client_ssl_mode") : line,
             "[" + section + "]: " + *broken);
    }
    auto [it, inserted] = bound.emplace(std::pair(route.bind_address, route.bind_port), section);
    if (!inserted) {
      s.fail(key_line("bind_port"), "section [" + section + "] binds " + route.bind_address + ":" +
                       std::to_string(route.bind_port) + " like [" + it->second + "]");
    }
  }
  if (s.config.http_server) {
    for (const auto& [section, index] : s.route_index) {
      const RouteConfig& route = s.config.routes[index];
      if (route.bind_port == s.config.http_server->port &&
          route.bind_address == s.config.http_server->bind_address) {
        s.fail(s.section_lines.at("http_server"),
               "[http_server] port " + std::to_string(route.bind_port) + " is used by [" +
                   section + "]");
      }
    }
  }
}

void validate_group(ParseState& s) {
  if (!s.config.group_replication) {
    if (!s.config.storage_nodes.empty()) {
      s.fail(s.section_lines.at("storage_node:" + s.config.storage_nodes[0].name),
             "[storage_node:...] sections need a [group_replication] section");
    }
    return;
  }
  const int line = s.section_lines.at("group_replication");
  std::vector<std::string> given;
  for (const auto& [where, key_line] : s.seen) {
    if (where.first == "group_replication") given.push_back(where.second);
  }
  if (auto missing = missing_group_options(given); !missing.empty()) {
    s.fail(line, "section [group_replication] needs option '" + missing.front() + "'");
    return;
  }
  if (s.config.storage_nodes.empty()) {
    s.fail(line, "[group_replication] needs at least one [storage_node:NAME] section");
    return;
  }
  if (s.config.storage_nodes.size() > kMaxGroupMembers) {
    const auto& tenth = s.config.storage_nodes[kMaxGroupMembers];
    s.fail(s.section_lines.at("storage_node:" + tenth.name),
           "a group has at most " + std::to_string(kMaxGroupMembers) + " members; [storage_node:" +
               tenth.name + "] is one too many");
    return;
  }
  std::map<std::string, std::string> addresses;
  for (const auto& node : s.config.storage_nodes) {
    const std::string section = "storage_node:" + node.name;
    if (!s.seen.contains({section, "address"})) {
      s.fail(s.section_lines.at(section), "section [" + section + "] needs option 'address'");
      return;
    }
    auto [it, inserted] = addresses.emplace(node.address.to_string(), node.name);
    if (!inserted) {
      s.fail(s.seen.at({section, "address"}), "[" + section + "] has the address of [storage_node:" +
                                                 it->second + "]: " + it->first);
      return;
    }
  }
}

// [admin] answers about the group, with its own account or the group's cluster_user, on a port
// of its own.
void validate_admin(ParseState& s) {
  if (!s.config.admin || !s.error.empty()) return;
  const AdminConfig& admin = *s.config.admin;
  const int line = s.section_lines.at("admin");
  if (!s.config.group_replication) {
    s.fail(line, "[admin] needs a [group_replication] section: the admin port answers about the group");
    return;
  }
  if (s.seen.contains({"admin", "user"}) != s.seen.contains({"admin", "password_file"})) {
    s.fail(line, "[admin] needs 'user' and 'password_file' together (or neither, for "
                 "[group_replication] cluster_user)");
    return;
  }
  const bool any_address = admin.bind_address == "0.0.0.0" || admin.bind_address == "::";
  for (const auto& route : s.config.routes) {
    if (route.bind_port == admin.bind_port &&
        (route.bind_address == admin.bind_address || any_address ||
         route.bind_address == "0.0.0.0" || route.bind_address == "::")) {
      s.fail(line, "[admin] port " + std::to_string(admin.bind_port) + " is used by [routing:" +
                       route.name + "]");
      return;
    }
  }
  if (s.config.http_server && s.config.http_server->port == admin.bind_port) {
    s.fail(line, "[admin] port " + std::to_string(admin.bind_port) + " is used by [http_server]");
  }
}

}  // namespace

std::expected<Config, std::string> parse_config(std::string_view text, const std::string& label) {
  // First pass: find the sections (and their lines) so that keys can be checked against them.
  ParseState scan;
  scan.text = text;
  scan.label = label;
  char buffer[4096];
  while (read_line(buffer, sizeof(buffer), &scan) != nullptr) {
  }
  if (!scan.error.empty()) return std::unexpected(scan.error);

  ParseState s;
  s.text = text;
  s.label = label;
  s.section_lines = scan.section_lines;
  declare_sections(s);
  if (!s.error.empty()) return std::unexpected(s.error);
  s.section_lines.clear();  // the reader records them again
  int rc = ini_parse_stream(read_line, &s, on_key, &s);
  if (!s.error.empty()) return std::unexpected(s.error);
  if (rc != 0) return std::unexpected(label + ":" + std::to_string(rc) + ": syntax error (expected 'key = value' or '[section]')");
  if (s.config.routes.empty()) {
    return std::unexpected(label + ":1: no [routing:NAME] section: nothing to route");
  }
  validate_routes(s);
  validate_group(s);
  validate_admin(s);
  if (!s.error.empty()) return std::unexpected(s.error);
  // A route's sessions start at the group's level: a route that follows the group takes it from
  // each published view (it may change at run time); the others from the file.
  if (s.config.group_replication) {
    for (auto& route : s.config.routes) {
      if (!route.consistency && !route.group) {
        route.consistency = routing::parse_consistency(to_string(s.config.group_replication->consistency));
      }
    }
  }
  if (s.config.admin && s.config.admin->user.empty()) {  // the group's account by default
    s.config.admin->user = s.config.group_replication->cluster_user;
    s.config.admin->password = s.config.group_replication->cluster_password;
  }
  return std::move(s.config);
}

std::expected<Config, std::string> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(path + ":0: cannot read the configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace grouter
