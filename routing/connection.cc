// The pass-through connection state machine.
#include "routing/connection.h"
#include "routing/member_waiter.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "routing/error_codes.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;

// The client's address and port.
Destination peer_of(const uv_tcp_t* tcp) {
  sockaddr_storage address{};
  int length = sizeof(address);
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&address), &length) != 0) return {};
  char name[INET6_ADDRSTRLEN] = {};
  std::uint16_t port = 0;
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    uv_ip6_name(v6, name, sizeof(name));
    port = ntohs(v6->sin6_port);
  } else {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    uv_ip4_name(v4, name, sizeof(name));
    port = ntohs(v4->sin_port);
  }
  return Destination{name, port};
}

std::string host_port(const std::string& host, std::uint16_t port) {
  return Destination{host, port}.to_string();
}

}  // namespace

Connection::Connection(WorkerContext& context, std::shared_ptr<Route> route)
    : context_(context), route_(std::move(route)) {}

Connection::~Connection() {
  if (registry_id_ != 0) route_->unregister_connection(registry_id_);
  if (admitted_) route_->release();
}

uv_stream_t* Connection::stream(Side side) {
  return side == Side::kClient ? reinterpret_cast<uv_stream_t*>(&client_)
                               : reinterpret_cast<uv_stream_t*>(&server_->tcp);
}

void Connection::start(uv_stream_t* listener) {
  uv_tcp_init(context_.loop, &client_);
  client_.data = this;
  ++live_handles_;
  uv_timer_init(context_.loop, &handshake_timer_);
  handshake_timer_.data = this;
  ++live_handles_;
  uv_timer_init(context_.loop, &connect_timer_);
  connect_timer_.data = this;
  ++live_handles_;

  if (int rc = uv_accept(listener, reinterpret_cast<uv_stream_t*>(&client_)); rc != 0) {
    context_.logger.warning("[routing:{}] accept failed: {}", route_->name(), uv_strerror(rc));
    close();
    return;
  }
  uv_tcp_nodelay(&client_, 1);
  const Destination peer = peer_of(&client_);
  client_host_ = peer.host;

  RouteCounters& counters = route_->counters();
  if (route_->blocked_hosts().is_blocked(client_host_)) {
    counters.blocked_refused.fetch_add(1, std::memory_order_relaxed);
    refuse(kErrHostBlocked, "HY000",
           "Host '" + client_host_ + "' is blocked because of " +
               std::to_string(route_->config().max_connect_errors) +
               " connection errors (max_connect_errors) on route '" + route_->name() + "'");
    return;
  }
  if (!route_->try_admit()) {
    counters.max_connections_refused.fetch_add(1, std::memory_order_relaxed);
    refuse(kErrConCount, "08004",
           "Too many connections to route '" + route_->name() +
               "' (max_connections = " + std::to_string(route_->config().max_connections) + ")");
    return;
  }
  admitted_ = true;

  stats_ = std::make_shared<ConnectionStats>();
  stats_->source_address = peer.to_string();
  stats_->time_started = now_epoch_micros();
  registry_id_ = route_->register_connection(stats_);

  begin_connect();
}

void Connection::begin_connect() {
  state_ = State::kConnecting;
  plan_ = route_->plan_connection();
  plan_position_ = 0;
  try_next_destination();
}

void Connection::wait_for_destinations() {
  if (const auto set = route_->published(); set && !set->no_primary_reason.empty()) {
    route_->counters().no_destination_errors.fetch_add(1, std::memory_order_relaxed);
    refuse(kErrNoDestination, "HY000",
           "Can't connect to remote MySQL server for client connected to '" +
               host_port(route_->config().bind_address, route_->config().bind_port) +
               "': " + set->no_primary_reason);
    return;
  }
  const std::uint64_t now = uv_now(context_.loop);
  if (wait_started_ms_ == 0) wait_started_ms_ = now;
  const auto limit = static_cast<std::uint64_t>(route_->config().destination_wait_timeout.count());
  const std::uint64_t waited = now - wait_started_ms_;
  if (waited >= limit) {
    refuse_no_destination();
    return;
  }
  state_ = State::kWaiting;
  context_.logger.debug("[routing:{}] {} waits for a destination", route_->name(), client_host_);
  uv_timer_start(
      &connect_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Connection*>(timer->data);
        if (self->state_ == State::kWaiting) self->refuse_no_destination();
      },
      limit - waited, 0);
}

