// The admin SQL port's listener on the control loop: accepts MySQL clients, runs one
// AdminProtocol per connection and writes its output with uv_write.
//
// Bounds: at most max_connections sessions (the next gets 1040 Too many connections); each
// connection's unwritten output is held under max_output_bytes, and while it is over, the session
// neither reads nor starts another command (a client that floods statements and never reads its
// results stalls itself only); a client that has not logged in after login_timeout_ms is closed.
//
// Threading: construct, use and close on the control loop's thread. Lifetime: owns a listening
// uv_tcp_t and every connection, so it is neither copied nor moved; once listen() was called,
// close() must be called and its callback must have run before it is destroyed.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/logging.h"
#include "router/admin/admin_executor.h"
#include "router/admin/admin_protocol.h"

namespace grouter::admin {

struct AdminLimits {
  std::size_t max_connections = 16;
  std::size_t max_output_bytes = 1024 * 1024;
  std::size_t max_packet_bytes = 1024 * 1024;
  std::uint64_t login_timeout_ms = 10'000;
};

class AdminConnection;

class AdminServer {
 public:
  AdminServer(uv_loop_t* loop, Logger logger, AdminExecutor& executor, AdminAccount account,
              AdminLimits limits);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds BIND_ADDRESS:PORT (0: any free port) and accepts; the error is one line.
  [[nodiscard]] std::expected<void, std::string> listen(const std::string& bind_address,
                                                        std::uint16_t port);
  void close(std::function<void()> on_closed);
  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::size_t session_count() const { return connections_.size(); }

  // For AdminConnection.
  void connection_closed(AdminConnection& connection);
  Logger& logger() { return logger_; }
  uv_loop_t* loop() const { return loop_; }
  AdminExecutor& executor() { return executor_; }
  const AdminAccount& account() const { return account_; }
  const AdminLimits& limits() const { return limits_; }

 private:
  enum class State { kIdle, kOpen, kClosing, kClosed };
  static void on_connection(uv_stream_t* listener, int status);
  void finish_close_if_done();

  uv_loop_t* const loop_;
  Logger logger_;
  AdminExecutor& executor_;
  const AdminAccount account_;
  const AdminLimits limits_;
  State state_ = State::kIdle;
  uv_tcp_t listener_{};
  bool listener_closed_ = false;
  std::uint32_t next_connection_id_ = 1;
  std::unordered_map<const AdminConnection*, std::unique_ptr<AdminConnection>> connections_;
  std::function<void()> on_closed_;
};

}  // namespace grouter::admin
