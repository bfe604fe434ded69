// The libuv side of the SQL client: resolve, TCP connect, timers, reads and writes around
// ClientProtocol.
#include "metadata/sql/sql_connection.h"

#include <cassert>
#include <span>
#include <string_view>
#include <utility>

namespace grouter::metadata::sql {
namespace {

std::string uv_message(int status) {
  return uv_strerror(status);
}

}  // namespace

SqlConnection::SqlConnection(uv_loop_t* loop, Logger logger, ConnectOptions options)
    : loop_(loop),
      logger_(std::move(logger)),
      options_(std::move(options)),
      peer_(options_.host + ":" + std::to_string(options_.port)),
      protocol_(options_.user, options_.password, options_.max_result_bytes),
      socket_(loop, this) {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  timer_open_ = true;
}

SqlConnection::~SqlConnection() {
  // close() and its callback must come first (STYLE.md, handle lifetime).
  assert(state_ == State::kClosed);
  assert(!timer_open_ && socket_.closed() && requests_in_flight_ == 0);
}

// --- connect -----------------------------------------------------------------------------------

void SqlConnection::connect(ConnectCallback on_done) {
  if (state_ != State::kIdle) {
    assert(false && "SqlConnection::connect called twice or after close()");
    on_done(std::unexpected(make_error(SqlError::Kind::kCancelled, "connect() already called")));
    return;
  }
  on_connected_ = std::move(on_done);
  start_timer(options_.connect_timeout_ms);
  state_ = State::kConnecting;
  socket_.connect(options_.host, options_.port,
                  [this](int status, const char* step) { on_tcp_connected(status, step); });
}

void SqlConnection::on_tcp_connected(int status, const char* step) {
  if (state_ != State::kConnecting) return;  // timed out or closed meanwhile
  if (status != 0) {
    const bool resolving = std::string_view(step) == "cannot resolve";
    const auto kind = status == UV_ECONNREFUSED ? SqlError::Kind::kRefused
                                                : SqlError::Kind::kUnreachable;
    fail(make_error(kind, resolving ? "cannot resolve " + options_.host + ": " + uv_message(status)
                                    : "connect to " + peer_ + ": " + uv_message(status)));
    return;
  }
  state_ = State::kHandshaking;
  const int rc = uv_read_start(
      socket_.stream(),
      [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
        auto* self = static_cast<SqlConnection*>(handle->data);
        buf->base = self->read_buffer_.data();
        buf->len = self->read_buffer_.size();
      },
      [](uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
        static_cast<SqlConnection*>(stream->data)->on_read(nread);
      });
  if (rc != 0) {
    fail(make_error(SqlError::Kind::kConnectionLost, "read from " + peer_ + ": " + uv_message(rc)));
  }
}

// --- reading, writing, the protocol ------------------------------------------------------------

void SqlConnection::on_read(ssize_t nread) {
  if (nread == 0) return;
  if (state_ != State::kHandshaking && state_ != State::kReady) return;
  if (nread < 0) {
    fail(make_error(SqlError::Kind::kConnectionLost,
                    nread == UV_EOF
                        ? peer_ + " closed the connection"
                        : "read from " + peer_ + ": " + uv_message(static_cast<int>(nread))));
    return;
  }
  protocol_.receive(std::span(reinterpret_cast<const std::uint8_t*>(read_buffer_.data()),
                              static_cast<std::size_t>(nread)));
  drive_protocol();
}

void SqlConnection::drive_protocol() {
  // Callbacks below may call query() or close(): the state is checked again after each.
  while (state_ == State::kHandshaking || state_ == State::kReady) {
    const ClientProtocol::Event event = protocol_.advance();
    switch (event) {
      case ClientProtocol::Event::kNeedMoreBytes:
        flush_output();  // the handshake reply, if any
        return;
      case ClientProtocol::Event::kFailed:
        fail(protocol_.failure());
        return;
      case ClientProtocol::Event::kConnected: {
        flush_output();
        if (state_ != State::kHandshaking) return;
        uv_timer_stop(&timer_);
        state_ = State::kReady;
        logger_.debug("sql: connected to {} ({}, connection id {})", peer_,
                      protocol_.server_info().version, protocol_.server_info().connection_id);
        auto callback = std::exchange(on_connected_, nullptr);
        if (callback) callback(protocol_.server_info());
        send_next_query();
        break;
      }
      case ClientProtocol::Event::kQueryDone: {
        if (!in_flight_) {
          fail(make_error(SqlError::Kind::kProtocol, "a result arrived with no query running"));
          return;
        }
        uv_timer_stop(&timer_);
        PendingQuery done = std::move(*in_flight_);
        in_flight_.reset();
        done.on_done(protocol_.take_result());
        send_next_query();
        break;
      }
    }
  }
}

void SqlConnection::send_next_query() {
  if (state_ != State::kReady || in_flight_ || queue_.empty() || !protocol_.ready()) return;
  in_flight_ = std::move(queue_.front());
  queue_.pop_front();
  protocol_.begin_query(in_flight_->sql);
  start_timer(options_.query_timeout_ms);
  flush_output();
}

void SqlConnection::flush_output() {
  if (socket_.closing() || (state_ != State::kHandshaking && state_ != State::kReady)) return;
  std::vector<std::uint8_t> bytes = protocol_.take_output();
  if (bytes.empty()) return;
  auto* write = new WriteRequest;
  write->owner = this;
  write->bytes = std::move(bytes);
  write->request.data = write;
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(write->bytes.data()),
                             static_cast<unsigned int>(write->bytes.size()));
  const int rc = uv_write(
      &write->request, socket_.stream(), &buf, 1,
      [](uv_write_t* request, int status) {
        auto* done = static_cast<WriteRequest*>(request->data);
        SqlConnection* self = done->owner;
        delete done;
        --self->requests_in_flight_;
        if (status < 0 && (self->state_ == State::kHandshaking || self->state_ == State::kReady)) {
          self->fail(make_error(SqlError::Kind::kConnectionLost,
                                "write to " + self->peer_ + ": " + uv_message(status)));
        }
        self->maybe_closed();
      });
  if (rc != 0) {
    delete write;
    fail(make_error(SqlError::Kind::kConnectionLost, "write to " + peer_ + ": " + uv_message(rc)));
    return;
  }
  ++requests_in_flight_;
}

