// What a server's replies have said about its session: the status flags of the last OK or EOF (in
// a transaction, autocommit, read-only transaction), the session-state changes reported under
// CLIENT_SESSION_TRACK (schema, system variables with MariaDB's last_gtid, MySQL's GTIDs,
// transaction state and characteristics), the last OK's counts and the last ERR. The router reads
// them to keep sessions consistent (wait for a GTID elsewhere) and to decide whether a session may
// move to another server.
//
// Plain values, bounded: at most kMaxTrackedVariables variables, names and values of at most
// kMaxFactBytes. What a bound drops is not kept half: the entry is left out and `incomplete` is set
// (such a session cannot be rebuilt elsewhere from these facts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/session_track.h"

namespace grouter::routing {

struct SessionFacts {
  static constexpr std::size_t kMaxTrackedVariables = 128;
  static constexpr std::size_t kMaxFactBytes = 1024;

  std::uint16_t status_flags = 0;     // of the last OK or EOF
  std::optional<std::string> schema;  // nullopt: not known; "": none selected
  // The latest value of each system variable the server reported, in the order first seen.
  std::vector<mysql_wire::TrackedSystemVariable> system_variables;
  std::string last_gtid;                    // MariaDB: the tracked variable last_gtid
  std::string gtids;                        // MySQL: SESSION_TRACK_GTIDS
  std::string transaction_state;            // SESSION_TRACK_TRANSACTION_STATE, e.g. "T_______"
  std::string transaction_characteristics;  // e.g. "START TRANSACTION READ ONLY;"
  std::uint64_t state_changes = 0;          // SESSION_TRACK_STATE_CHANGE reports seen
  bool incomplete = false;                  // a bound dropped a reported change

  std::uint64_t affected_rows = 0;   // of the last OK
  std::uint64_t last_insert_id = 0;  // of the last OK
  std::uint16_t warnings = 0;        // of the last OK or EOF
  std::uint16_t last_error_code = 0;
  std::string last_sql_state;
  std::uint64_t errors = 0;  // ERR packets seen

  bool in_transaction() const;
  bool autocommit() const;
  bool in_read_only_transaction() const;
  // The reported value of system variable NAME, or nullptr when none was reported.
  const std::string* variable(std::string_view name) const;
};

// Records what OK says: status, counts and its session-state entries.
void apply_ok(SessionFacts& facts, const mysql_wire::OkPacket& ok);
void apply_eof(SessionFacts& facts, const mysql_wire::EofPacket& eof);
void apply_err(SessionFacts& facts, const mysql_wire::ErrPacket& err);
// Records SCHEMA as selected (COM_INIT_DB, COM_CHANGE_USER), within the bounds.
void apply_schema(SessionFacts& facts, std::string_view schema);
// Forgets what a COM_RESET_CONNECTION or COM_CHANGE_USER resets on the server: system variables
// and transaction facts. The GTIDs stay (what the session wrote is still written); the schema is
// the caller's (reset keeps it, change-user sets it).
void reset_session_state(SessionFacts& facts);

}  // namespace grouter::routing
