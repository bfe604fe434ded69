// Connection: the read -> parse -> handle -> answer queue -> write cycle of one client, and its
// orderly close.
#include "router/http/connection.h"

#include <algorithm>
#include <cassert>
#include <exception>
#include <memory>
#include <optional>
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

struct Connection::OpenStream final : ResponseStream {
  explicit OpenStream(Connection& c) : connection(&c) {}

  bool send(std::string_view bytes) override {
    if (connection == nullptr ||
        queued_bytes() + bytes.size() > connection->context_.limits->max_stream_queue_bytes) {
      return false;
    }
    if (!started) {
      backlog.append(bytes);
      return true;
    }
    connection->send_stream(bytes);
    return connection != nullptr;  // a failed write closed it
  }
  std::size_t queued_bytes() const override {
    if (connection == nullptr) return 0;
    return started ? connection->pending_write_bytes_ : backlog.size();
  }
  bool is_open() const override { return connection != nullptr; }
  void close() override {
    if (connection != nullptr) connection->close();
  }

  Connection* connection;  // null once the connection closes (it sets it)
  std::string backlog;     // sent before the head was written; bounded as the queue is
  bool started = false;    // the head is written: bytes go to the socket
};

struct Connection::PendingAnswer final : ResponseSlot {
  PendingAnswer(Connection& c, Framing f) : connection(c), framing(f) {}

  void fill(Response r) override {
    if (response) return;
    response = std::move(r);
    connection.answer_ready();
  }

  std::shared_ptr<ResponseStream> fill_stream(Response head) override {
    if (response) return nullptr;
    stream = std::make_shared<OpenStream>(connection);
    std::shared_ptr<ResponseStream> handle = stream;
    response = std::move(head);
    connection.answer_ready();
    return handle;
  }

  Connection& connection;  // owns this answer while it is queued
  const Framing framing;
  std::optional<Response> response;  // set once answered (the head of a streamed answer)
  std::shared_ptr<OpenStream> stream;  // set for a streamed answer
};

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
  for (const auto& answer : pending_) {
    if (answer->stream) answer->stream->connection = nullptr;
  }
  pending_.clear();  // their Responders now find nothing to answer
  if (stream_) stream_->connection = nullptr;  // its handler's handle now sends nothing
  stream_.reset();
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
  if (self->stream_) {
    self->close();  // the client of a stream went
  } else if (self->state_ == State::kOpen) {
    // Every complete request is read (a partial one is dropped); once the last pending answer is
    // written, answer_ready() finishes.
    if (self->pending_.empty()) self->finish();
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
  if (stream_) {  // read only to see the client go
    drained_bytes_ += bytes.size();
    if (drained_bytes_ > context_.limits->max_drain_bytes) close();
    return;
  }
  uv_timer_start(&timer_, &on_timer, context_.limits->idle_timeout_ms, 0);
  input_.append(bytes);
  process_input();
}

void Connection::process_input() {
  if (processing_) return;  // re-entered from an answer: the loop below goes on by itself
  processing_ = true;
  std::size_t offset = 0;
  while (state_ == State::kOpen && accepting_requests() && offset < input_.size()) {
    auto step = parser_.parse(std::string_view(input_).substr(offset));
    if (!step) {
      reject(step.error());
      offset = input_.size();
      break;
    }
    offset += step->consumed;
    if (!step->request) break;  // the parser holds a partial request; wait for more bytes
    dispatch(*step->request, step->keep_alive);
  }
  if (state_ == State::kOpen) input_.erase(0, offset);  // finish() and close() cleared it
  processing_ = false;
  update_reading();
}

void Connection::reject(std::error_code parse_error) {
  const int status = status_for_request_error(parse_error);
  context_.logger->debug("http: bad request ({}), answering {}", parse_error.message(), status);
  enqueue(nullptr, /*keep_alive=*/false)
      ->fill(status == 405 ? method_not_allowed() : error_response(status));
}

