// Errors of the asynchronous SQL client (metadata/sql): what went wrong with a connect or a query,
// as a value. Kinds the storage-node monitor tells apart:
//   kRefused         the TCP connect was refused (nothing listens: the server process is gone)
//   kUnreachable     the host did not resolve or the network said no route / unreachable
//   kTimeout         connect_timeout_ms or query_timeout_ms passed; the connection is closed
//   kConnectionLost  the peer closed or reset the connection, or a read/write failed
//   kServer          the server answered ERR: code, sql_state and message are the server's
//   kProtocol        the server's bytes broke the protocol, asked for something this client does
//                    not support, or passed a bound (result size); the connection is closed
//   kCancelled       close() was called before the operation finished
//   kQueueFull       query() found max_queued_queries statements already waiting
// A query's kServer and kQueueFull leave the connection usable; every other kind (and kServer
// during authentication) closes it. Only kServer carries a server error code and SQL state; the
// other kinds have code 0 and an empty sql_state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace grouter::metadata::sql {

struct SqlError {
  enum class Kind {
    kRefused,
    kUnreachable,
    kTimeout,
    kConnectionLost,
    kServer,
    kProtocol,
    kCancelled,
    kQueueFull,
  };

  Kind kind = Kind::kProtocol;
  std::uint16_t code = 0;  // the server's error code (kServer only)
  std::string sql_state;   // the server's SQLSTATE (kServer only; empty when it sent none)
  std::string message;

  // "server error 1064 (42000): ..." and the like, for logs.
  [[nodiscard]] std::string to_string() const;
};

[[nodiscard]] std::string_view kind_name(SqlError::Kind kind);

[[nodiscard]] inline SqlError make_error(SqlError::Kind kind, std::string message) {
  return SqlError{kind, 0, {}, std::move(message)};
}

}  // namespace grouter::metadata::sql
