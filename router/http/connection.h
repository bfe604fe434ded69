// One accepted HTTP client connection: reads bytes into a RequestParser, calls the handler for each
// request in order, and writes the responses with uv_write. Each request read takes a place in a
// queue of pending answers (at most Limits::max_pending_requests); an answer is written once every
// answer before it is, so a handler may answer later without reordering a pipeline. Closes on
// "Connection: close", errors (400/405/413 first), idleness and the owner's request; after a final
// response it shuts down its side and drains the client for a short while, so the client reads the
// answer instead of a reset. Closing drops the pending answers: their Responders then do nothing.
// A streamed answer (responder.h) is the last one: after its head the connection writes what the
// stream sends, reads only to see the client go (discarding what it sends, up to
// max_drain_bytes), and closes when the client goes, the stream closes, or a write makes no
// progress for idle_timeout_ms.
//
// Lifetime: owns a uv_tcp_t and a uv_timer_t, so it is neither copied nor moved. States go
// idle -> open -> (draining) -> closing -> closed. When both handles' close callbacks have run it
// calls owner.connection_closed(*this) as the very last thing it does, and only then may the owner
// free it. Loop thread only.
#pragma once

#include <uv.h>

#include <array>
#include <cstddef>
#include <deque>
#include <expected>
#include <memory>
#include <string>
#include <system_error>

#include "base/logging.h"
#include "router/http/http_types.h"
#include "router/http/request_parser.h"
#include "router/http/responder.h"

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
  const AsyncHandler* handler = nullptr;
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
  struct PendingAnswer;  // a ResponseSlot: one request's place in the answer queue
  struct OpenStream;     // a ResponseStream: a streamed answer's body

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_timer(uv_timer_t* timer);
  static void on_handle_closed(uv_handle_t* handle);

  std::error_code open(uv_stream_t* listener);
  void received(std::string_view bytes);
  void process_input();
  void reject(std::error_code parse_error);
  void dispatch(const Request& request, bool keep_alive);
  std::shared_ptr<PendingAnswer> enqueue(const Request* request, bool keep_alive);
  void call_handler(const Request& request, Responder responder);
  void answer_ready();  // a pending answer was filled: write what is next in order
  [[nodiscard]] bool accepting_requests() const;
  void update_reading();  // pause or resume reading as accepting_requests() says
  void send(std::string bytes);
  void start_stream(const PendingAnswer& answer);  // its head is next in order: write it
  void send_stream(std::string_view bytes);
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
  std::deque<std::shared_ptr<PendingAnswer>> pending_;  // request order; the only owner of each
  bool final_queued_ = false;  // a request that ends the connection is queued: parse no further
  std::shared_ptr<OpenStream> stream_;  // the streamed answer being written, once its head is
  bool processing_ = false;    // inside process_input(): it re-checks reading itself
  std::array<char, 16 * 1024> read_buffer_{};
  std::size_t pending_write_bytes_ = 0;
  std::size_t drained_bytes_ = 0;
  bool reading_paused_ = false;
  bool shutdown_done_ = false;
  bool peer_eof_ = false;
};

}  // namespace grouter::http