void Connection::on_destinations_changed() {
  if (state_ == State::kWaiting) {
    uv_timer_stop(&connect_timer_);
    begin_connect();
  } else if (splitter_) {
    check_split_legs();
  } else if (state_ == State::kRelaying && !route_->allows(destination_)) {
    context_.logger.info("[routing:{}] closing {}'s session: {} may no longer serve this route",
                         route_->name(), client_host_, destination_.to_string());
    close();
  }
}

void Connection::refuse_no_destination() {
  route_->counters().no_destination_errors.fetch_add(1, std::memory_order_relaxed);
  refuse(kErrNoDestination, "HY000",
         "Can't connect to remote MySQL server for client connected to '" +
             host_port(route_->config().bind_address, route_->config().bind_port) + "'");
}

void Connection::refuse(std::uint16_t code, const char* sql_state, const std::string& message) {
  context_.logger.info("[routing:{}] refusing {}: {} {}", route_->name(), client_host_, code,
                       message);
  state_ = State::kRefusing;
  watching_handshake_ = false;
  refusal_ = mysql_wire::ErrPacket{code, sql_state, message};
  // The nonce is never checked; without randomness (uv_random failing) zeros serve as well.
  std::array<std::uint8_t, kRefusalNonceSize> random{};
  uv_random(nullptr, nullptr, random.data(), random.size(), 0, nullptr);
  write_to_client(refusal_greeting(random));
  // Bounds the client's answer to the greeting and its close after the ERR.
  uv_timer_start(
      &handshake_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Connection*>(timer->data);
        if (self->state_ == State::kRefusing) self->close();
      },
      static_cast<std::uint64_t>(route_->config().client_connect_timeout.count()), 0);
  start_reading(Side::kClient);
}

void Connection::on_refusal_read(ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) {
    close();
    return;
  }
  // After the ERR, the client's bytes are read and dropped until it closes: closing on unread
  // bytes would reset the connection and could discard the ERR before the client reads it.
  if (nread == 0 || refusal_answered_) return;
  const std::span bytes(reinterpret_cast<const std::uint8_t*>(buf->base),
                        static_cast<std::size_t>(nread));
  if (refusal_exchange_.on_client_bytes(bytes) && !to_client_.active) answer_refusal();
}

void Connection::answer_refusal() {
  refusal_answered_ = true;
  write_to_client(refusal_exchange_.error_frame(refusal_));
}

void Connection::write_to_client(const std::vector<std::uint8_t>& bytes) {
  to_client_.data.assign(bytes.begin(), bytes.end());
  to_client_.active = true;
  to_client_.request.data = this;
  uv_buf_t buf = uv_buf_init(to_client_.data.data(), static_cast<unsigned>(to_client_.data.size()));
  if (uv_write(&to_client_.request, reinterpret_cast<uv_stream_t*>(&client_), &buf, 1,
               on_write_cb) != 0) {
    to_client_.active = false;
    close();
  }
}

void Connection::try_next_destination() {
  if (plan_position_ >= plan_.order.size()) {
    if (route_->config().group) {
      wait_for_destinations();
    } else {
      refuse_no_destination();
    }
    return;
  }
  const std::size_t index = plan_.order[plan_position_++];
  const Destination& destination = target(index);

  sockaddr_storage address{};
  if (uv_ip4_addr(destination.host.c_str(), destination.port,
                  reinterpret_cast<sockaddr_in*>(&address)) == 0 ||
      uv_ip6_addr(destination.host.c_str(), destination.port,
                  reinterpret_cast<sockaddr_in6*>(&address)) == 0) {
    connect_to(reinterpret_cast<const sockaddr*>(&address));
    return;
  }
  // A hostname: resolve it first (asynchronously, on libuv's thread pool).
  resolving_ = new uv_getaddrinfo_t{};
  resolving_->data = this;
  ++live_handles_;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string port = std::to_string(destination.port);
  if (int rc = uv_getaddrinfo(context_.loop, resolving_, on_resolved_cb, destination.host.c_str(),
                              port.c_str(), &hints);
      rc != 0) {
    delete resolving_;
    resolving_ = nullptr;
    --live_handles_;
    destination_failed(index, "cannot resolve", rc);
  }
}