void Connection::dispatch(const Request& request, bool keep_alive) {
  const std::shared_ptr<PendingAnswer> pending = enqueue(&request, keep_alive);
  if (!is_served_method(request.method)) {
    pending->fill(method_not_allowed());
    return;
  }
  call_handler(request, Responder(pending));
}

std::shared_ptr<Connection::PendingAnswer> Connection::enqueue(const Request* request,
                                                               bool keep_alive) {
  const bool head = request != nullptr && request->method == "HEAD";
  auto pending = std::make_shared<PendingAnswer>(
      *this, Framing{.head_request = head, .keep_alive = keep_alive});
  pending_.push_back(pending);
  if (!keep_alive) final_queued_ = true;
  return pending;
}

void Connection::call_handler(const Request& request, Responder responder) {
  // A handler that throws drops its Responder unanswered (unless it kept a copy): that answers 500.
  try {
    (*context_.handler)(request, std::move(responder));
  } catch (const std::exception& e) {
    context_.logger->error("http: handler for {} {} threw: {}", request.method, request.path, e.what());
  } catch (...) {
    context_.logger->error("http: handler for {} {} threw", request.method, request.path);
  }
}

void Connection::answer_ready() {
  while (state_ == State::kOpen && !stream_ && !pending_.empty() && pending_.front()->response) {
    const std::shared_ptr<PendingAnswer> done = std::move(pending_.front());
    pending_.pop_front();
    if (done->stream) {
      start_stream(*done);
      continue;
    }
    send(serialize_response(*done->response, done->framing));
    if (state_ == State::kOpen && !done->framing.keep_alive) finish();
  }
  if (state_ != State::kOpen) return;
  if (stream_) {
    update_reading();
    return;
  }
  if (pending_.empty() && peer_eof_) {
    finish();  // the client ended its side and has every answer
    return;
  }
  update_reading();
}

void Connection::start_stream(const PendingAnswer& answer) {
  final_queued_ = true;  // the stream is the last answer: requests behind it stay unanswered
  input_.clear();
  send(serialize_stream_head(*answer.response));
  if (state_ != State::kOpen) return;
  if (answer.framing.head_request) {
    answer.stream->connection = nullptr;  // the head alone
    finish();
    return;
  }
  stream_ = answer.stream;
  stream_->started = true;
  if (peer_eof_) {
    close();  // the client is gone already
    return;
  }
  const std::string backlog = std::exchange(stream_->backlog, {});
  if (!backlog.empty()) send_stream(backlog);
}

void Connection::send_stream(std::string_view bytes) {
  const bool was_idle = pending_write_bytes_ == 0;
  send(std::string(bytes));
  // A stream's timer runs only while bytes wait: no progress for idle_timeout_ms closes it.
  if (state_ == State::kOpen && was_idle) {
    uv_timer_start(&timer_, &on_timer, context_.limits->idle_timeout_ms, 0);
  }
}

bool Connection::accepting_requests() const {
  const Limits& limits = *context_.limits;
  return !final_queued_ &&
         pending_.size() < std::max<std::size_t>(limits.max_pending_requests, 1) &&
         pending_write_bytes_ <= limits.max_pending_write_bytes;
}

void Connection::update_reading() {
  if (state_ != State::kOpen || peer_eof_ || processing_) return;
  if (stream_) {
    if (reading_paused_) resume_reading();  // to see the client go
    return;
  }
  if (!accepting_requests()) {
    if (!reading_paused_) pause_reading();  // the client waits for answers or does not read them
  } else if (reading_paused_) {
    resume_reading();
  }
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
  if (self.stream_ && self.pending_write_bytes_ == 0) {
    uv_timer_stop(&self.timer_);  // everything streamed is written: no deadline while idle
  } else {
    uv_timer_start(&self.timer_, &on_timer, self.context_.limits->idle_timeout_ms, 0);
  }
  self.update_reading();
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
                               self->stream_                      ? "stream made no progress"
                               : self->state_ == State::kOpen ? "idle"
                                                              : "did not close after the final response");
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
