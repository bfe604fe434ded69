// Probe results to NodeFacts.
#include "metadata/node_facts.h"

#include <charconv>
#include <map>

#include "metadata/member.h"

namespace grouter::metadata {
namespace {

using Row = std::vector<std::optional<std::string>>;

// Name/value rows of SHOW VARIABLES / SHOW STATUS, names lower-cased.
std::map<std::string, std::string> name_values(const sql::ResultSet& result) {
  std::map<std::string, std::string> values;
  for (const Row& row : result.rows) {
    if (row.size() < 2 || !row[0]) continue;
    std::string name = *row[0];
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    values[name] = row[1].value_or("");
  }
  return values;
}

bool is_on(const std::string& value) {
  return value == "ON" || value == "1";
}

template <typename T>
bool to_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::string column(const sql::ResultSet& result, const Row& row, std::string_view name) {
  auto index = result.column_index(name);
  if (!index || *index >= row.size() || !row[*index]) return "";
  return *row[*index];
}

std::expected<ReplicaFacts, std::string> parse_replica(const sql::ResultSet& result) {
  const Row& row = result.rows.front();
  ReplicaFacts r;
  r.source_host = column(result, row, "Master_Host");
  if (!to_number(column(result, row, "Master_Port"), r.source_port)) {
    return std::unexpected("SHOW SLAVE STATUS: no Master_Port");
  }
  r.io_running = column(result, row, "Slave_IO_Running");
  r.sql_running = column(result, row, "Slave_SQL_Running") == "Yes";
  r.using_gtid = column(result, row, "Using_Gtid") != "No";
  auto received = parse_gtid_position(column(result, row, "Gtid_IO_Pos"));
  if (!received) return std::unexpected("SHOW SLAVE STATUS: malformed Gtid_IO_Pos");
  r.received = std::move(*received);
  (void)to_number(column(result, row, "Last_IO_Errno"), r.last_io_errno);
  r.last_io_error = column(result, row, "Last_IO_Error");
  (void)to_number(column(result, row, "Last_SQL_Errno"), r.last_sql_errno);
  r.last_sql_error = column(result, row, "Last_SQL_Error");
  uint64_t behind = 0;
  if (to_number(column(result, row, "Seconds_Behind_Master"), behind)) r.seconds_behind = behind;
  return r;
}

}  // namespace

bool NodeFacts::replicating() const {
  // The receiver passes through Connecting and Preparing on its way to Yes.
  return replica && replica->sql_running && replica->io_running != "No" &&
         !replica->io_running.empty();
}

bool NodeFacts::may_keep_unseen_relay_log() const {
  return replica && replica->received.empty() && replica->io_running == "No" &&
         (!replica->sql_running || !replica->using_gtid);
}

bool NodeFacts::semi_sync_master_guarded() const {
  return semi_sync_wait_point == "AFTER_SYNC" && semi_sync_wait_no_slave &&
         semi_sync_master_timeout_ms >= kSemiSyncMasterTimeoutMs;
}

std::expected<NodeFacts, std::string> parse_probe(const sql::ResultSet& variables,
                                                  const sql::ResultSet& status,
                                                  const sql::ResultSet& replica) {
  const auto vars = name_values(variables);
  auto get = [&](const char* name) -> const std::string* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : &it->second;
  };
  NodeFacts facts;
  for (const char* required : {"version", "server_id", "read_only", "gtid_binlog_pos",
                               "gtid_slave_pos", "gtid_current_pos", "log_bin", "binlog_format"}) {
    if (get(required) == nullptr) {
      return std::unexpected(std::string("the server has no variable ") + required +
                             " (not a MariaDB server with GTIDs?)");
    }
  }
  facts.version = *get("version");
  if (!to_number(*get("server_id"), facts.server_id)) return std::unexpected("malformed server_id");
  facts.read_only = is_on(*get("read_only"));
  struct PositionField {
    const char* name;
    GtidPosition* out;
  };
  for (auto [name, out] : {PositionField{"gtid_binlog_pos", &facts.binlog_pos},
                           PositionField{"gtid_slave_pos", &facts.slave_pos},
                           PositionField{"gtid_current_pos", &facts.current_pos}}) {
    auto position = parse_gtid_position(*get(name));
    if (!position) return std::unexpected(std::string("malformed ") + name + ": " + *get(name));
    *out = std::move(*position);
  }
  facts.log_bin = is_on(*get("log_bin"));
  facts.log_slave_updates = get("log_slave_updates") != nullptr && is_on(*get("log_slave_updates"));
  facts.binlog_format = *get("binlog_format");
  facts.gtid_strict_mode = get("gtid_strict_mode") != nullptr && is_on(*get("gtid_strict_mode"));
  facts.relay_log_recovery =
      get("relay_log_recovery") != nullptr && is_on(*get("relay_log_recovery"));
  facts.semi_sync_present = get("rpl_semi_sync_master_enabled") != nullptr &&
                            get("rpl_semi_sync_slave_enabled") != nullptr;
  if (facts.semi_sync_present) {
    facts.semi_sync_master_enabled = is_on(*get("rpl_semi_sync_master_enabled"));
    facts.semi_sync_slave_enabled = is_on(*get("rpl_semi_sync_slave_enabled"));
    if (const auto* point = get("rpl_semi_sync_master_wait_point"))
      facts.semi_sync_wait_point = *point;
    if (const auto* no_slave = get("rpl_semi_sync_master_wait_no_slave"))
      facts.semi_sync_wait_no_slave = is_on(*no_slave);
    if (const auto* timeout = get("rpl_semi_sync_master_timeout"))
      (void)to_number(*timeout, facts.semi_sync_master_timeout_ms);
  }
  const auto stat = name_values(status);
  if (auto it = stat.find("rpl_semi_sync_master_status"); it != stat.end()) {
    facts.semi_sync_master_active = is_on(it->second);
  }
  if (auto it = stat.find("rpl_semi_sync_master_clients"); it != stat.end()) {
    (void)to_number(it->second, facts.semi_sync_master_clients);
  }
  if (auto it = stat.find("rpl_semi_sync_master_no_tx"); it != stat.end()) {
    (void)to_number(it->second, facts.semi_sync_master_no_tx);
  }
  if (!replica.rows.empty()) {
    auto r = parse_replica(replica);
    if (!r) return std::unexpected(r.error());
    facts.replica = std::move(*r);
  }
  return facts;
}