void Connection::on_resolved_cb(uv_getaddrinfo_t* request, int status, addrinfo* result) {
  auto* self = static_cast<Connection*>(request->data);
  self->resolving_ = nullptr;
  delete request;
  if (self->state_ == State::kClosing) {
    uv_freeaddrinfo(result);
    self->on_handle_closed();
    return;
  }
  --self->live_handles_;
  const std::size_t index = self->plan_.order[self->plan_position_ - 1];
  if (status != 0 || result == nullptr) {
    uv_freeaddrinfo(result);
    self->destination_failed(index, "cannot resolve", status);
    return;
  }
  sockaddr_storage address{};
  std::memcpy(&address, result->ai_addr, result->ai_addrlen);
  uv_freeaddrinfo(result);
  self->connect_to(reinterpret_cast<const sockaddr*>(&address));
}

void Connection::connect_to(const sockaddr* address) {
  auto* attempt = new ServerAttempt;
  attempt->owner = this;
  attempt->destination_index = plan_.order[plan_position_ - 1];
  attempt->tcp.data = attempt;
  attempt->request.data = attempt;
  uv_tcp_init(context_.loop, &attempt->tcp);
  ++live_handles_;
  server_ = attempt;
  if (int rc = uv_tcp_connect(&attempt->request, &attempt->tcp, address, on_connect_cb); rc != 0) {
    attempt_failed("connect", rc);
    return;
  }
  uv_timer_start(
      &connect_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Connection*>(timer->data);
        if (self->state_ == State::kConnecting) self->attempt_failed("connect_timeout expired", 0);
      },
      static_cast<std::uint64_t>(route_->config().connect_timeout.count()), 0);
}

void Connection::on_connect_cb(uv_connect_t* request, int status) {
  auto* attempt = static_cast<ServerAttempt*>(request->data);
  Connection* self = attempt->owner;
  // A superseded attempt (timed out, or the connection is closing) is already being closed.
  if (self->state_ != State::kConnecting || self->server_ != attempt) return;
  if (status != 0) {
    self->attempt_failed("connect", status);
    return;
  }
  self->on_connected();
}

void Connection::attempt_failed(const char* why, int status) {
  uv_timer_stop(&connect_timer_);
  ServerAttempt* attempt = server_;
  server_ = nullptr;
  const std::size_t index = attempt->destination_index;
  close_attempt(attempt);
  destination_failed(index, why, status);
}

void Connection::destination_failed(std::size_t index, const char* why, int status) {
  context_.logger.warning("[routing:{}] connecting to {} failed: {}{}{}", route_->name(),
                          target(index).to_string(), why, status != 0 ? ": " : "",
                          status != 0 ? uv_strerror(status) : "");
  route_->report_unreachable(plan_, index);
  route_->counters().destination_connect_errors.fetch_add(1, std::memory_order_relaxed);
  try_next_destination();
}

void Connection::on_connected() {
  uv_timer_stop(&connect_timer_);
  destination_ = target(server_->destination_index);
  if (!route_->allows(destination_)) {  // the view changed while connecting
    attempt_failed("no longer allowed by the group's view", 0);
    return;
  }
  route_->report_reachable(plan_, server_->destination_index);
  uv_tcp_nodelay(&server_->tcp, 1);
  if (route_->config().session.terminated()) {
    terminator_ = std::make_unique<SessionTerminator>(route_->config().session, route_->tls(),
                                                      route_->name(), destination_.host);
  }
  state_ = State::kRelaying;
  stats_->destination_address = destination_.to_string();
  stats_->time_connected_to_server.store(now_epoch_micros(), std::memory_order_release);
  context_.logger.debug("[routing:{}] {} connected to {}", route_->name(), client_host_,
                        stats_->destination_address);
  // client_connect_timeout bounds the client's handshake, which starts now; grouter's own connect
  // attempts are bounded by connect_timeout and never count against the client.
  uv_timer_start(
      &handshake_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<Connection*>(timer->data);
        if (!self->watching_handshake_ || self->state_ == State::kClosing) return;
        self->record_connect_error("client_connect_timeout expired before the handshake finished");
        self->close();
      },
      static_cast<std::uint64_t>(route_->config().client_connect_timeout.count()), 0);
  start_reading(Side::kServer);
  start_reading(Side::kClient);
}

