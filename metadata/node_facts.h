// What one probe of a storage node tells the group: identity, fencing, GTID positions, the
// requirements a member must meet (cluster_user's global privileges among them), semi-sync and
// replication state. The probe is four statements that never wait on replication or locks held by
// clients (kProbeStatements); parse_probe() and parse_global_privileges() turn their results into
// NodeFacts. Pure: no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "metadata/gtid.h"
#include "metadata/sql/result_set.h"

namespace grouter::metadata {

inline constexpr std::array<std::string_view, 4> kProbeStatements = {
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'server_id', 'read_only', "
    "'gtid_binlog_pos', 'gtid_slave_pos', 'gtid_current_pos', 'log_bin', 'log_slave_updates', "
    "'binlog_format', 'gtid_strict_mode', 'rpl_semi_sync_master_enabled', "
    "'rpl_semi_sync_slave_enabled', 'rpl_semi_sync_master_wait_point', "
    "'rpl_semi_sync_master_wait_no_slave', 'rpl_semi_sync_master_timeout', "
    "'relay_log_recovery')",
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_status', "
    "'Rpl_semi_sync_master_clients', 'Rpl_semi_sync_master_no_tx')",
    "SHOW SLAVE STATUS",
    // The probing account's grants, its active roles' included.
    "SHOW GRANTS",
};

// The node's replication from its source, from SHOW SLAVE STATUS (absent when nothing is
// configured).
struct ReplicaFacts {
  std::string source_host;
  uint16_t source_port = 0;
  std::string io_running;  // "Yes", "No", "Connecting" or "Preparing"
  bool sql_running = false;
  // Using_Gtid is not No: No while a relay log kept across a restart is applied in file mode.
  bool using_gtid = true;
  GtidPosition received;  // Gtid_IO_Pos
  uint32_t last_io_errno = 0;
  std::string last_io_error;
  uint32_t last_sql_errno = 0;
  std::string last_sql_error;
  std::optional<uint64_t> seconds_behind;

  bool io_yes() const { return io_running == "Yes"; }
};

// What grouter sets on a primary so that it never falls back to asynchronous replication: a commit
// waits for a replica's acknowledgement (AFTER_SYNC) even with no replica connected, for up to
// 4294967295 ms (49.7 days) of rpl_semi_sync_master_timeout.
inline constexpr uint64_t kSemiSyncMasterTimeoutMs = 4294967295;

struct NodeFacts {
  std::string version;
  uint32_t server_id = 0;
  bool read_only = false;
  GtidPosition binlog_pos;   // what its binary log holds
  GtidPosition slave_pos;    // what replication applied
  GtidPosition current_pos;  // what it executed (binlog or replication, newest per domain)
  bool log_bin = false;
  bool log_slave_updates = false;
  std::string binlog_format;
  bool gtid_strict_mode = false;
  // ON deletes the relay log at start: it may hold the only copy of acknowledged transactions.
  bool relay_log_recovery = false;
  bool semi_sync_present = false;  // the rpl_semi_sync_* variables exist
  bool semi_sync_master_enabled = false;
  bool semi_sync_slave_enabled = false;
  std::string semi_sync_wait_point;
  bool semi_sync_wait_no_slave = false;
  uint64_t semi_sync_master_timeout_ms = 0;
  bool semi_sync_master_active = false;  // Rpl_semi_sync_master_status: ON unless it fell back
  uint32_t semi_sync_master_clients = 0;
  uint64_t semi_sync_master_no_tx = 0;  // commits acknowledged without a replica's acknowledgement
  std::optional<ReplicaFacts> replica;
  // cluster_user's privileges ON *.* ("ALL PRIVILEGES" as such); nullopt: not probed.
  std::optional<std::set<std::string>> global_privileges;

  // Replication is configured and both threads run (the receiver possibly still connecting).
  bool replicating() const;
  // A replica that restarted and was not started again (both threads stopped, Gtid_IO_Pos empty),
  // or whose kept relay log is being applied in file mode (Using_Gtid No: a grouter may have
  // stopped mid-way). Its relay log may hold what it received before, unseen in any position
  // (possibly the only copy on a replica of acknowledged transactions); starting replication in
  // GTID mode purges it and fetches again from the source.
  bool may_keep_unseen_relay_log() const;
  // The semi-sync master side cannot fall back to asynchronous replication: wait point
  // AFTER_SYNC, rpl_semi_sync_master_wait_no_slave ON, timeout at least kSemiSyncMasterTimeoutMs.
  bool semi_sync_master_guarded() const;
};

// Builds NodeFacts from the results of kProbeStatements, in order. The error names what is
// missing or malformed.
[[nodiscard]] std::expected<NodeFacts, std::string> parse_probe(const sql::ResultSet& variables,
                                                                const sql::ResultSet& status,
                                                                const sql::ResultSet& replica);

// The privileges ON *.* that SHOW GRANTS lists (rows "GRANT A, B ON *.* TO ..."), over all its
// rows; grants on databases, tables, roles and proxies are not global and are left out.
[[nodiscard]] std::set<std::string> parse_global_privileges(const sql::ResultSet& grants);

// The global privileges grouter's statements need that PRIVILEGES (from SHOW GRANTS) lacks on a
// server of VERSION, in the order of docs/group-replication.md; SUPER stands in for those it
// implies there (all but RELOAD, PROCESS and, from 10.11, READ_ONLY ADMIN). Empty: none missing.
[[nodiscard]] std::vector<std::string> missing_privileges(const std::set<std::string>& privileges,
                                                          std::string_view version);

// What keeps a node out of the group (GR's requirements, in MariaDB terms), or nullopt when it
// meets them all: binary log, log_slave_updates, ROW format, gtid_strict_mode,
// relay_log_recovery OFF, semi-sync, and cluster_user's privileges (when probed).
[[nodiscard]] std::optional<std::string> unmet_requirement(const NodeFacts& facts);

}  // namespace grouter::metadata