std::set<std::string> parse_global_privileges(const sql::ResultSet& grants) {
  constexpr std::string_view kGrant = "GRANT ";
  constexpr std::string_view kGlobal = " ON *.* TO ";
  std::set<std::string> privileges;
  for (const Row& row : grants.rows) {
    if (row.empty() || !row[0]) continue;
    const std::string_view line = *row[0];
    const size_t on = line.find(kGlobal);
    if (!line.starts_with(kGrant) || on == std::string_view::npos) continue;
    std::string_view list = line.substr(kGrant.size(), on - kGrant.size());
    while (!list.empty()) {
      const size_t comma = list.find(", ");
      privileges.emplace(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 2);
    }
  }
  return privileges;
}

std::vector<std::string> missing_privileges(const std::set<std::string>& privileges,
                                            std::string_view version) {
  std::vector<std::string> missing;
  if (privileges.contains("ALL PRIVILEGES")) return missing;
  // SUPER stopped implying READ_ONLY ADMIN in MariaDB 10.11.0.
  const auto v = parse_version(version);
  const bool super_sets_read_only =
      v && v->known && (v->major < 10 || (v->major == 10 && v->minor < 11));
  struct Need {
    const char* name;
    bool super_implies;
  };
  const Need needed[] = {{"RELOAD", false},
                         {"PROCESS", false},
                         {"SLAVE MONITOR", true},
                         {"REPLICATION SLAVE ADMIN", true},
                         {"REPLICATION MASTER ADMIN", true},
                         {"READ_ONLY ADMIN", super_sets_read_only},
                         {"CONNECTION ADMIN", true}};
  const bool super = privileges.contains("SUPER");
  for (const Need& need : needed) {
    if (!privileges.contains(need.name) && !(super && need.super_implies))
      missing.emplace_back(need.name);
  }
  return missing;
}

std::optional<std::string> unmet_requirement(const NodeFacts& facts) {
  if (!facts.log_bin) return "the binary log is off (log_bin)";
  if (!facts.log_slave_updates) return "log_slave_updates is OFF";
  if (facts.binlog_format != "ROW") return "binlog_format is " + facts.binlog_format + ", not ROW";
  if (!facts.gtid_strict_mode) return "gtid_strict_mode is OFF";
  if (facts.relay_log_recovery) {
    return "relay_log_recovery is ON (it deletes the relay log at start, which may hold the only "
           "copy of acknowledged transactions)";
  }
  if (!facts.semi_sync_present) return "semi-synchronous replication is not available";
  if (facts.global_privileges) {
    const auto missing = missing_privileges(*facts.global_privileges, facts.version);
    if (!missing.empty()) {
      std::string list;
      for (const std::string& name : missing) list += (list.empty() ? "" : ", ") + name;
      return "cluster_user lacks the global privilege(s) " + list + " (GRANT them ON *.*)";
    }
  }
  return std::nullopt;
}

}  // namespace grouter::metadata