void Connection::stop_reading(Side side) {
  if (side == Side::kServer && server_ == nullptr) return;
  uv_read_stop(stream(side));
}

void Connection::start_reading(Side side) {
  if (side == Side::kServer && server_ == nullptr) return;  // a split session's lost primary
  uv_read_start(stream(side), on_alloc_cb,
                side == Side::kClient ? on_client_read_cb : on_server_read_cb);
}

void Connection::on_alloc_cb(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  // Every read of the loop goes into the worker's one buffer (see worker_context.h).
  auto* context = static_cast<WorkerContext*>(handle->loop->data);
  *buf =
      uv_buf_init(context->read_buffer.data(), static_cast<unsigned>(context->read_buffer.size()));
}

void Connection::on_client_read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  static_cast<Connection*>(stream->data)->on_read(Side::kClient, nread, buf);
}

void Connection::on_server_read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  static_cast<ServerAttempt*>(stream->data)->owner->on_read(Side::kServer, nread, buf);
}

void Connection::on_read(Side from, ssize_t nread, const uv_buf_t* buf) {
  if (state_ == State::kRefusing && from == Side::kClient) {
    on_refusal_read(nread, buf);
    return;
  }
  if (state_ != State::kRelaying) return;
  if (nread < 0) {
    on_end_of_stream(from, nread);
    return;
  }
  if (nread == 0) return;
  const auto size = static_cast<std::size_t>(nread);
  const EpochMicros now = now_epoch_micros();
  RouteCounters& counters = route_->counters();
  if (from == Side::kClient) {
    stats_->bytes_to_server.fetch_add(size, std::memory_order_relaxed);
    stats_->time_last_sent_to_server.store(now, std::memory_order_relaxed);
    counters.bytes_to_server.fetch_add(size, std::memory_order_relaxed);
  } else {
    stats_->bytes_from_server.fetch_add(size, std::memory_order_relaxed);
    stats_->time_last_received_from_server.store(now, std::memory_order_relaxed);
    counters.bytes_from_server.fetch_add(size, std::memory_order_relaxed);
  }
  if (terminator_ && (!terminator_->transparent() || splitter_)) {
    terminate_bytes(from, buf->base, size);
    return;
  }
  if (watching_handshake_ && !terminator_) {
    observe_handshake(from, buf->base, size);
    if (state_ == State::kClosing) return;
  }
  forward(from == Side::kClient ? Side::kServer : Side::kClient, buf->base, size);
}

void Connection::terminate_bytes(Side from, const char* data, std::size_t size) {
  std::span bytes(reinterpret_cast<const std::uint8_t*>(data), size);
  TerminatorOutput out;
  const auto event = from == Side::kClient ? terminator_->on_client_bytes(bytes, out)
                                           : terminator_->on_server_bytes(bytes, out);
  SplitterOutput split;
  if (splitter_) split = split_plaintext(out);
  send_terminated(out);
  if (state_ == State::kClosing) return;
  if (splitter_) apply_split(split);
  if (state_ == State::kClosing) return;
  switch (event) {
    case SessionTerminator::Event::kContinue:
      return;
    case SessionTerminator::Event::kAuthenticated:
      watching_handshake_ = false;
      uv_timer_stop(&handshake_timer_);
      route_->blocked_hosts().record_success(client_host_);
      context_.logger.debug("[routing:{}] {} authenticated as '{}' ({} to the client, {} to {})",
                            route_->name(), client_host_, terminator_->user(),
                            terminator_->client_tls() ? "TLS" : "plain",
                            terminator_->server_tls() ? "TLS" : "plain", destination_.to_string());
      // Read/write splitting, and any route to a group's members: the command loop
      // (consistency; on the primary route the move to a new primary).
      if (route_->config().access_mode_auto || route_->config().group) {
        start_split();
      }
      return;
    case SessionTerminator::Event::kDone:
      watching_handshake_ = false;
      context_.logger.info("[routing:{}] session of {} ends: {}", route_->name(), client_host_,
                           terminator_->reason());
      close_after_flush();
      return;
    case SessionTerminator::Event::kClientFault:
      record_connect_error(terminator_->reason().c_str());
      close_after_flush();
      return;
  }
}