// --- queries -----------------------------------------------------------------------------------

void SqlConnection::query(std::string sql, QueryCallback on_done) {
  if (state_ == State::kClosing || state_ == State::kClosed) {
    on_done(std::unexpected(make_error(SqlError::Kind::kCancelled, "connection is closed")));
    return;
  }
  if (state_ == State::kFailed) {
    on_done(std::unexpected(make_error(failure_.kind, "not sent: " + failure_.message)));
    return;
  }
  if (queue_.size() >= options_.max_queued_queries) {
    on_done(std::unexpected(
        make_error(SqlError::Kind::kQueueFull,
                   std::to_string(queue_.size()) + " statements already queued for " + peer_)));
    return;
  }
  queue_.push_back(PendingQuery{std::move(sql), std::move(on_done)});
  send_next_query();
}

// --- timeouts, failures, closing ---------------------------------------------------------------

void SqlConnection::start_timer(std::uint32_t timeout_ms) {
  if (timeout_ms == 0) {
    uv_timer_stop(&timer_);
    return;
  }
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<SqlConnection*>(timer->data)->on_timeout(); },
      timeout_ms, 0);
}

void SqlConnection::on_timeout() {
  switch (state_) {
    case State::kConnecting:
    case State::kHandshaking:
      fail(make_error(SqlError::Kind::kTimeout, "connect to " + peer_ + " took longer than " +
                                                    std::to_string(options_.connect_timeout_ms) +
                                                    " ms"));
      return;
    case State::kReady:
      if (in_flight_) {
        fail(make_error(SqlError::Kind::kTimeout, "query on " + peer_ + " took longer than " +
                                                      std::to_string(options_.query_timeout_ms) +
                                                      " ms"));
      }
      return;
    default:
      return;
  }
}

void SqlConnection::fail(SqlError error) {
  if (state_ == State::kFailed || state_ == State::kClosing || state_ == State::kClosed) return;
  logger_.debug("sql: {}: {}", peer_, error.to_string());
  state_ = State::kFailed;
  failure_ = error;
  uv_timer_stop(&timer_);
  close_socket();
  // Answer everyone after the state is final: a callback may call query() or close().
  auto connected = std::exchange(on_connected_, nullptr);
  std::optional<PendingQuery> current = std::exchange(in_flight_, std::nullopt);
  std::deque<PendingQuery> queued = std::exchange(queue_, {});
  if (connected) connected(std::unexpected(error));
  if (current) current->on_done(std::unexpected(error));
  for (PendingQuery& pending : queued) {
    pending.on_done(std::unexpected(make_error(error.kind, "not sent: " + error.message)));
  }
}

void SqlConnection::close_socket() {
  if (!socket_.closing()) socket_.close([this] { maybe_closed(); });
}

void SqlConnection::close(std::function<void()> on_closed) {
  if (close_requested_) {
    assert(false && "SqlConnection::close called twice");
    return;
  }
  close_requested_ = true;
  on_closed_ = std::move(on_closed);
  state_ = State::kClosing;
  close_socket();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* handle) {
    auto* self = static_cast<SqlConnection*>(handle->data);
    self->timer_open_ = false;
    self->maybe_closed();
  });
  const SqlError cancelled = make_error(SqlError::Kind::kCancelled, "connection closed");
  auto connected = std::exchange(on_connected_, nullptr);
  std::optional<PendingQuery> current = std::exchange(in_flight_, std::nullopt);
  std::deque<PendingQuery> queued = std::exchange(queue_, {});
  if (connected) connected(std::unexpected(cancelled));
  if (current) current->on_done(std::unexpected(cancelled));
  for (PendingQuery& pending : queued) pending.on_done(std::unexpected(cancelled));
}

void SqlConnection::maybe_closed() {
  if (state_ != State::kClosing || timer_open_ || !socket_.closed() || requests_in_flight_ > 0) {
    return;
  }
  state_ = State::kClosed;
  auto callback = std::exchange(on_closed_, nullptr);
  if (callback) callback();  // the last thing: it may destroy this object
}

}  // namespace grouter::metadata::sql
