// The libuv side of a session's further server connection: resolve, TCP connect, login deadline,
// reads and writes around ServerLogin.
#include "routing/server_link.h"

#include <cassert>
#include <utility>

#include "routing/error_codes.h"

namespace grouter::routing {

ServerLink::ServerLink(uv_loop_t* loop, Logger logger, Destination destination,
                       std::chrono::milliseconds connect_timeout, LoginRequest login,
                       std::size_t max_queued_bytes)
    : loop_(loop),
      logger_(std::move(logger)),
      destination_(std::move(destination)),
      connect_timeout_(connect_timeout),
      max_queued_bytes_(max_queued_bytes),
      login_(std::move(login)),
      socket_(loop, this) {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  timer_open_ = true;
  write_request_.data = this;
}

ServerLink::~ServerLink() {
  // close() and its callback must come first (STYLE.md, handle lifetime).
  assert(state_ == State::kClosed);
  assert(!timer_open_ && socket_.closed() && !write_active_);
}

// --- connect -----------------------------------------------------------------------------------

void ServerLink::open(ReadyCallback on_ready, BytesCallback on_bytes, LostCallback on_lost) {
  if (state_ != State::kIdle) {
    assert(false && "ServerLink::open called twice or after close()");
    return;
  }
  on_ready_ = std::move(on_ready);
  on_bytes_ = std::move(on_bytes);
  on_lost_ = std::move(on_lost);
  start_deadline();
  state_ = State::kConnecting;
  socket_.connect(destination_.host, destination_.port,
                  [this](int status, const char* step) { on_connected(status, step); });
}

void ServerLink::on_connected(int status, const char* step) {
  if (state_ != State::kConnecting) return;
  if (status != 0) {
    fail({kErrConnectFailed, "HY000",
          "Can't connect to MySQL server on '" + destination_.to_string() + "' (" + step + ": " +
              uv_strerror(status) + ")"});
    return;
  }
  state_ = State::kLoggingIn;
  start_deadline();  // the login's own, as long as the connect's
  update_reading();
}

void ServerLink::start_deadline() {
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<ServerLink*>(timer->data)->on_timeout(); },
      static_cast<std::uint64_t>(connect_timeout_.count()), 0);
}

void ServerLink::on_timeout() {
  const std::string limit = std::to_string(connect_timeout_.count()) + " ms";
  if (state_ == State::kConnecting) {
    fail({kErrConnectFailed, "HY000",
          "Can't connect to MySQL server on '" + destination_.to_string() +
              "' (connect_timeout of " + limit + " passed)"});
  } else if (state_ == State::kLoggingIn) {
    fail({kErrServerLost, "HY000",
          "Lost connection to MySQL server at 'reading authorization packet': " +
              destination_.to_string() + " did not finish the login within " + limit});
  }
}

// --- reading -----------------------------------------------------------------------------------

void ServerLink::update_reading() {
  const bool want = state_ == State::kLoggingIn || (state_ == State::kReady && !paused_);
  if (want == reading_) return;
  uv_stream_t* stream = socket_.stream();
  if (!want) {
    uv_read_stop(stream);
    reading_ = false;
    return;
  }
  const int rc = uv_read_start(
      stream,
      [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
        auto* self = static_cast<ServerLink*>(handle->data);
        *buf = uv_buf_init(self->read_buffer_.data(),
                           static_cast<unsigned>(self->read_buffer_.size()));
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
        static_cast<ServerLink*>(s->data)->on_read(nread);
      });
  if (rc != 0) {
    fail({kErrServerLost, "HY000",
          "Lost connection to " + destination_.to_string() + ": " + uv_strerror(rc)});
    return;
  }
  reading_ = true;
}

void ServerLink::pause_reading() {
  paused_ = true;
  update_reading();
}

void ServerLink::resume_reading() {
  paused_ = false;
  update_reading();
}

