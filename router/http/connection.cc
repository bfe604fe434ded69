// Connection: the read -> parse -> handle -> write cycle of one client, and its orderly close.
#include "router/http/connection.h"

#include <cassert>
#include <exception>
#include <memory>
#include <utility>

#include "router/http/http_error.h"
#include "router/http/response_writer.h"
#include "router/http/uv_error.h"

namespace grouter::http {

namespace {

bool is_served_method(const std::string& method) {
  return method == "GET" || method == "POST" || method == "HEAD";
}

Response method_not_allowed() {
  Response response = error_response(405);
  response.headers.emplace_back("Allow", "GET, HEAD, POST");
  return response;
}

}  // namespace

Connection::Connection(const ConnectionContext& context, ConnectionOwner& owner)
    : context_(context), owner_(owner), parser_(context.limits->max_request_bytes) {}

Connection::~Connection() { assert(state_ == State::kIdle || state_ == State::kClosed); }

std::error_code Connection::open(uv_stream_t* listener) {
  assert(state_ == State::kIdle);
  // Neither init can fail for a TCP handle without flags or for a timer.
  [[maybe_unused]] int rc = uv_timer_init(context_.loop, &timer_);
  assert(rc == 0);
  rc = uv_tcp_init(context_.loop, &tcp_);
  assert(rc == 0);
  timer_.data = this;
  tcp_.data = this;
  shutdown_req_.data = this;
  state_ = State::kOpen;
  if (int status = uv_accept(listener, stream()); status < 0) {
    close();
    return uv_error(status);
  }
  uv_tcp_nodelay(&tcp_, 1);
  return {};
}

std::expected<void, std::error_code> Connection::accept(uv_stream_t* listener) {
  if (std::error_code ec = open(listener)) return std::unexpected(ec);
  if (int status = uv_read_start(stream(), &on_alloc, &on_read); status < 0) {
    close();
    return std::unexpected(uv_error(status));
  }
  uv_timer_start(&timer_, &on_timer, context_.limits->idle_timeout_ms, 0);
  return {};
}

void Connection::accept_and_reject(uv_stream_t* listener, const Response& response) {
  if (open(listener)) return;
  reading_paused_ = true;  // never read a request; finish() starts reading only to drain
  send(serialize_response(response, Framing{.head_request = false, .keep_alive = false}));
  if (state_ == State::kOpen) finish();
}

void Connection::close() {
  if (state_ != State::kOpen && state_ != State::kDraining) return;
  state_ = State::kClosing;
  pending_closes_ = 2;
  // Closing the TCP handle cancels its pending writes and shutdown; their callbacks run before ours.
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &on_handle_closed);
}

void Connection::on_handle_closed(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  if (--self->pending_closes_ > 0) return;
  self->state_ = State::kClosed;
  ConnectionOwner& owner = self->owner_;
  owner.connection_closed(*self);  // may free *self: nothing may follow
}

void Connection::on_alloc(uv_handle_t* handle, std::size_t /*suggested*/, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->read_buffer_.data(), static_cast<unsigned>(self->read_buffer_.size()));
}

void Connection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (nread > 0) {
    self->received(std::string_view(buf->base, static_cast<std::size_t>(nread)));
    return;
  }
  if (nread == 0) return;  // EAGAIN
  if (nread != UV_EOF) {
    self->context_.logger->debug("http: read failed: {}", uv_strerror(static_cast<int>(nread)));
    self->close();
    return;
  }
  self->peer_eof_ = true;  // libuv has stopped reading
  if (self->state_ == State::kOpen) {
    self->finish();  // every complete request is answered already; a partial one is dropped
  } else if (self->state_ == State::kDraining && self->shutdown_done_) {
    self->close();
  }
}

void Connection::received(std::string_view bytes) {
  if (state_ == State::kDraining) {
    drained_bytes_ += bytes.size();
    if (drained_bytes_ > context_.limits->max_drain_bytes) close();
    return;
  }
  if (state_ != State::kOpen) return;
  uv_timer_start(&timer_, &on_timer, context_.limits->idle_timeout_ms, 0);
  input_.append(bytes);
  process_input();
}

