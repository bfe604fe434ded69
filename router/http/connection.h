// One accepted HTTP client connection: reads bytes into a RequestParser, calls the handler for each
// request in order, and writes the responses with uv_write. Closes on "Connection: close", errors
// (400/405/413 first), idleness and the owner's request; after a final response it shuts down its
// side and drains the client for a short while, so the client reads the answer instead of a reset.
//
// Lifetime: owns a uv_tcp_t and a uv_timer_t, so it is neither copied nor moved. States go
// idle -> open -> (draining) -> closing -> closed. When both handles' close callbacks have run it calls
// owner.connection_closed(*this) as the very last thing it does, and only then may the owner free it.
// Loop thread only.
#pragma once

#include <uv.h>

#include <array>
#include <cstddef>
#include <expected>
#include <string>
#include <system_error>

#include "base/logging.h"
#include "router/http/http_types.h"
#include "router/http/request_parser.h"

namespace grouter::http {

class Connection;

class ConnectionOwner {
 public:
  // Called once, after the connection's handles are closed; the owner may free the connection here.
  virtual void connection_closed(Connection& connection) = 0;

 protected:
  ~ConnectionOwner() = default;
};

// What every connection of one server shares; owned by the server, which outlives its connections.
struct ConnectionContext {
  uv_loop_t* loop = nullptr;
  const Logger* logger = nullptr;
  const Handler* handler = nullptr;
  const Limits* limits = nullptr;
};

class Connection {
 public:
  Connection(const ConnectionContext& context, ConnectionOwner& owner);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepts the pending connection of `listener` and starts serving it. On error the connection is
  // already closing: the owner still waits for connection_closed().
  [[nodiscard]] std::expected<void, std::error_code> accept(uv_stream_t* listener);
  // Accepts, answers `response` with "Connection: close" and closes (the 503 of a full server).
  void accept_and_reject(uv_stream_t* listener, const Response& response);
  // Closes now; pending writes are cancelled. Safe in any state.
  void close();

 private:
  enum class State { kIdle, kOpen, kDraining, kClosing, kClosed };
  struct WriteRequest {
    uv_write_t req{};
    std::string bytes;
    Connection* connection = nullptr;
  };

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_timer(uv_timer_t* timer);
  static void on_handle_closed(uv_handle_t* handle);

  std::error_code open(uv_stream_t* listener);
  void received(std::string_view bytes);
  void process_input();
  void answer(const Request& request, bool keep_alive);
  Response call_handler(const Request& request);
  void send(std::string bytes);
  void finish();  // after the final response: shut down our side, drain the client
  void pause_reading();
  void resume_reading();
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  const ConnectionContext context_;
  ConnectionOwner& owner_;
  State state_ = State::kIdle;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_shutdown_t shutdown_req_{};
  int pending_closes_ = 0;
  RequestParser parser_;
  std::string input_;  // received, not yet parsed (only while reading is paused or mid-request)
  std::array<char, 16 * 1024> read_buffer_{};
  std::size_t pending_write_bytes_ = 0;
  std::size_t drained_bytes_ = 0;
  bool reading_paused_ = false;
  bool shutdown_done_ = false;
  bool peer_eof_ = false;
};

}  // namespace grouter::http