void Connection::send_terminated(TerminatorOutput& out) {
  if (!out.to_server.empty()) {
    forward(Side::kServer, reinterpret_cast<const char*>(out.to_server.data()), out.to_server.size());
  }
  if (state_ == State::kClosing) return;
  if (!out.to_client.empty()) {
    forward(Side::kClient, reinterpret_cast<const char*>(out.to_client.data()), out.to_client.size());
  }
}

void Connection::close_after_flush() {
  close_after_flush_ = true;
  if (!to_client_.active && !to_server_.active) close();
}

void Connection::observe_handshake(Side from, const char* data, std::size_t size) {
  std::span bytes(reinterpret_cast<const std::uint8_t*>(data), size);
  const auto outcome =
      from == Side::kClient ? tracker_.on_client_bytes(bytes) : tracker_.on_server_bytes(bytes);
  switch (outcome) {
    case HandshakeTracker::Outcome::kPending:
      return;
    case HandshakeTracker::Outcome::kAuthenticated:
      route_->blocked_hosts().record_success(client_host_);
      break;
    case HandshakeTracker::Outcome::kServerRefused:
      if (tracker_.error_code() == kErrHandshake) {
        record_connect_error("the server rejected the client's handshake packet");
      }
      break;
    case HandshakeTracker::Outcome::kMalformed:
      record_connect_error("bytes that are no MySQL or TLS handshake");
      close();
      return;
  }
  watching_handshake_ = false;
  uv_timer_stop(&handshake_timer_);
}

void Connection::forward(Side to, const char* data, std::size_t size) {
  if (to == Side::kServer && server_ == nullptr) return;  // a split session's lost primary
  PendingWrite& waiting = pending_to(to);
  if (waiting.active) {  // only on terminated routes: keep the order, send after the write
    waiting.queued.insert(waiting.queued.end(), data, data + size);
    return;
  }
  uv_buf_t buf = uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(size));
  int written = uv_try_write(stream(to), &buf, 1);
  if (written == static_cast<int>(size)) return;
  if (written < 0 && written != UV_EAGAIN) {
    context_.logger.debug("[routing:{}] write to {} failed: {}", route_->name(),
                          to == Side::kClient ? "client" : "server", uv_strerror(written));
    close();
    return;
  }
  const std::size_t done = written > 0 ? static_cast<std::size_t>(written) : 0;
  PendingWrite& pending = pending_to(to);
  pending.data.assign(data + done, data + size);
  // Back-pressure: stop reading the side that feeds this write until it has drained (on a
  // terminated route either side may feed it).
  stop_reading(to == Side::kClient ? Side::kServer : Side::kClient);
  if (terminator_) stop_reading(to);
  if (secondary_) secondary_->pause_reading();
  write_pending(to);
}

void Connection::write_pending(Side to) {
  PendingWrite& pending = pending_to(to);
  pending.active = true;
  pending.request.data = this;
  uv_buf_t rest = uv_buf_init(pending.data.data(), static_cast<unsigned>(pending.data.size()));
  if (int rc = uv_write(&pending.request, stream(to), &rest, 1, on_write_cb); rc != 0) {
    pending.active = false;
    close();
  }
}

void Connection::on_write_cb(uv_write_t* request, int status) {
  auto* self = static_cast<Connection*>(request->data);
  self->on_write_done(request == &self->to_client_.request ? Side::kClient : Side::kServer, status);
}

