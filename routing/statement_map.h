// The prepared statements of a read/write-splitting session, by the ids its client knows, and
// their ids on the primary leg's current server connection. The client's ids stay the same when
// the session moves to a new primary: the statements are prepared again there (their SQL is kept)
// and every COM_STMT_* command is rewritten to the new id. A statement the client knows under the
// id its first server gave it keeps that id (no rewriting while the session stays where it is).
//
// Also keeps each statement's parameter types from its last COM_STMT_EXECUTE that bound them: a
// server that prepared the statement again has not seen them, and the client's next execute may
// not send them (new-params-bound flag 0), so grouter puts them in.
//
// Bounds: kMaxStatements statements and kMaxSqlBytes of kept SQL; past them the map is
// overflowed(), and the session cannot move (its statements would be lost). Pure value; one per
// session, on its loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "routing/statement_table.h"

namespace grouter::routing {

class StatementMap {
 public:
  // As many as one server connection may hold (the exchange tracker refuses more prepares).
  static constexpr std::size_t kMaxStatements = StatementTable::kMaxStatements;
  static constexpr std::size_t kMaxSqlBytes = 1024 * 1024;
  static constexpr std::uint32_t kLastPrepared = 0xffffffff;  // MariaDB: the last prepared

  // The primary answered a client's COM_STMT_PREPARE of SQL with SERVER_ID and PARAMS parameters:
  // returns the id the client is to see.
  std::uint32_t on_prepared(std::uint32_t server_id, std::uint16_t params, std::string sql);
  // Rewrites the payload of a client's COM_STMT_EXECUTE, _SEND_LONG_DATA, _RESET, _FETCH, _CLOSE or
  // MariaDB's bulk execute for the primary, in place (the id; for EXECUTE the parameter types
  // when the primary has not had them), and notes what it does to the statement (SEND_LONG_DATA:
  // data pending until the next EXECUTE or RESET; CLOSE: forgotten). The caller sends it at once.
  // Returns false, with the payload unchanged, when the types must be put in but INSERT_ALLOWED
  // is false (a payload in several frames). A payload naming an unknown statement passes as it
  // is (the server answers with its error).
  [[nodiscard]] bool to_primary(std::vector<std::uint8_t>& payload, bool insert_allowed);

  // The session moved to a new primary: every statement is to be prepared again. The SQL texts,
  // in the order of their client ids; then on_reprepared() for each, in the same order.
  std::vector<std::string> begin_reprepare();
  void on_reprepared(std::size_t index, std::uint32_t server_id);

  // The server forgot every statement (COM_RESET_CONNECTION, COM_CHANGE_USER).
  void clear();

  std::size_t size() const { return statements_.size(); }
  bool overflowed() const { return overflowed_; }
  // Some statement has long data sent and not yet executed (it lives only on the old server).
  bool long_data_pending() const;

 private:
  struct Statement {
    std::string sql;
    std::uint16_t params = 0;
    std::uint32_t server_id = 0;
    std::vector<std::uint8_t> types;  // 2 bytes per parameter, from the last binding execute
    bool server_has_types = false;
    bool long_data = false;
  };

  std::uint32_t resolve(std::uint32_t client_id) const;
  bool id_taken(std::uint32_t id) const;

  std::map<std::uint32_t, Statement> statements_;  // by client id
  std::size_t sql_bytes_ = 0;
  std::uint32_t last_prepared_ = 0;  // the client id of the last prepare
  bool overflowed_ = false;
  std::vector<std::uint32_t> reprepare_order_;
};

}  // namespace grouter::routing