void ServerLink::on_read(ssize_t nread) {
  if (nread == 0) return;
  if (state_ != State::kLoggingIn && state_ != State::kReady) return;
  if (nread < 0) {
    fail({kErrServerLost, "HY000",
          "Lost connection to " + destination_.to_string() + ": " +
              uv_strerror(static_cast<int>(nread))});
    return;
  }
  std::vector<std::uint8_t> to_node;
  std::vector<std::uint8_t> plaintext;
  const auto event =
      login_.on_node_bytes(std::span(reinterpret_cast<const std::uint8_t*>(read_buffer_.data()),
                                     static_cast<std::size_t>(nread)),
                           to_node, plaintext);
  write(to_node);
  if (event == ServerLogin::Event::kFailed) {
    fail(login_.error());
    return;
  }
  if (event == ServerLogin::Event::kLoggedIn && state_ == State::kLoggingIn) {
    uv_timer_stop(&timer_);
    state_ = State::kReady;
    update_reading();
    const LoginResult& result = login_.result();
    logger_.debug("server link: logged in to {} (connection id {}, {})", destination_.to_string(),
                  result.connection_id, result.tls ? result.tls_description : "plain");
    auto callback = std::exchange(on_ready_, nullptr);
    if (callback) callback(result);
  }
  if (state_ == State::kReady && !plaintext.empty() && on_bytes_) on_bytes_(plaintext);
}

// --- writing -----------------------------------------------------------------------------------

bool ServerLink::send(std::span<const std::uint8_t> plaintext) {
  if (state_ != State::kReady) return false;
  if (write_active_ && queued_.size() + plaintext.size() > max_queued_bytes_) {
    ++queue_full_count_;
    logger_.debug("server link: queue to {} full ({} bytes waiting)", destination_.to_string(),
                  queued_.size());
    return false;
  }
  std::vector<std::uint8_t> to_node;
  if (!login_.send(plaintext, to_node)) {
    fail(login_.error());
    return false;
  }
  write(to_node);
  return true;
}

void ServerLink::write(std::span<const std::uint8_t> bytes) {
  if (bytes.empty() || (state_ != State::kLoggingIn && state_ != State::kReady)) return;
  if (write_active_) {
    queued_.insert(queued_.end(), bytes.begin(), bytes.end());
    return;
  }
  writing_.assign(bytes.begin(), bytes.end());
  start_write();
}

void ServerLink::start_write() {
  uv_buf_t buf =
      uv_buf_init(reinterpret_cast<char*>(writing_.data()), static_cast<unsigned>(writing_.size()));
  const int rc =
      uv_write(&write_request_, socket_.stream(), &buf, 1, [](uv_write_t* request, int status) {
        static_cast<ServerLink*>(request->data)->on_write_done(status);
      });
  if (rc != 0) {
    writing_.clear();
    fail({kErrServerLost, "HY000",
          "Lost connection to " + destination_.to_string() + ": " + uv_strerror(rc)});
    return;
  }
  write_active_ = true;
}

void ServerLink::on_write_done(int status) {
  write_active_ = false;
  writing_.clear();
  if (state_ == State::kClosing) {
    maybe_closed();
    return;
  }
  if (state_ != State::kLoggingIn && state_ != State::kReady) return;
  if (status < 0) {
    fail({kErrServerLost, "HY000",
          "Lost connection to " + destination_.to_string() + ": " + uv_strerror(status)});
    return;
  }
  if (queued_.empty()) return;
  writing_.swap(queued_);
  start_write();
}

// --- failing and closing -----------------------------------------------------------------------

void ServerLink::fail(LinkError error) {
  if (state_ == State::kFailed || state_ == State::kClosing || state_ == State::kClosed) return;
  const bool was_ready = state_ == State::kReady;
  state_ = State::kFailed;
  logger_.debug("server link: {}: {} {}", destination_.to_string(), error.code, error.message);
  uv_timer_stop(&timer_);
  close_socket();
  queued_.clear();
  // The state is final before the callback: it may call close().
  if (was_ready) {
    auto callback = std::exchange(on_lost_, nullptr);
    if (callback) callback(std::move(error));
  } else {
    auto callback = std::exchange(on_ready_, nullptr);
    if (callback) callback(std::unexpected(std::move(error)));
  }
}

void ServerLink::close_socket() {
  reading_ = false;
  if (!socket_.closing()) socket_.close([this] { maybe_closed(); });
}

void ServerLink::close(std::function<void()> on_closed) {
  if (state_ == State::kClosing || state_ == State::kClosed) {
    assert(false && "ServerLink::close called twice");
    return;
  }
  state_ = State::kClosing;
  on_closed_ = std::move(on_closed);
  close_socket();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* handle) {
    auto* self = static_cast<ServerLink*>(handle->data);
    self->timer_open_ = false;
    self->maybe_closed();
  });
}

void ServerLink::maybe_closed() {
  if (state_ != State::kClosing || timer_open_ || !socket_.closed() || write_active_) return;
  state_ = State::kClosed;
  auto callback = std::exchange(on_closed_, nullptr);
  if (callback) callback();  // the last thing: it may destroy this object
}

}  // namespace grouter::routing
