// Test helpers for the SQL client: a libuv loop run until a condition holds (bounded by a
// watchdog, never by sleeps), and a connection wrapper that always closes its SqlConnection.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <uv.h>

#include "metadata/sql/sql_connection.h"

namespace grouter::metadata::sql::testing {

class TestLoop {
 public:
  TestLoop();
  TestLoop(const TestLoop&) = delete;
  TestLoop& operator=(const TestLoop&) = delete;

  uv_loop_t* get() { return &loop_; }
  // Runs the loop until DONE() holds or LIMIT passes; returns DONE().
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds limit = std::chrono::seconds(30));
  // Closes the watchdog; uv_loop_close's result (0: no live handles were left).
  int close();

 private:
  uv_loop_t loop_{};
  uv_timer_t watchdog_{};
  bool expired_ = false;
};

// Milliseconds on the loop's high-resolution clock.
double now_ms();

// A SqlConnection with blocking-style helpers for tests; closes it (running the loop) when
// destroyed.
class TestConnection {
 public:
  TestConnection(TestLoop& loop, ConnectOptions options);
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;
  ~TestConnection() { close(); }

  SqlConnection& operator*() { return *connection_; }
  SqlConnection* operator->() { return connection_.get(); }

  std::expected<ServerInfo, SqlError> connect();
  std::expected<ResultSet, SqlError> query(const std::string& sql);
  // Closes and waits for on_closed; true when it ran.
  bool close();

 private:
  TestLoop& loop_;
  std::unique_ptr<SqlConnection> connection_;
  bool closed_ = false;
};

}  // namespace grouter::metadata::sql::testing
