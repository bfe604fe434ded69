// HttpServer: the listening socket, admission against Limits, and the close of everything it owns.
#include "router/http/http_server.h"

#include <cassert>
#include <utility>

#include "router/http/response_writer.h"
#include "router/http/uv_error.h"

namespace grouter::http {

namespace {

constexpr int kListenBacklog = 128;

std::string strip_brackets(const std::string& address) {
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    return address.substr(1, address.size() - 2);
  }
  return address;
}

AsyncHandler answer_at_once(Handler handler) {
  return [handler = std::move(handler)](const Request& request, Responder respond) {
    respond(handler(request));
  };
}

}  // namespace

HttpServer::HttpServer(uv_loop_t* loop, Logger logger, Handler handler, Limits limits)
    : HttpServer(loop, std::move(logger), answer_at_once(std::move(handler)), limits) {}

HttpServer::HttpServer(uv_loop_t* loop, Logger logger, AsyncHandler handler, Limits limits)
    : loop_(loop),
      logger_(std::move(logger)),
      handler_(std::move(handler)),
      limits_(limits),
      context_{.loop = loop_, .logger = &logger_, .handler = &handler_, .limits = &limits_} {}

HttpServer::~HttpServer() { assert(state_ == State::kIdle || state_ == State::kClosed); }

std::expected<void, std::error_code> HttpServer::listen(const std::string& bind_address, uint16_t port) {
  if (state_ != State::kIdle) return std::unexpected(make_error_code(HttpError::kAlreadyListening));
  const std::string host = strip_brackets(bind_address);
  sockaddr_storage address{};
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&address)) != 0 &&
      uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&address)) != 0) {
    return std::unexpected(make_error_code(HttpError::kInvalidBindAddress));
  }
  if (int status = uv_tcp_init(loop_, &listener_); status < 0) return std::unexpected(uv_error(status));
  listener_.data = this;
  state_ = State::kOpen;
  int status = uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&address), 0);
  if (status == 0) status = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), kListenBacklog, &on_connection);
  if (status < 0) {
    logger_.error("http: cannot listen on {} port {}: {}", bind_address, port, uv_strerror(status));
    return std::unexpected(uv_error(status));
  }
  listening_ = true;
  logger_.info("http: listening on {} port {}", bind_address, this->port());
  return {};
}

uint16_t HttpServer::port() const {
  if (!listening_ || state_ != State::kOpen) return 0;
  sockaddr_storage address{};
  int length = sizeof(address);
  if (uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

void HttpServer::on_connection(uv_stream_t* listener, int status) {
  auto* self = static_cast<HttpServer*>(listener->data);
  if (status < 0) {
    self->logger_.warning("http: accept failed: {}", uv_strerror(status));
    return;
  }
  if (self->state_ == State::kOpen) self->accept_one();
}

void HttpServer::accept_one() {
  auto* listener = reinterpret_cast<uv_stream_t*>(&listener_);
  const std::size_t serving = connections_.size() - rejecting_count_;
  const bool full = serving >= limits_.max_connections;
  const bool reject = full && rejecting_count_ < limits_.max_rejecting_connections;
  ConnectionOwner& owner = *this;
  auto owned = std::make_unique<Connection>(context_, owner);
  Connection& connection = *owned;
  connections_.emplace(&connection, Entry{.connection = std::move(owned), .rejecting = full});
  if (full) ++rejecting_count_;
  // Whatever happens below, the connection is open or closing and ends in connection_closed().
  if (!full) {
    ++stats_.accepted;
    if (auto accepted = connection.accept(listener); !accepted) {
      logger_.debug("http: accept failed: {}", accepted.error().message());
    }
  } else if (reject) {
    ++stats_.rejected;
    logger_.warning("http: {} connections open, answering 503", serving);
    connection.accept_and_reject(listener, error_response(503));
  } else {
    ++stats_.dropped;
    (void)connection.accept(listener);
    connection.close();
  }
}

void HttpServer::close(std::function<void()> on_closed) {
  assert(state_ == State::kIdle || state_ == State::kOpen);
  if (state_ == State::kIdle) {
    state_ = State::kClosed;
    on_closed();
    return;
  }
  state_ = State::kClosing;
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&listener_), &on_listener_closed);
  // Connection::close() reports back only from a close callback, so connections_ stays put here.
  for (auto& [key, entry] : connections_) entry.connection->close();
}

void HttpServer::on_listener_closed(uv_handle_t* handle) {
  auto* self = static_cast<HttpServer*>(handle->data);
  self->listener_closed_ = true;
  self->finish_close_if_done();
}

void HttpServer::connection_closed(Connection& connection) {
  auto it = connections_.find(&connection);
  assert(it != connections_.end());
  if (it->second.rejecting) --rejecting_count_;
  connections_.erase(it);  // frees the connection; its handles are closed
  finish_close_if_done();
}

void HttpServer::finish_close_if_done() {
  if (state_ != State::kClosing || !listener_closed_ || !connections_.empty()) return;
  state_ = State::kClosed;
  auto on_closed = std::exchange(on_closed_, nullptr);
  if (on_closed) on_closed();  // may destroy the server: nothing may follow
}

}  // namespace grouter::http
