// One asynchronous client connection to a MySQL/MariaDB server on a libuv loop, for the
// storage-node monitor and the reconciler: connect() once, then query() statements; they run one
// at a time, in order, from a bounded queue. Callbacks run on the loop; nothing here blocks.
//
//   idle ── connect ──► connecting (a hostname is resolved first; base/tcp_client_socket.h)
//        ──► handshaking ──► ready
//   ready ⇄ querying           any failure ──► failed (socket closed, queue answered)
//   close(): every pending callback gets kCancelled ──► closing ──► closed (on_closed runs)
//
// Timeouts: connect_timeout_ms covers resolve, TCP connect and authentication; query_timeout_ms
// runs from the moment a statement is sent until its whole result arrived. Either passing gives
// kTimeout and closes the connection (the server may still be running the statement). 0 = none.
// Errors that close the connection (every kind but kServer and kQueueFull) answer the statement
// in flight with the cause and each queued statement with the same kind, message "not sent: ...".
// A connection is used once: after a failure, make a new one.
//
// Callbacks: a callback may call query() and close(). query() answers kQueueFull, and kCancelled
// after close(), before it returns.
//
// Lifetime (STYLE.md): not copied or moved; close() must be called and on_closed must have run
// before destruction. on_closed is the last thing the object does, so it may destroy the object.
// Not thread-safe: use it from its loop's thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "base/tcp_client_socket.h"
#include "metadata/sql/client_protocol.h"
#include "metadata/sql/result_set.h"
#include "metadata/sql/sql_error.h"

namespace grouter::metadata::sql {

struct ConnectOptions {
  std::string host;  // IPv4 or IPv6 literal ("::1" or "[::1]"), or a hostname (uv_getaddrinfo)
  std::uint16_t port = 3306;
  std::string user;
  std::string password;
  std::uint32_t connect_timeout_ms = 2000;
  std::uint32_t query_timeout_ms = 5000;
  std::size_t max_queued_queries = 64;              // the statement in flight not counted
  std::size_t max_result_bytes = 64 * 1024 * 1024;  // all frames of one result
};

using ConnectCallback = std::function<void(std::expected<ServerInfo, SqlError>)>;
using QueryCallback = std::function<void(std::expected<ResultSet, SqlError>)>;

class SqlConnection {
 public:
  SqlConnection(uv_loop_t* loop, Logger logger, ConnectOptions options);
  SqlConnection(const SqlConnection&) = delete;
  SqlConnection& operator=(const SqlConnection&) = delete;
  SqlConnection(SqlConnection&&) = delete;
  SqlConnection& operator=(SqlConnection&&) = delete;
  ~SqlConnection();

  // Starts connecting; ON_DONE runs once. Call at most once, before close().
  void connect(ConnectCallback on_done);
  // Queues SQL (queries may be queued before connect() finishes); ON_DONE runs once.
  void query(std::string sql, QueryCallback on_done);
  // Cancels what is pending and closes the socket; ON_CLOSED runs once, after every handle closed.
  void close(std::function<void()> on_closed);

  [[nodiscard]] bool ready() const { return state_ == State::kReady; }
  [[nodiscard]] const ConnectOptions& options() const { return options_; }

 private:
  enum class State {
    kIdle,
    kConnecting,  // resolving (hostnames) and connecting
    kHandshaking,
    kReady,
    kFailed,
    kClosing,
    kClosed,
  };

  struct PendingQuery {
    std::string sql;
    QueryCallback on_done;
  };
  struct WriteRequest {
    uv_write_t request{};
    std::vector<std::uint8_t> bytes;
    SqlConnection* owner = nullptr;
  };

  void on_tcp_connected(int status, const char* step);
  void on_read(ssize_t nread);
  void drive_protocol();
  void send_next_query();
  void flush_output();
  void on_timeout();
  void fail(SqlError error);
  void close_socket();
  void maybe_closed();
  void start_timer(std::uint32_t timeout_ms);

  uv_loop_t* const loop_;
  const Logger logger_;
  const ConnectOptions options_;
  std::string peer_;  // host:port, for messages

  State state_ = State::kIdle;
  ClientProtocol protocol_;
  TcpClientSocket socket_;
  uv_timer_t timer_{};
  bool timer_open_ = false;
  int requests_in_flight_ = 0;  // writes whose callbacks are due

  ConnectCallback on_connected_;
  std::optional<PendingQuery> in_flight_;
  std::deque<PendingQuery> queue_;
  std::function<void()> on_closed_;
  bool close_requested_ = false;
  SqlError failure_;  // why the connection failed (kFailed)

  std::array<char, 64 * 1024> read_buffer_{};
};

}  // namespace grouter::metadata::sql