void Connection::process_input() {
  std::size_t offset = 0;
  while (state_ == State::kOpen && !reading_paused_ && offset < input_.size()) {
    auto step = parser_.parse(std::string_view(input_).substr(offset));
    if (!step) {
      const int status = status_for_request_error(step.error());
      context_.logger->debug("http: bad request ({}), answering {}", step.error().message(), status);
      input_.clear();
      const Response response = status == 405 ? method_not_allowed() : error_response(status);
      send(serialize_response(response, Framing{.head_request = false, .keep_alive = false}));
      if (state_ == State::kOpen) finish();
      return;
    }
    offset += step->consumed;
    if (!step->request) break;  // the parser holds a partial request; wait for more bytes
    answer(*step->request, step->keep_alive);
  }
  input_.erase(0, offset);
}

void Connection::answer(const Request& request, bool keep_alive) {
  const Response response = is_served_method(request.method) ? call_handler(request) : method_not_allowed();
  send(serialize_response(response, Framing{.head_request = request.method == "HEAD", .keep_alive = keep_alive}));
  if (state_ != State::kOpen) return;
  if (!keep_alive) {
    finish();
  } else if (pending_write_bytes_ > context_.limits->max_pending_write_bytes) {
    pause_reading();  // the client is not reading its answers; stop taking requests from it
  }
}

Response Connection::call_handler(const Request& request) {
  try {
    return (*context_.handler)(request);
  } catch (const std::exception& e) {
    context_.logger->error("http: handler for {} {} threw: {}", request.method, request.path, e.what());
  } catch (...) {
    context_.logger->error("http: handler for {} {} threw", request.method, request.path);
  }
  return error_response(500);
}

void Connection::send(std::string bytes) {
  auto write = std::make_unique<WriteRequest>();
  write->bytes = std::move(bytes);
  write->connection = this;
  write->req.data = write.get();
  const uv_buf_t buf = uv_buf_init(write->bytes.data(), static_cast<unsigned>(write->bytes.size()));
  if (int status = uv_write(&write->req, stream(), &buf, 1, &on_write); status < 0) {
    context_.logger->debug("http: write failed: {}", uv_strerror(status));
    close();
    return;
  }
  pending_write_bytes_ += write->bytes.size();
  write.release();  // libuv holds it until on_write, which takes it back
}

void Connection::on_write(uv_write_t* req, int status) {
  std::unique_ptr<WriteRequest> write(static_cast<WriteRequest*>(req->data));
  Connection& self = *write->connection;
  self.pending_write_bytes_ -= write->bytes.size();
  if (status < 0) {
    if (status != UV_ECANCELED) self.context_.logger->debug("http: write failed: {}", uv_strerror(status));
    self.close();
    return;
  }
  if (self.state_ != State::kOpen) return;
  uv_timer_start(&self.timer_, &on_timer, self.context_.limits->idle_timeout_ms, 0);
  if (self.reading_paused_ && self.pending_write_bytes_ <= self.context_.limits->max_pending_write_bytes) {
    self.resume_reading();
  }
}

void Connection::finish() {
  assert(state_ == State::kOpen);
  state_ = State::kDraining;
  input_.clear();
  uv_timer_start(&timer_, &on_timer, context_.limits->linger_timeout_ms, 0);
  // The shutdown waits for the queued responses, then sends FIN. Reading on (and discarding) keeps the
  // kernel from answering the client's unread bytes with a reset that could destroy the response.
  if (int status = uv_shutdown(&shutdown_req_, stream(), &on_shutdown); status < 0) {
    close();
    return;
  }
  if (!peer_eof_ && reading_paused_) {
    reading_paused_ = false;
    if (uv_read_start(stream(), &on_alloc, &on_read) < 0) close();
  }
}

void Connection::on_shutdown(uv_shutdown_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  if (status == UV_ECANCELED) return;  // closing already
  self->shutdown_done_ = true;
  if (status < 0 || self->peer_eof_) self->close();
}

void Connection::on_timer(uv_timer_t* timer) {
  auto* self = static_cast<Connection*>(timer->data);
  self->context_.logger->debug("http: connection {}; closing",
                               self->state_ == State::kOpen ? "idle" : "did not close after the final response");
  self->close();
}

void Connection::pause_reading() {
  reading_paused_ = true;
  uv_read_stop(stream());
}

void Connection::resume_reading() {
  reading_paused_ = false;
  if (int status = uv_read_start(stream(), &on_alloc, &on_read); status < 0) {
    close();
    return;
  }
  process_input();  // requests that arrived before the pause
}

}  // namespace grouter::http
