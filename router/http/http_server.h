// An embedded HTTP/1.1 server on libuv, for grouter's REST API and /metrics. It listens on one IPv4
// or IPv6 address and answers each request with the handler's Response: GET, POST and HEAD reach
// the handler, other methods get 405; keep-alive and pipelining work; Limits bound request size
// (413), connections (503), idleness, buffered output and unanswered requests per connection; a
// malformed request gets 400 and the connection ends. A Handler answers at once; an AsyncHandler
// answers through its Responder, possibly later (responder.h), and answers still leave in request
// order. A Responder may also answer with a stream (Server-Sent Events): the connection's last
// answer, its body sent piece by piece, bounded by Limits::max_stream_queue_bytes.
//
// Threading: construct, use and close on the loop's thread; the handler and Responders run there.
// Lifetime: owns a listening uv_tcp_t and every accepted connection, so it is neither copied nor
// moved. Once listen() has been called (even if it failed), close() must be called and its callback
// must have run before the server is destroyed.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>

#include "base/logging.h"
#include "router/http/connection.h"
#include "router/http/http_error.h"
#include "router/http/http_types.h"
#include "router/http/responder.h"

namespace grouter::http {

class HttpServer final : private ConnectionOwner {
 public:
  struct Stats {
    uint64_t accepted = 0;  // connections served
    uint64_t rejected = 0;  // answered 503: the server was full
    uint64_t dropped = 0;   // closed unanswered: the server was full and so were its 503s
  };

  HttpServer(uv_loop_t* loop, Logger logger, Handler handler, Limits limits = {});
  HttpServer(uv_loop_t* loop, Logger logger, AsyncHandler handler, Limits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds to `bind_address` (an IPv4 or IPv6 literal, IPv6 optionally in brackets) and `port` (0: any
  // free port, see port()) and starts accepting. Errors: HttpError::kInvalidBindAddress,
  // kAlreadyListening, or the system's cause (std::errc::address_in_use, permission_denied, ...).
  [[nodiscard]] std::expected<void, std::error_code> listen(const std::string& bind_address, uint16_t port);

  // Stops listening and closes every client connection (queued responses are dropped, and pending
  // Responders then do nothing). `on_closed`
  // runs once all handles are closed: on a later loop iteration, or at once if listen() was never
  // called. Call it once.
  void close(std::function<void()> on_closed);

  // The bound port, 0 when not listening.
  [[nodiscard]] uint16_t port() const;
  [[nodiscard]] std::size_t connection_count() const { return connections_.size(); }
  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  enum class State { kIdle, kOpen, kClosing, kClosed };
  struct Entry {
    std::unique_ptr<Connection> connection;
    bool rejecting = false;
  };

  static void on_connection(uv_stream_t* listener, int status);
  static void on_listener_closed(uv_handle_t* handle);
  void accept_one();
  void connection_closed(Connection& connection) override;
  void finish_close_if_done();

  uv_loop_t* const loop_;
  const Logger logger_;
  const AsyncHandler handler_;
  const Limits limits_;
  const ConnectionContext context_;
  State state_ = State::kIdle;
  bool listening_ = false;
  bool listener_closed_ = false;
  uv_tcp_t listener_{};
  std::unordered_map<const Connection*, Entry> connections_;
  std::size_t rejecting_count_ = 0;
  std::function<void()> on_closed_;
  Stats stats_;
};

}  // namespace grouter::http