void Connection::on_write_done(Side to, int status) {
  PendingWrite& pending = pending_to(to);
  pending.active = false;
  pending.data.clear();
  if (state_ == State::kClosing) return;
  if (to == Side::kServer && server_lost_) {  // a write to the lost primary's closed socket
    pending.queued.clear();
    return;
  }
  if (status != 0) {
    close();
    return;
  }
  if (!pending.queued.empty()) {
    pending.data.swap(pending.queued);
    write_pending(to);
    return;
  }
  if (close_after_flush_) {
    if (!to_client_.active && !to_server_.active) close();
    return;
  }
  if (state_ == State::kRefusing) {
    if (refusal_exchange_.answer_due() && !refusal_answered_) answer_refusal();
    return;
  }
  if (state_ != State::kRelaying) return;
  if (!terminator_) {
    start_reading(to == Side::kClient ? Side::kServer : Side::kClient);
  } else if (!to_client_.active && !to_server_.active) {
    update_client_reading();
    start_reading(Side::kServer);
    if (secondary_) secondary_->resume_reading();
  }
}

void Connection::on_end_of_stream(Side from, ssize_t status) {
  if (from == Side::kServer && splitter_ && state_ == State::kRelaying) {
    lose_primary(std::string("the primary closed the connection: ") +
                 uv_strerror(static_cast<int>(status)));
    return;
  }
  if (watching_handshake_ && from == Side::kClient) {
    record_connect_error("the client closed the connection before the handshake finished");
  }
  context_.logger.debug("[routing:{}] {} closed the connection: {}", route_->name(),
                        from == Side::kClient ? "client" : "server",
                        uv_strerror(static_cast<int>(status)));
  // Deliver what is still queued for the other side, then close both.
  if (pending_to(from == Side::kClient ? Side::kServer : Side::kClient).active) {
    close_after_flush_ = true;
    uv_read_stop(stream(from));
    return;
  }
  close();
}

void Connection::record_connect_error(const char* why) {
  watching_handshake_ = false;
  route_->counters().client_connect_errors.fetch_add(1, std::memory_order_relaxed);
  const bool blocked = route_->blocked_hosts().record_error(client_host_);
  context_.logger.info("[routing:{}] connect error from {}: {}", route_->name(), client_host_, why);
  if (blocked) {
    context_.logger.warning("[routing:{}] blocking host {} after {} connect errors", route_->name(),
                            client_host_, route_->config().max_connect_errors);
  }
}

void Connection::close() {
  if (state_ == State::kClosing) return;
  state_ = State::kClosing;
  close_handle(reinterpret_cast<uv_handle_t*>(&client_));
  close_handle(reinterpret_cast<uv_handle_t*>(&handshake_timer_));
  close_handle(reinterpret_cast<uv_handle_t*>(&connect_timer_));
  if (server_ != nullptr) {
    close_attempt(server_);
    server_ = nullptr;
  }
  if (resolving_ != nullptr) uv_cancel(reinterpret_cast<uv_req_t*>(resolving_));
  close_secondary();
  dispose_link(primary_link_);
  if (context_.member_waiter != nullptr) {
    for (std::uint64_t* id : {&members_wait_, &position_wait_}) {
      if (*id != 0) context_.member_waiter->cancel(*id);
      *id = 0;
    }
  }
}

void Connection::close_handle(uv_handle_t* handle) {
  if (uv_is_closing(handle)) return;
  uv_close(handle, [](uv_handle_t* h) { static_cast<Connection*>(h->data)->on_handle_closed(); });
}

void Connection::close_attempt(ServerAttempt* attempt) {
  uv_close(reinterpret_cast<uv_handle_t*>(&attempt->tcp), [](uv_handle_t* h) {
    auto* closed = static_cast<ServerAttempt*>(h->data);
    Connection* owner = closed->owner;
    delete closed;
    owner->on_handle_closed();
  });
}

void Connection::on_handle_closed() {
  --live_handles_;
  if (state_ != State::kClosing || live_handles_ > 0) return;
  // Last callback: the context owns this connection and frees it now.
  context_.connections.erase(this);
}

}  // namespace grouter::routing
